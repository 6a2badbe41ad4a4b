// What a non-root requester may not ask for (see ../requester.ts for what its plan does).
//
// Each finding is a warning that blocks the launch with a code starting `peer-`: the spec
// is fine for runc run by root, but the helper will not run it for this requester. The
// host is seen as the requester sees it (the daemon plans with its credentials), so
// nothing here can tell the requester about a path it could not look at itself.
import * as posix from 'node:path/posix';
import { statFollow } from '../hostLookup';
import { asArray, asObject, asString, get } from '../json';
import { isAtOrBelow } from '../paths';
import { needsPrivilege, planProcessAttrs } from '../processAttrPlan';
import { allowedCapabilities, isRootRequester } from '../requester';
import type { RuleContext } from '../rule';
import { namespaceEntries } from './mountView';
import type { HostView, JsonPath, Requester } from '../types';

/** Filesystems a non-root requester may mount: pseudo filesystems that expose no host storage. */
const REQUESTER_FSTYPES = new Set(['tmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2']);

/** Options a non-root requester's mounts ignore: every mount is nosuid and nodev (requester.ts). */
const IGNORED_OPTIONS = new Set(['suid', 'dev', 'rsuid', 'rdev']);

/** Spec keys only root may set, with why. */
const ROOT_ONLY_KEYS: [JsonPath, string, string][] = [
  [['linux', 'devices'], 'peer-devices', 'linux.devices: only root may create device nodes'],
  [['hooks'], 'peer-hooks', 'hooks run on the host as root; only root may set them'],
  [['linux', 'sysctl'], 'peer-sysctl', 'linux.sysctl: only root may set kernel parameters'],
  [['process', 'apparmorProfile'], 'peer-security-label', 'process.apparmorProfile: only root may choose a security profile'],
  [['process', 'selinuxLabel'], 'peer-security-label', 'process.selinuxLabel: only root may choose a security label'],
  [['linux', 'mountLabel'], 'peer-security-label', 'linux.mountLabel: only root may choose a security label'],
  [['linux', 'uidMappings'], 'peer-user-namespace', 'linux.uidMappings: only root may map ids'],
  [['linux', 'gidMappings'], 'peer-user-namespace', 'linux.gidMappings: only root may map ids'],
  [['linux', 'resources'], 'peer-cgroup', 'linux.resources: only root may set cgroup limits (the helper delegates no cgroup to users)'],
  [['linux', 'cgroupsPath'], 'peer-cgroup', 'linux.cgroupsPath: only root may place the container in a cgroup'],
];

export function requesterPolicyRule(ctx: RuleContext): void {
  const requester = ctx.requester;
  if (isRootRequester(requester)) return;
  const { doc, spec } = ctx;
  const who = `uid ${requester.uid} is not root`;
  const deny = (code: string, path: JsonPath, message: string) =>
    ctx.report({ code, severity: 'warning', blocksLaunch: true, message: `${message} (${who})`, range: doc.rangeNear(path), path });
  const note = (code: string, path: JsonPath, message: string) =>
    ctx.report({ code, severity: 'warning', message: `${message} (${who})`, range: doc.rangeNear(path), path });

  checkUser(requester, spec, deny);
  const namespaces = newNamespaces(spec, deny);
  // Without a mount namespace the container's mounts are made in the host's (runc 1.1 does
  // so): only root may mount on the host, even under a rootfs it owns.
  if (!namespaceEntries(ctx).some((n) => n.type === 'mount'))
    deny(
      'peer-host-mount-namespace',
      asObject(spec)?.linux !== undefined ? ['linux', 'namespaces'] : [],
      "linux.namespaces has no mount namespace: the container's mounts would be made on the host; add {\"type\": \"mount\"}",
    );
  checkCapabilities(spec, namespaces, note);
  checkRlimits(requester, spec, deny);
  for (const [path, code, message] of ROOT_ONLY_KEYS) {
    const v = get(spec, ...path);
    if (v !== undefined && v !== null && !(Array.isArray(v) && v.length === 0) && !(asObject(v) && Object.keys(v as object).length === 0))
      deny(code, path, message);
  }
  // The set-up makes these calls as root: only what the requester's account could do itself.
  for (const op of planProcessAttrs(spec, () => ({ kind: 'added', reason: '' }))) {
    const why = needsPrivilege(op);
    const path: JsonPath = op.op === 'scheduler' ? ['process', 'scheduler'] : op.op === 'ioprio' ? ['process', 'ioPriority'] : ['linux', 'personality'];
    if (why) deny(op.op === 'scheduler' ? 'peer-scheduler' : 'peer-io-priority', path, `${path.join('.')}: ${why}`);
  }
  const oom = get(spec, 'process', 'oomScoreAdj');
  if (typeof oom === 'number' && oom < 0) deny('peer-oom-score', ['process', 'oomScoreAdj'], 'process.oomScoreAdj below 0 needs root');
  const rp = asString(get(spec, 'linux', 'rootfsPropagation'));
  if (rp === 'shared' || rp === 'rshared')
    deny('peer-propagation', ['linux', 'rootfsPropagation'], `linux.rootfsPropagation "${rp}" would let the container's mounts reach the host`);
  const nnp = get(spec, 'process', 'noNewPrivileges');
  if (spec?.process !== undefined && nnp !== true)
    note('peer-no-new-privileges', ['process'], 'process.noNewPrivileges is set to true for you: a setuid file in the container cannot raise privileges');

  // Every container has /proc (the spec's or the runtime's); a procfs of the host's PID
  // namespace would not carry the host's hidepid=.
  if (!namespaces.has('pid'))
    deny('peer-proc-without-pidns', ['linux', 'namespaces'], `/proc needs the container's own PID namespace (add {"type": "pid"} to linux.namespaces)`);

  if (ctx.rootfs && statFollow(ctx.host, ctx.rootfs)?.type !== 'directory')
    deny('peer-rootfs-access', ['root', 'path'], `root.path ${ctx.rootfs} is not a directory you can reach`);

  for (const m of ctx.specMounts) {
    const path: JsonPath = ['mounts', m.index ?? 0];
    const name = `mounts[${m.index}] (${m.destination})`;
    const dest = posix.normalize(m.destination || '/');
    if (m.bind) {
      if (m.hostSource) {
        const why = unreadable(ctx.host, m.hostSource);
        if (why) deny('peer-bind-source', [...path, 'source'], `${name}: bind source ${m.hostSource} ${why}; you may only bind what you can read yourself`);
      }
    } else if (!REQUESTER_FSTYPES.has(m.type)) {
      deny('peer-fstype', [...path, 'type'], `${name}: only root may mount a "${m.type}" filesystem; use a bind mount of something you can read`);
    }
    if (m.type === 'proc' && dest !== '/proc')
      deny('peer-proc-mount', [...path, 'destination'], `${name}: proc may only be mounted at /proc`);
    else if (m.type !== 'proc' && isAtOrBelow(dest, '/proc'))
      deny('peer-proc-mount', [...path, 'destination'], `${name}: only root may mount over ${dest}, which is in /proc`);
    else if (ctx.rootfs && m.type !== 'proc') {
      const landing = resolveInRootfs(ctx.host, ctx.rootfs, dest);
      if (isAtOrBelow(landing, '/proc'))
        deny('peer-proc-mount', [...path, 'destination'], `${name}: ${dest} leads through a symlink in the rootfs to ${landing}, in /proc; only root may mount there`);
    }
    asArray(asObject(ctx.spec?.mounts && asArray(ctx.spec.mounts)[m.index ?? 0])?.options).forEach((o, i) => {
      if (typeof o !== 'string') return;
      if (IGNORED_OPTIONS.has(o))
        note('peer-mount-option-ignored', [...path, 'options', i], `${name}: "${o}" is ignored: every mount of your container is nosuid and nodev`);
      else if (o === 'rrw')
        deny('peer-mount-option', [...path, 'options', i], `${name}: "rrw" could make a mount writable that is read-only for you on the host; drop it`);
      else if (o === 'idmap' || o === 'ridmap' || o.startsWith('idmap='))
        deny('peer-user-namespace', [...path, 'options', i], `${name}: "${o}" needs a user namespace; only root may map ids`);
    });
    // Per-mount mappings make an id-mapped mount without the option (runc 1.2): the helper
    // would apply them as root, so a requester could show itself files it does not own as its own.
    const raw = asObject(asArray(ctx.spec?.mounts)[m.index ?? 0]);
    for (const key of ['uidMappings', 'gidMappings'] as const)
      if (raw && asArray(raw[key]).length > 0)
        deny('peer-user-namespace', [...path, key], `${name}: ${key} make an id-mapped mount; only root may map ids`);
  }
}

type Report = (code: string, path: JsonPath, message: string) => void;

function checkUser(requester: Requester, spec: unknown, deny: Report): void {
  const user = asObject(get(spec, 'process', 'user'));
  if (!asObject(get(spec, 'process'))) return; // no process: the launch rules say so
  const uid = user?.uid ?? 0;
  const gid = user?.gid ?? 0;
  const own = new Set([requester.gid, ...requester.groups]);
  if (uid !== requester.uid)
    deny('peer-process-user', ['process', 'user', 'uid'], `process.user.uid must be your own uid ${requester.uid}, not ${JSON.stringify(uid)}`);
  if (typeof gid !== 'number' || !own.has(gid))
    deny('peer-process-user', ['process', 'user', 'gid'], `process.user.gid must be your gid ${requester.gid} or one of your groups, not ${JSON.stringify(gid)}`);
  asArray(user?.additionalGids).forEach((g, i) => {
    if (typeof g !== 'number' || !own.has(g))
      deny('peer-process-user', ['process', 'user', 'additionalGids', i], `process.user.additionalGids: ${JSON.stringify(g)} is not one of your groups`);
  });
}

/** Namespace types the container gets new; joining one and a user namespace are refused. */
function newNamespaces(spec: unknown, deny: Report): Set<string> {
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

/** Capabilities beyond runc's rootless set are dropped (launchForRequester); say which. */
function checkCapabilities(spec: unknown, namespaces: Set<string>, note: Report): void {
  const caps = asObject(get(spec, 'process', 'capabilities'));
  if (!caps) return;
  const allowed = allowedCapabilities(namespaces);
  for (const set of ['bounding', 'effective', 'permitted', 'inheritable', 'ambient']) {
    const dropped = asArray(caps[set]).filter((c) => typeof c === 'string' && !allowed.has(c)) as string[];
    if (dropped.length === 0) continue;
    note(
      'peer-capability',
      ['process', 'capabilities', set],
      `process.capabilities.${set}: ${dropped.join(', ')} dropped; your container gets at most ${[...allowed].join(', ') || 'none'} (runc's rootless set, with the namespaces that keep them local)`,
    );
  }
}

function checkRlimits(requester: Requester, spec: unknown, deny: Report): void {
  asArray(get(spec, 'process', 'rlimits')).forEach((r, i) => {
    const o = asObject(r);
    const type = asString(o?.type) ?? '';
    const hard = typeof o?.hard === 'number' ? o.hard : undefined;
    if (hard === undefined) return;
    const own = requester.hardLimits?.[type];
    if (own === undefined)
      deny('peer-rlimit', ['process', 'rlimits', i], `process.rlimits: cannot compare ${type} with your own limit; only root may set it`);
    else if (hard > own) deny('peer-rlimit', ['process', 'rlimits', i, 'hard'], `process.rlimits: ${type} hard limit ${hard} is above your own (${own})`);
  });
}

/** Why the requester could not read `path` itself, or undefined when it can. */
function unreadable(host: HostView, path: string): string | undefined {
  if (!host.readable) return undefined; // a host view that cannot tell: the runtime checks
  const r = host.readable(path);
  return r === true ? undefined : r;
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
    const entry = host.lstat(posix.join(rootfs, ...resolved, part));
    if (entry?.type === 'symlink' && entry.linkTarget !== undefined) {
      hops++;
      if (entry.linkTarget.startsWith('/')) resolved = [];
      parts.unshift(...entry.linkTarget.split('/').filter((s) => s !== '' && s !== '.'));
      continue;
    }
    resolved.push(part);
  }
  return '/' + resolved.join('/');
}
