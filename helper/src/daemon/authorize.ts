// Who may do what: the whole peer policy of the daemon, in one place.
//
// Root peers may run any plan without errors. Everyone else reached the socket through
// its group, and that membership must not be worth more than the account itself (the
// docker.sock mistake): a non-root peer may only start a container that could not do
// anything the peer could not already do on the host. Concretely, for a non-root peer:
//   - the process runs as the peer's own uid, with the peer's gid or one of its groups;
//   - no capabilities beyond runc's rootless set (AUDIT_WRITE, KILL with its own PID
//     namespace, NET_BIND_SERVICE with its own network namespace), none ambient otherwise;
//   - no device nodes, no joined namespaces, no user namespace, no hooks, no sysctls, no
//     security labels, no negative oom_score_adj, no rlimit above the peer's own;
//   - only pseudo filesystems and bind mounts; bind sources, the bundle and the rootfs must
//     be readable by the peer itself (checked by `peerAccess.ts`, as the peer);
//   - nothing mounted at or through a path under /proc (the CVE-2019-16884/19921 class);
//   - every mount nosuid and nodev (`restrictPlan`), so a setuid binary or a device node
//     reachable through a bind mount is as harmless inside as outside.
// The functions here are pure; the questions that need the host go through `HostView`.
import * as posix from 'node:path/posix';
import type { SpecDocument } from '../plan/document';
import { asArray, asObject, asString, get } from '../plan/json';
import type { Finding, HostView, JsonPath, MountOp, Operation, Plan, SetattrOp } from '../plan/types';

export interface Peer {
  pid: number;
  uid: number;
  gid: number;
  /** Supplementary groups at connect() time. */
  groups: number[];
}

export const isRoot = (peer: Peer): boolean => peer.uid === 0;

/** Only the owner and root may see, inspect, stop, tear down or read the logs of a container. */
export function maySee(peer: Peer, owner: number): boolean {
  return isRoot(peer) || peer.uid === owner;
}

/** A path the peer must be able to read itself before the helper touches it for them. */
export interface ReadCheck {
  path: string;
  /** Directories must also be searchable. */
  what: string;
  specPath: JsonPath;
}

export interface LaunchPolicy {
  denials: Finding[];
  mustRead: ReadCheck[];
}

/** runc's `spec --rootless` capabilities, each with the namespace that keeps it local. */
const ROOTLESS_CAPS: Record<string, string | undefined> = {
  CAP_AUDIT_WRITE: undefined,
  CAP_KILL: 'pid',
  CAP_NET_BIND_SERVICE: 'network',
};

/** Filesystems a non-root peer may mount: pseudo filesystems that expose no host storage. */
const PEER_FSTYPES = new Set(['tmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2']);

/** Resource names as in the spec → the row of /proc/PID/limits. */
export const RLIMIT_ROWS: Record<string, string> = {
  RLIMIT_CPU: 'Max cpu time',
  RLIMIT_FSIZE: 'Max file size',
  RLIMIT_DATA: 'Max data size',
  RLIMIT_STACK: 'Max stack size',
  RLIMIT_CORE: 'Max core file size',
  RLIMIT_RSS: 'Max resident set',
  RLIMIT_NPROC: 'Max processes',
  RLIMIT_NOFILE: 'Max open files',
  RLIMIT_MEMLOCK: 'Max locked memory',
  RLIMIT_AS: 'Max address space',
  RLIMIT_LOCKS: 'Max file locks',
  RLIMIT_SIGPENDING: 'Max pending signals',
  RLIMIT_MSGQUEUE: 'Max msgqueue size',
  RLIMIT_NICE: 'Max nice priority',
  RLIMIT_RTPRIO: 'Max realtime priority',
  RLIMIT_RTTIME: 'Max realtime timeout',
};

/** Hard limits of the peer process (from /proc/PID/limits); Infinity for unlimited. */
export type PeerLimits = Record<string, number>;

/**
 * What a non-root peer may not ask for in this spec and plan, and which host paths it must
 * be able to read. Root gets no denials and no checks.
 */
export function checkLaunch(peer: Peer, doc: SpecDocument, plan: Plan, host: HostView, limits?: PeerLimits): LaunchPolicy {
  const denials: Finding[] = [];
  const mustRead: ReadCheck[] = [];
  if (isRoot(peer)) return { denials, mustRead };
  const spec = doc.value;
  const deny = (code: string, path: JsonPath, message: string) =>
    denials.push({ code, severity: 'error', message: `${message} (uid ${peer.uid} is not root)`, range: doc.rangeNear(path), path });

  checkUser(peer, spec, deny);
  const namespaces = checkNamespaces(spec, deny);
  checkCapabilities(spec, namespaces, deny);
  checkRlimits(spec, limits, deny);

  const refused: [JsonPath, string, string][] = [
    [['linux', 'devices'], 'peer-devices', 'linux.devices: only root may create device nodes'],
    [['hooks'], 'peer-hooks', 'hooks run on the host as root; only root may set them'],
    [['linux', 'sysctl'], 'peer-sysctl', 'linux.sysctl: only root may set kernel parameters'],
    [['process', 'apparmorProfile'], 'peer-security-label', 'process.apparmorProfile: only root may choose a security profile'],
    [['process', 'selinuxLabel'], 'peer-security-label', 'process.selinuxLabel: only root may choose a security label'],
    [['linux', 'mountLabel'], 'peer-security-label', 'linux.mountLabel: only root may choose a security label'],
    [['linux', 'uidMappings'], 'peer-user-namespace', 'linux.uidMappings: only root may map ids'],
    [['linux', 'gidMappings'], 'peer-user-namespace', 'linux.gidMappings: only root may map ids'],
  ];
  for (const [path, code, message] of refused) {
    const v = get(spec, ...path);
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(asObject(v) && Object.keys(v as object).length === 0))
      deny(code, path, message);
  }
  const oom = get(spec, 'process', 'oomScoreAdj');
  if (typeof oom === 'number' && oom < 0) deny('peer-oom-score', ['process', 'oomScoreAdj'], 'process.oomScoreAdj below 0 needs root');
  const rp = asString(get(spec, 'linux', 'rootfsPropagation'));
  if (rp === 'shared' || rp === 'rshared')
    deny('peer-propagation', ['linux', 'rootfsPropagation'], `linux.rootfsPropagation "${rp}" would let the container's mounts reach the host`);

  // The bundle's rootfs: read as the peer; the helper creates mount points in it, so the
  // peer must be able to write there itself.
  if (plan.rootfs) mustRead.push({ path: plan.rootfs, what: 'rootfs', specPath: ['root', 'path'] });

  for (const m of plan.mounts) {
    // A fresh procfs of the host's PID namespace would not carry the host's hidepid=.
    if (m.type === 'proc' && !namespaces.has('pid')) {
      const where: JsonPath = m.origin.kind === 'spec' ? ['mounts', m.index ?? 0, 'type'] : ['linux', 'namespaces'];
      deny('peer-proc-without-pidns', where, `${m.destination}: a proc mount needs the container's own PID namespace (add {"type": "pid"} to linux.namespaces)`);
    }
    if (m.origin.kind !== 'spec') continue;
    const path: JsonPath = ['mounts', m.index ?? 0];
    const dest = posix.normalize(m.destination || '/');
    if (m.bind) {
      if (m.hostSource) mustRead.push({ path: m.hostSource, what: `mounts[${m.index}] (${m.destination}): bind source`, specPath: [...path, 'source'] });
    } else if (!PEER_FSTYPES.has(m.type)) {
      deny('peer-fstype', [...path, 'type'], `mounts[${m.index}] (${m.destination}): only root may mount a "${m.type}" filesystem; use a bind mount of something you can read`);
    }
    if (m.type !== 'proc' && underProc(dest)) {
      deny('peer-proc-mount', [...path, 'destination'], `mounts[${m.index}]: only root may mount over ${dest}, which is in /proc`);
    } else if (plan.rootfs && m.type !== 'proc' && underProc(resolveInRootfs(host, plan.rootfs, dest))) {
      deny(
        'peer-proc-mount',
        [...path, 'destination'],
        `mounts[${m.index}]: ${dest} leads through a symlink in the rootfs to ${resolveInRootfs(host, plan.rootfs, dest)}, in /proc; only root may mount there`,
      );
    }
  }
  return { denials, mustRead };
}

type Deny = (code: string, path: JsonPath, message: string) => void;

function checkUser(peer: Peer, spec: unknown, deny: Deny): void {
  const user = asObject(get(spec, 'process', 'user'));
  const uid = user?.uid ?? 0;
  const gid = user?.gid ?? 0;
  const own = new Set([peer.gid, ...peer.groups]);
  if (uid !== peer.uid)
    deny('peer-process-user', ['process', 'user', 'uid'], `process.user.uid must be your own uid ${peer.uid}, not ${JSON.stringify(uid)}`);
  if (typeof gid !== 'number' || !own.has(gid))
    deny('peer-process-user', ['process', 'user', 'gid'], `process.user.gid must be your gid ${peer.gid} or one of your groups, not ${JSON.stringify(gid)}`);
  asArray(user?.additionalGids).forEach((g, i) => {
    if (typeof g !== 'number' || !own.has(g))
      deny('peer-process-user', ['process', 'user', 'additionalGids', i], `process.user.additionalGids: ${JSON.stringify(g)} is not one of your groups`);
  });
}

/** Namespace types the container gets new (joined ones are refused). */
function checkNamespaces(spec: unknown, deny: Deny): Set<string> {
  const types = new Set<string>();
  asArray(get(spec, 'linux', 'namespaces')).forEach((n, i) => {
    const o = asObject(n);
    const type = asString(o?.type) ?? '';
    if (o?.path !== undefined && o.path !== '')
      deny('peer-namespace-path', ['linux', 'namespaces', i, 'path'], `linux.namespaces[${i}]: only root may join an existing ${type} namespace`);
    else if (type === 'user') deny('peer-user-namespace', ['linux', 'namespaces', i], 'linux.namespaces: only root may ask for a user namespace here');
    else types.add(type);
  });
  return types;
}

function checkCapabilities(spec: unknown, namespaces: Set<string>, deny: Deny): void {
  const caps = asObject(get(spec, 'process', 'capabilities'));
  if (!caps) return;
  for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient']) {
    asArray(caps[set]).forEach((c, i) => {
      const name = String(c);
      const path = ['process', 'capabilities', set, i];
      if (!Object.prototype.hasOwnProperty.call(ROOTLESS_CAPS, name))
        deny('peer-capability', path, `process.capabilities.${set}: ${name} is more than your own account has; only root may grant it`);
      else if (ROOTLESS_CAPS[name] && !namespaces.has(ROOTLESS_CAPS[name]!))
        deny('peer-capability', path, `process.capabilities.${set}: ${name} needs the container's own ${ROOTLESS_CAPS[name]} namespace`);
    });
  }
}

function checkRlimits(spec: unknown, limits: PeerLimits | undefined, deny: Deny): void {
  asArray(get(spec, 'process', 'rlimits')).forEach((r, i) => {
    const o = asObject(r);
    const type = asString(o?.type) ?? '';
    const hard = typeof o?.hard === 'number' ? o.hard : undefined;
    const own = limits?.[type];
    if (hard === undefined) return;
    if (own === undefined)
      deny('peer-rlimit', ['process', 'rlimits', i], `process.rlimits: cannot compare ${type} with your own limit; only root may set it`);
    else if (hard > own)
      deny('peer-rlimit', ['process', 'rlimits', i, 'hard'], `process.rlimits: ${type} hard limit ${hard} is above your own (${own})`);
  });
}

function underProc(p: string): boolean {
  return p === '/proc' || p.startsWith('/proc/');
}

/**
 * Where a destination lands inside the rootfs when symlinks in it are followed the way the
 * runtime does (absolute links restart at the rootfs, `..` stops at its top). Only used to
 * judge a destination, never to mount.
 */
export function resolveInRootfs(host: HostView, rootfs: string, dest: string): string {
  const parts = dest.split('/').filter((s) => s !== '' && s !== '.');
  let resolved: string[] = [];
  for (let hops = 0; parts.length > 0 && hops < 255; ) {
    const part = parts.shift()!;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const here = '/' + [...resolved, part].join('/');
    const entry = host.lstat(posix.join(rootfs, here));
    if (entry?.type === 'symlink' && entry.linkTarget !== undefined) {
      hops++;
      const target = entry.linkTarget.split('/').filter((s) => s !== '' && s !== '.');
      if (entry.linkTarget.startsWith('/')) resolved = [];
      parts.unshift(...target);
      continue;
    }
    resolved.push(part);
  }
  return '/' + resolved.join('/');
}

/**
 * The plan a non-root peer gets: every mount nosuid and nodev. New mounts carry the flags;
 * a bind mount cannot (the kernel ignores them on MS_BIND), so it gets a recursive
 * mount_setattr right after it; remounts (which reset a bind's flags) carry them too.
 * The runtime's /dev tmpfs stays dev-capable for the default device nodes it creates
 * there: the peer gets no CAP_MKNOD and no linux.devices, so only those nodes exist.
 */
export function restrictPlan(peer: Peer, plan: Plan): Plan {
  if (isRoot(peer)) return plan;
  const operations: Operation[] = [];
  // Only the runtime's own /dev tmpfs may keep dev; a bind there (of any host directory)
  // must stay nodev through its remounts too.
  const devIsBind = plan.operations.some((o) => o.op === 'mount' && o.target === '/dev' && o.flags.includes('MS_BIND') && !o.flags.includes('MS_REMOUNT'));
  for (const op of plan.operations) {
    if (op.op !== 'mount' || op.purpose === 'mask' || op.purpose === 'propagation' || op.purpose === 'root-propagation') {
      operations.push(op);
      continue;
    }
    const isDev = op.target === '/dev' && !devIsBind && (op.fstype === 'tmpfs' || op.flags.includes('MS_REMOUNT'));
    const wanted: MountOp['flags'] = isDev ? ['MS_NOSUID'] : ['MS_NOSUID', 'MS_NODEV'];
    if (op.flags.includes('MS_BIND') && !op.flags.includes('MS_REMOUNT')) {
      operations.push(op);
      const setattr: SetattrOp = {
        op: 'setattr',
        target: op.target,
        targetScope: op.targetScope,
        attrSet: isDev ? ['MOUNT_ATTR_NOSUID'] : ['MOUNT_ATTR_NOSUID', 'MOUNT_ATTR_NODEV'],
        attrClr: [],
        recursive: true,
        origin: op.origin,
      };
      operations.push(setattr);
    } else {
      operations.push({ ...op, flags: [...op.flags, ...wanted.filter((f) => !op.flags.includes(f))] });
    }
  }
  return { ...plan, operations };
}

/** Parses /proc/PID/limits into hard limits by resource name. */
export function parseLimits(text: string): PeerLimits {
  const out: PeerLimits = {};
  const rows = text.split('\n');
  for (const [name, row] of Object.entries(RLIMIT_ROWS)) {
    const line = rows.find((l) => l.startsWith(row + ' '));
    if (!line) continue;
    const fields = line.slice(row.length).trim().split(/\s+/);
    const hard = fields[1];
    if (hard === 'unlimited') out[name] = Infinity;
    else if (hard !== undefined && /^[0-9]+$/.test(hard)) out[name] = Number(hard);
  }
  return out;
}
