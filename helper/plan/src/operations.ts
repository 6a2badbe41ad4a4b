// The ordered steps a runtime performs, in runc's phases (rootfs_linux.go and
// standard_init_linux.go):
//   prepare root (cgroup, root propagation, the rootfs's parent private, the rootfs bound
//   onto itself) → mounts (mount point, mount(2), propagation, the remount a bind needs for
//   its flags, mount_setattr) → devices (nodes, /dev/ptmx, the /dev symlinks) → pivot_root
//   → finalize (read-only /dev and root, hostname, sysctls, readonlyPaths, maskedPaths);
//   the hooks where runc runs them (hooksPlan.ts).
import * as posix from 'node:path/posix';
import { bindRemount, remountFlags } from './bindRemount';
import { cgroupLayout, planCgroupMount, type CgroupLayout } from './cgroupMount';
import { MOUNT_OPTIONS } from './flags';
import { statFollow } from './hostLookup';
import { planCgroups } from './cgroupPlan';
import { planProcessAttrs } from './processAttrPlan';
import { planExecLabels, withMountLabel } from './execLabelPlan';
import { planCreateHooks, planProcessHooks } from './hooksPlan';
import { planSeccomp } from './seccompPlan';
import { mountIdmap } from './idmapPlan';
import { planOomScoreAdj, planSysctls } from './sysctlPlan';
import { asArray, asBoolean, asObject, asString, get } from './json';
import {
  bindRemountOp,
  consoleOp,
  copyUpOp,
  maskOp,
  mkdirOp,
  mkfileOp,
  mknodOp,
  mountOp,
  nameOp,
  pivotRootOp,
  chrootOp,
  propagationOp,
  readonlyPathOps,
  rootfsBindOp,
  rootfsParentPrivateOp,
  setattrOp,
  symlinkOp,
  writeNetworkFileOp,
} from './operationConstructors';
import { cleanDestination, joinInRoot } from './paths';
import { isRootRequester, requesterLockOperations } from './requester';
import { devIsBound, networkFileOf } from './runtimeDefaults';
import type {
  CgroupOp,
  HostView,
  JsonPath,
  MsFlag,
  MountIdmap,
  NormalizedMount,
  Operation,
  Origin,
  Requester,
} from './types';

export interface OperationsInput {
  /** The parsed spec (any shape). */
  spec: unknown;
  /** Every mount in the order it is applied, the runtime's additions included. */
  mounts: readonly NormalizedMount[];
  rootfs?: string;
  host: HostView;
  /** The origin of a spec entry, with its source range. */
  specOrigin(path: JsonPath): Origin;
  /** The container id, for its default cgroup path (the editor plans without one). */
  containerId?: string;
  /** Who the plan is for; root when absent. */
  requester?: Requester;
  /** The bundle directory: a relative linux.seccomp.listenerPath resolves here (runc runs in it). */
  bundleDir?: string;
}

const DIR_MODE = 0o755;
// runc creates file mount points with the same mode as directories.
const FILE_MODE = 0o755;

// In runc's order (specconv's AllowedDevices): in a user namespace they are binds, and the
// mount table shows the order.
const DEFAULT_DEVICES = [
  { path: '/dev/null', major: 1, minor: 3 },
  { path: '/dev/random', major: 1, minor: 8 },
  { path: '/dev/full', major: 1, minor: 7 },
  { path: '/dev/tty', major: 5, minor: 0 },
  { path: '/dev/zero', major: 1, minor: 5 },
  { path: '/dev/urandom', major: 1, minor: 9 },
];

const DEV_SYMLINKS: [string, string][] = [
  ['/proc/self/fd', '/dev/fd'],
  ['/proc/self/fd/0', '/dev/stdin'],
  ['/proc/self/fd/1', '/dev/stdout'],
  ['/proc/self/fd/2', '/dev/stderr'],
];

// maskedPaths that are directories in procfs and sysfs, which the rootfs cannot tell us.
const KNOWN_MASKED_DIRS = new Set([
  '/proc/acpi',
  '/proc/asound',
  '/proc/bus',
  '/proc/driver',
  '/proc/fs',
  '/proc/irq',
  '/proc/scsi',
  '/proc/sys',
  '/sys/firmware',
  '/sys/devices/virtual/powercap',
  '/sys/fs/selinux',
]);

/** What every phase reads: the input, and what the first phase learns about the spec. */
interface Phase {
  input: OperationsInput;
  ops: Operation[];
  forRoot: boolean;
  namespaces: Set<string>;
  cgroup: CgroupOp | undefined;
  /** Read-only remounts that wait until everything below them is mounted (runc's finalizeRootfs). */
  deferredReadonly: { target: string; flags: MsFlag[]; origin: Origin }[];
}

export function planOperations(input: OperationsInput): Operation[] {
  const phase: Phase = {
    input,
    ops: [],
    forRoot: isRootRequester(input.requester),
    namespaces: new Set(
      asArray(get(input.spec, 'linux', 'namespaces'))
        .map((n) => asString(asObject(n)?.type))
        .filter((t): t is string => !!t),
    ),
    cgroup: undefined,
    deferredReadonly: [],
  };
  prepareRoot(phase);
  planMounts(phase);
  planDevicesPhase(phase);
  planPivot(phase);
  finalize(phase);
  return phase.ops;
}

/** No mount namespace in the spec: the init mounts in the host's (launchSpec's hostMount). */
function hostMount(p: Phase): boolean {
  return !p.namespaces.has('mount');
}

/** runc's prepareRoot, with the cgroup and oom_score_adj the launcher sets first. */
function prepareRoot(p: Phase): void {
  const { spec, rootfs, host, specOrigin } = p.input;
  // The container's cgroup (made by the launcher, before the init unshares anything).
  p.cgroup = planCgroups(spec, host, p.input.containerId, specOrigin);
  if (p.cgroup) p.ops.push(p.cgroup);
  const oom = planOomScoreAdj(spec, specOrigin);
  if (oom) p.ops.push(oom);

  // Host-mount mode (no mount namespace, runc 1.1): the mounts are made in the host's
  // namespace, whose propagation is the host's to choose, so no propagation change and no
  // private parent; the rootfs bind stays, and removing the container detaches it with
  // everything mounted under it.
  if (hostMount(p)) {
    if (rootfs)
      p.ops.push(
        rootfsBindOp(rootfs, specOrigin(['root', 'path']), p.forRoot ? undefined : 'requester'),
      );
    return;
  }

  // The container's view of the host's mounts stops propagating back to the host.
  const rp = asString(get(spec, 'linux', 'rootfsPropagation'));
  const rpInfo =
    rp !== undefined && Object.prototype.hasOwnProperty.call(MOUNT_OPTIONS, rp)
      ? MOUNT_OPTIONS[rp]
      : undefined;
  p.ops.push(
    propagationOp(
      '/',
      rpInfo?.kind === 'propagation' ? (rpInfo.flags as MsFlag[]) : ['MS_REC', 'MS_PRIVATE'],
      rpInfo?.kind === 'propagation'
        ? specOrigin(['linux', 'rootfsPropagation'])
        : {
            kind: 'added',
            reason:
              'the whole mount tree of the new namespace is made private first, so nothing mounted for the container reaches the host (runc uses rslave here); set linux.rootfsPropagation to choose',
          },
      'host',
    ),
  );

  // The rootfs becomes a mount of its own, which pivot_root needs; the mount it sits on
  // must not be shared.
  if (rootfs) {
    p.ops.push(
      rootfsParentPrivateOp(rootfs, {
        kind: 'added',
        reason:
          'runc makes the mount holding the rootfs private when it is shared, so that the container’s mounts do not reach the host and pivot_root accepts it',
      }),
    );
    p.ops.push(
      rootfsBindOp(rootfs, specOrigin(['root', 'path']), p.forRoot ? undefined : 'requester'),
    );
  }
}

/** Every mount, in order (runc's mountToRootfs). */
function planMounts(p: Phase): void {
  const { mounts, host, rootfs } = p.input;
  const mountLabel = asString(get(p.input.spec, 'linux', 'mountLabel'));
  let layout: CgroupLayout | undefined;
  for (const m of mounts) {
    if (m.destination === '') continue;
    if (!m.bind && m.type === 'cgroup') {
      layout ??= cgroupLayout(host);
      const cgroupOps = planCgroupMount(
        m,
        layout,
        p.namespaces.has('cgroup'),
        p.cgroup?.hierarchies,
        mountLabel,
      );
      if (cgroupOps) {
        p.ops.push(...cgroupOps);
        continue;
      }
    }
    planMount(m, p.ops, host, p.deferredReadonly, p.forRoot, rootfs, mountIdmap(m, p.input.spec), mountLabel);
  }
}

/** A /dev the runtime owns gets device nodes and the usual links (runc: needsSetupDev). */
function planDevicesPhase(p: Phase): void {
  const { spec, mounts, specOrigin } = p.input;
  if (devIsBound(mounts.filter((m) => m.index !== null))) return;
  planDevices(spec, p.namespaces.has('user'), p.ops, specOrigin);
  p.ops.push(
    symlinkOp('pts/ptmx', '/dev/ptmx', {
      kind: 'added',
      reason:
        'runtimes point /dev/ptmx at the container’s own devpts instance so terminals opened inside stay inside',
    }),
  );
  for (const [linkTarget, path] of DEV_SYMLINKS) {
    p.ops.push(
      symlinkOp(linkTarget, path, {
        kind: 'added',
        reason: `runtimes create ${path} → ${linkTarget} in every container, as programs expect it`,
      }),
    );
  }
}

/**
 * The prestart, createRuntime (the runtime, on the host) and createContainer (the init) hooks,
 * with every mount in place and the old root still reachable (runc's procHooks); then into the
 * rootfs, where a missing cwd is made (root-owned, 0755, as runc).
 */
function planPivot(p: Phase): void {
  const { spec, rootfs, specOrigin } = p.input;
  p.ops.push(...planCreateHooks(spec, specOrigin));
  if (rootfs)
    p.ops.push(
      hostMount(p)
        ? chrootOp(rootfs, specOrigin(['root', 'path']))
        : pivotRootOp(rootfs, specOrigin(['root', 'path'])),
    );
  const cwd = asString(get(spec, 'process', 'cwd'));
  if (cwd?.startsWith('/') && cleanDestination(cwd) !== '/')
    p.ops.push(mkdirOp(cleanDestination(cwd), DIR_MODE, specOrigin(['process', 'cwd'])));
}

/**
 * runc's finalizeRootfs and what follows it: the read-only remounts that waited, the
 * read-only root, names, kernel parameters, readonlyPaths, a non-root requester's lock,
 * maskedPaths, and the seccomp filter.
 */
function finalize(p: Phase): void {
  const { spec, rootfs, host, mounts, specOrigin } = p.input;
  const { ops } = p;
  // The terminal, after pivot_root and before the read-only steps (runc's setupConsole runs
  // between prepareRootfs and finalizeRootfs).
  const console = planConsole(spec, rootfs, specOrigin);
  if (console) ops.push(console);
  // A bind remount: the mount turns read-only, its superblock stays writable.
  for (const d of p.deferredReadonly)
    ops.push(bindRemountOp(d.target, remountFlags(d.flags), d.origin, 'container'));
  if (asBoolean(get(spec, 'root', 'readonly')))
    ops.push(
      mountOp(
        { target: '/', targetScope: 'container', flags: ['MS_RDONLY', 'MS_REMOUNT', 'MS_BIND'] },
        specOrigin(['root', 'readonly']),
      ),
    );

  const hostname = asString(get(spec, 'hostname'));
  if (hostname) ops.push(nameOp('sethostname', hostname, specOrigin(['hostname'])));
  const domainname = asString(get(spec, 'domainname'));
  if (domainname) ops.push(nameOp('setdomainname', domainname, specOrigin(['domainname'])));

  // Kernel parameters, while /proc/sys is still writable; then readonlyPaths, then
  // maskedPaths (runc's order), in the container's view.
  ops.push(...planSysctls(spec, specOrigin));
  asArray(get(spec, 'linux', 'readonlyPaths')).forEach((path, i) => {
    if (typeof path !== 'string' || path === '') return;
    ops.push(...readonlyPathOps(cleanDestination(path), specOrigin(['linux', 'readonlyPaths', i])));
  });
  // A non-root requester's tree is sealed nosuid,nodev before the masks (which add only
  // /dev/null binds and empty read-only nosuid,nodev tmpfs).
  if (!p.forRoot) ops.push(...requesterLockOperations(mounts));

  const maskFlags: MsFlag[] = p.forRoot ? ['MS_RDONLY'] : ['MS_RDONLY', 'MS_NOSUID', 'MS_NODEV'];
  asArray(get(spec, 'linux', 'maskedPaths')).forEach((path, i) => {
    if (typeof path !== 'string' || path === '') return;
    const target = cleanDestination(path);
    const cover = isMaskedDir(target, rootfs, host) ? 'tmpfs' : 'dev-null';
    ops.push(maskOp(target, cover, maskFlags, specOrigin(['linux', 'maskedPaths', i])));
  });

  // The process's scheduler, I/O priority and personality, its exec labels, then the seccomp
  // filter: shown last, made by the process set-up (ProcessAttrOperation, ExecLabelOperation,
  // SeccompOp).
  ops.push(...planProcessAttrs(spec, specOrigin));
  ops.push(...planExecLabels(spec, specOrigin));
  const seccomp = planSeccomp(
    spec,
    specOrigin,
    asBoolean(get(spec, 'process', 'noNewPrivileges')) === true,
    p.input.bundleDir,
  );
  if (seccomp) ops.push(seccomp);
  // startContainer (the init, right before execve), poststart and poststop (the runtime).
  ops.push(...planProcessHooks(spec, specOrigin));
}

/**
 * A masked file gets /dev/null bound over it, a masked directory a read-only empty tmpfs.
 * runc tries the bind and falls back on ENOTDIR; the plan guesses from the rootfs (or the
 * known procfs/sysfs directories) and the helper falls back the same way when it guessed wrong.
 */
function isMaskedDir(target: string, rootfs: string | undefined, host: HostView): boolean {
  if (KNOWN_MASKED_DIRS.has(target)) return true;
  if (target.startsWith('/proc/') || target.startsWith('/sys/') || !rootfs) return false;
  return statFollow(host, joinInRoot(rootfs, target))?.type === 'directory';
}

function planMount(
  m: NormalizedMount,
  ops: Operation[],
  host: HostView,
  deferredReadonly: { target: string; flags: MsFlag[]; origin: Origin }[],
  forRoot: boolean,
  rootfs: string | undefined,
  idmap: MountIdmap | undefined,
  mountLabel: string | undefined,
): void {
  const target = m.destination;
  const origin = m.origin;
  const netFile = networkFileOf(m);
  if (netFile && m.hostSource) ops.push(writeNetworkFileOp(netFile, m.hostSource, origin));

  if (m.bind) {
    // A bind of anything but a directory lands on a file (runc's createIfNotExists).
    const src = netFile ? null : m.hostSource ? statFollow(host, m.hostSource) : null;
    const onFile = netFile !== undefined || (src !== null && src.type !== 'directory');
    ops.push(onFile ? mkfileOp(target, FILE_MODE, origin) : mkdirOp(target, DIR_MODE, origin));
    ops.push(
      mountOp(
        {
          source: m.hostSource ?? m.source,
          target,
          // The kernel ignores every other flag on a new bind mount; they take the remount below.
          flags: m.recursive ? ['MS_BIND', 'MS_REC'] : ['MS_BIND'],
        },
        origin,
        {
          // The network files are the runtime's own, in its state directory.
          ...(forRoot || netFile ? {} : { sourceAccess: 'requester' as const }),
          ...(idmap ? { idmap } : {}),
        },
      ),
    );
    pushPropagation(m, ops);
    // MS_REC means nothing to a remount: rbind,ro leaves the submounts writable (use rro).
    const remount = bindRemount(m, target, origin);
    if (remount) ops.push(remount);
    // A non-root requester's mounts stay nosuid,nodev (requester.ts): rsuid and rdev are ignored.
    const attrClr = forRoot ? m.attrClr : m.attrClr.filter((a) => a !== 'MOUNT_ATTR_NOSUID' && a !== 'MOUNT_ATTR_NODEV');
    if (m.attrSet.length > 0 || attrClr.length > 0)
      ops.push(setattrOp(target, { set: m.attrSet, clear: attrClr, recursive: true }, origin));
    return;
  }

  ops.push(mkdirOp(target, DIR_MODE, origin));
  const readonly = m.flagsSet.includes('MS_RDONLY');
  // runc mounts a tmpfs and /dev writable and makes them read-only afterwards, so the
  // runtime can still fill them (copy-up, device nodes).
  const delayReadonly = readonly && (m.type === 'tmpfs' || target === '/dev');
  // A tmpfs without mode= over a directory the rootfs has keeps that directory's mode
  // (runc: 1.1.5 by a chmod afterwards, later runc by putting mode= first).
  const keepTargetMode =
    m.type === 'tmpfs' &&
    !m.data.some((d) => d.startsWith('mode=')) &&
    rootfs !== undefined &&
    statFollow(host, joinInRoot(rootfs, target))?.type === 'directory';
  ops.push(
    mountOp(
      {
        source: m.source,
        target,
        fstype: m.type === '' ? null : m.type,
        flags: delayReadonly ? m.flagsSet.filter((f) => f !== 'MS_RDONLY') : m.flagsSet,
        data: withMountLabel(m.type, m.data, mountLabel).join(','),
      },
      origin,
      keepTargetMode ? { keepTargetMode: true } : {},
    ),
  );
  if (m.tmpcopyup && m.type === 'tmpfs') ops.push(copyUpOp(target, origin));
  pushPropagation(m, ops);
  if (delayReadonly) deferredReadonly.push({ target, flags: m.flagsSet, origin });
}

function pushPropagation(m: NormalizedMount, ops: Operation[]): void {
  for (const flags of m.propagation) ops.push(propagationOp(m.destination, flags, m.origin));
}

function planDevices(
  spec: unknown,
  userns: boolean,
  ops: Operation[],
  specOrigin: (p: JsonPath) => Origin,
): void {
  const seen = new Set<string>();
  const devices: {
    path: string;
    type: 'c' | 'b' | 'p' | 'u';
    major: number;
    minor: number;
    fileMode: number;
    uid: number;
    gid: number;
    origin: Origin;
  }[] = [];
  asArray(get(spec, 'linux', 'devices')).forEach((d, i) => {
    const o = asObject(d);
    const path = asString(o?.path);
    const type = asString(o?.type);
    if (
      !o ||
      !path ||
      !path.startsWith('/') ||
      (type !== 'c' && type !== 'b' && type !== 'p' && type !== 'u')
    )
      return;
    const num = (v: unknown, dflt: number) =>
      typeof v === 'number' && Number.isInteger(v) && v >= 0 ? v : dflt;
    const clean = cleanDestination(path);
    seen.add(clean);
    devices.push({
      path: clean,
      type,
      major: num(o.major, 0),
      minor: num(o.minor, 0),
      fileMode: num(o.fileMode, 0o666) & 0o7777,
      uid: num(o.uid, 0),
      gid: num(o.gid, 0),
      origin: specOrigin(['linux', 'devices', i]),
    });
  });
  for (const d of DEFAULT_DEVICES) {
    if (seen.has(d.path)) continue;
    devices.push({
      ...d,
      type: 'c',
      fileMode: 0o666,
      uid: 0,
      gid: 0,
      origin: {
        kind: 'added',
        reason: `every container gets ${d.path} (runc's default devices); list it in linux.devices to change its mode or owner`,
      },
    });
  }
  for (const d of devices) {
    // runc makes the directories a device goes into (/dev/custom/null2), mode 0755.
    const dir = posix.dirname(d.path);
    if (dir !== '/dev' && dir !== '/') ops.push(mkdirOp(dir, DIR_MODE, d.origin));
    if (userns) {
      // mknod is refused in a user namespace: bind the host's node onto an empty file (runc).
      ops.push(mkfileOp(d.path, FILE_MODE, d.origin));
      ops.push(mountOp({ source: d.path, target: d.path, flags: ['MS_BIND'] }, d.origin));
    } else {
      const { path, type: deviceType, major, minor, fileMode, uid, gid } = d;
      ops.push(mknodOp({ path, deviceType, major, minor, fileMode, uid, gid }, d.origin));
    }
  }
}

/** A window dimension the kernel can hold (struct winsize has 16-bit fields). */
/** process.terminal: a pty through the container's /dev/ptmx, sized by process.consoleSize. */
function planConsole(
  spec: unknown,
  rootfs: string | undefined,
  specOrigin: OperationsInput['specOrigin'],
): Operation | undefined {
  if (!rootfs || get(spec, 'process', 'terminal') !== true) return undefined;
  const rows = get(spec, 'process', 'consoleSize', 'height');
  const cols = get(spec, 'process', 'consoleSize', 'width');
  const sized = isSize(rows) && isSize(cols) && rows > 0 && cols > 0;
  return consoleOp(sized ? { rows, cols } : undefined, specOrigin(['process', 'terminal']));
}

function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff;
}
