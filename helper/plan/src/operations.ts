// The ordered steps a runtime performs, top-down as runc's rootfs_linux.go and
// standard_init_linux.go take them:
//   root propagation → rootfs bound onto itself → every mount in order (mount point,
//   mount(2), propagation, the remount a bind needs for its flags, mount_setattr) → device
//   nodes, /dev/ptmx and the /dev symlinks → pivot_root → read-only /dev and root →
//   hostname → readonlyPaths → maskedPaths.
import * as posix from 'node:path/posix';
import { bindRemount, remountFlags } from './bindRemount';
import { cgroupLayout, planCgroupMount, type CgroupLayout } from './cgroupMount';
import { MOUNT_OPTIONS } from './flags';
import { statFollow } from './hostLookup';
import { planCgroups } from './cgroupPlan';
import { planSeccomp } from './seccompPlan';
import { planOomScoreAdj, planSysctls } from './sysctlPlan';
import { asArray, asBoolean, asObject, asString, get } from './json';
import { cleanDestination, joinInRoot } from './paths';
import { isRootRequester, requesterLockOperations } from './requester';
import { devIsBound, networkFileOf } from './runtimeDefaults';
import type { HostView, JsonPath, MsFlag, NormalizedMount, Operation, Origin, Requester } from './types';

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
}

const DIR_MODE = 0o755;
// runc creates file mount points with the same mode as directories.
const FILE_MODE = 0o755;

const DEFAULT_DEVICES = [
  { path: '/dev/null', major: 1, minor: 3 },
  { path: '/dev/zero', major: 1, minor: 5 },
  { path: '/dev/full', major: 1, minor: 7 },
  { path: '/dev/random', major: 1, minor: 8 },
  { path: '/dev/urandom', major: 1, minor: 9 },
  { path: '/dev/tty', major: 5, minor: 0 },
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

export function planOperations(input: OperationsInput): Operation[] {
  const { spec, mounts, rootfs, host, specOrigin } = input;
  const forRoot = isRootRequester(input.requester);
  // A non-root requester's own paths are opened with its credentials (see requester.ts).
  const requesterAccess = forRoot ? {} : { sourceAccess: 'requester' as const };
  const ops: Operation[] = [];
  // 0. The container's cgroup (made by the launcher, before the init unshares anything).
  const cgroup = planCgroups(spec, host, input.containerId, specOrigin);
  if (cgroup) ops.push(cgroup);
  const oom = planOomScoreAdj(spec, specOrigin);
  if (oom) ops.push(oom);
  const namespaces = new Set(
    asArray(get(spec, 'linux', 'namespaces'))
      .map((n) => asString(asObject(n)?.type))
      .filter((t): t is string => !!t),
  );
  const userns = namespaces.has('user');

  // 1. The container's view of the host's mounts stops propagating back to the host.
  const rp = asString(get(spec, 'linux', 'rootfsPropagation'));
  const rpInfo =
    rp !== undefined && Object.prototype.hasOwnProperty.call(MOUNT_OPTIONS, rp)
      ? MOUNT_OPTIONS[rp]
      : undefined;
  ops.push({
    op: 'mount',
    source: null,
    target: '/',
    targetScope: 'host',
    fstype: null,
    flags: rpInfo?.kind === 'propagation' ? (rpInfo.flags as MsFlag[]) : ['MS_REC', 'MS_PRIVATE'],
    data: '',
    purpose: 'root-propagation',
    origin:
      rpInfo?.kind === 'propagation'
        ? specOrigin(['linux', 'rootfsPropagation'])
        : {
            kind: 'added',
            reason:
              'the whole mount tree of the new namespace is made private first, so nothing mounted for the container reaches the host (runc uses rslave here); set linux.rootfsPropagation to choose',
          },
  });

  // 2. The rootfs becomes a mount of its own, which pivot_root needs.
  if (rootfs) {
    ops.push({
      op: 'mount',
      source: rootfs,
      target: rootfs,
      targetScope: 'host',
      fstype: null,
      flags: ['MS_BIND', 'MS_REC'],
      data: '',
      purpose: 'rootfs-bind',
      origin: specOrigin(['root', 'path']),
      ...requesterAccess,
    });
  }

  // 3. Every mount, in order.
  const deferredReadonly: { target: string; flags: MsFlag[]; origin: Origin }[] = [];
  let layout: CgroupLayout | undefined;
  for (const m of mounts) {
    if (m.destination === '') continue;
    if (!m.bind && m.type === 'cgroup') {
      layout ??= cgroupLayout(host);
      const cgroupOps = planCgroupMount(m, layout, namespaces.has('cgroup'), cgroup?.hierarchies);
      if (cgroupOps) {
        ops.push(...cgroupOps);
        continue;
      }
    }
    planMount(m, ops, host, deferredReadonly, forRoot, rootfs);
  }

  // 4. A /dev the runtime owns gets device nodes and the usual links (runc: needsSetupDev).
  if (!devIsBound(mounts.filter((m) => m.index !== null))) {
    planDevices(spec, userns, ops, specOrigin);
    ops.push({
      op: 'symlink',
      linkTarget: 'pts/ptmx',
      path: '/dev/ptmx',
      origin: {
        kind: 'added',
        reason:
          'runtimes point /dev/ptmx at the container’s own devpts instance so terminals opened inside stay inside',
      },
    });
    for (const [linkTarget, path] of DEV_SYMLINKS) {
      ops.push({
        op: 'symlink',
        linkTarget,
        path,
        origin: {
          kind: 'added',
          reason: `runtimes create ${path} → ${linkTarget} in every container, as programs expect it`,
        },
      });
    }
  }

  // 5. Into the rootfs, where a missing cwd is made (root-owned, 0755, as runc).
  if (rootfs) ops.push({ op: 'pivot-root', rootfs, origin: specOrigin(['root', 'path']) });
  const cwd = asString(get(spec, 'process', 'cwd'));
  if (cwd?.startsWith('/') && cleanDestination(cwd) !== '/')
    ops.push({
      op: 'mkdir',
      path: cleanDestination(cwd),
      mode: DIR_MODE,
      origin: specOrigin(['process', 'cwd']),
    });

  // 5b. The terminal, after the mounts and before the read-only steps (runc's setupConsole
  // runs between prepareRootfs and finalizeRootfs).
  if (rootfs && get(spec, 'process', 'terminal') === true) {
    const rows = get(spec, 'process', 'consoleSize', 'height');
    const cols = get(spec, 'process', 'consoleSize', 'width');
    const sized = isSize(rows) && isSize(cols) && rows > 0 && cols > 0;
    ops.push({
      op: 'console',
      ptmx: '/dev/ptmx',
      path: '/dev/console',
      ...(sized ? { size: { rows, cols } } : {}),
      origin: specOrigin(['process', 'terminal']),
    });
  }

  // 6. Read-only steps that had to wait until the mounts below were done. A bind remount,
  // as runc's finalizeRootfs: the mount turns read-only, its superblock stays writable.
  for (const d of deferredReadonly) {
    ops.push({
      op: 'mount',
      source: null,
      target: d.target,
      targetScope: 'container',
      fstype: null,
      flags: ['MS_REMOUNT', 'MS_BIND', ...remountFlags(d.flags)],
      data: '',
      purpose: 'remount',
      origin: d.origin,
    });
  }
  if (asBoolean(get(spec, 'root', 'readonly'))) {
    ops.push({
      op: 'mount',
      source: null,
      target: '/',
      targetScope: 'container',
      fstype: null,
      flags: ['MS_RDONLY', 'MS_REMOUNT', 'MS_BIND'],
      data: '',
      purpose: 'readonly-root',
      origin: specOrigin(['root', 'readonly']),
    });
  }

  // 7. Names.
  const hostname = asString(get(spec, 'hostname'));
  if (hostname) ops.push({ op: 'sethostname', name: hostname, origin: specOrigin(['hostname']) });
  const domainname = asString(get(spec, 'domainname'));
  if (domainname)
    ops.push({ op: 'setdomainname', name: domainname, origin: specOrigin(['domainname']) });

  // 8. Kernel parameters, while /proc/sys is still writable; then readonlyPaths, then (10.)
  // maskedPaths (runc's order), in the container's view.
  ops.push(...planSysctls(spec, specOrigin));
  asArray(get(spec, 'linux', 'readonlyPaths')).forEach((p, i) => {
    if (typeof p !== 'string' || p === '') return;
    const target = cleanDestination(p);
    const origin = specOrigin(['linux', 'readonlyPaths', i]);
    ops.push({
      op: 'mount',
      source: target,
      target,
      targetScope: 'container',
      fstype: null,
      flags: ['MS_BIND', 'MS_REC'],
      data: '',
      purpose: 'readonly-path',
      origin,
    });
    ops.push({
      op: 'mount',
      source: target,
      target,
      targetScope: 'container',
      fstype: null,
      flags: ['MS_RDONLY', 'MS_REMOUNT', 'MS_BIND'],
      data: '',
      purpose: 'readonly-path',
      origin,
    });
  });
  // 9. A non-root requester's tree is sealed nosuid,nodev before the masks (which add only
  // /dev/null binds and empty read-only tmpfs).
  if (!forRoot) ops.push(...requesterLockOperations(mounts));

  // 10. maskedPaths.
  const maskFlags: MsFlag[] = forRoot ? ['MS_RDONLY'] : ['MS_RDONLY', 'MS_NOSUID', 'MS_NODEV'];
  asArray(get(spec, 'linux', 'maskedPaths')).forEach((p, i) => {
    if (typeof p !== 'string' || p === '') return;
    const target = cleanDestination(p);
    const origin = specOrigin(['linux', 'maskedPaths', i]);
    ops.push(
      isMaskedDir(target, rootfs, host)
        ? {
            op: 'mount',
            source: 'tmpfs',
            target,
            targetScope: 'container',
            fstype: 'tmpfs',
            flags: maskFlags,
            data: '',
            purpose: 'mask',
            origin,
          }
        : {
            op: 'mount',
            source: '/dev/null',
            target,
            targetScope: 'container',
            fstype: null,
            flags: ['MS_BIND'],
            data: '',
            purpose: 'mask',
            origin,
          },
    );
  });

  // 11. The seccomp filter: shown last, performed by the process set-up (see SeccompOp).
  const seccomp = planSeccomp(
    spec,
    specOrigin,
    asBoolean(get(spec, 'process', 'noNewPrivileges')) === true,
  );
  if (seccomp) ops.push(seccomp);
  return ops;
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
): void {
  const target = m.destination;
  const origin = m.origin;
  const netFile = networkFileOf(m);
  if (netFile && m.hostSource)
    ops.push({ op: 'write-network-file', file: netFile, hostPath: m.hostSource, origin });

  if (m.bind) {
    // A bind of anything but a directory lands on a file (runc's createIfNotExists).
    const src = netFile ? null : m.hostSource ? statFollow(host, m.hostSource) : null;
    const onFile = netFile !== undefined || (src !== null && src.type !== 'directory');
    ops.push(
      onFile
        ? { op: 'mkfile', path: target, mode: FILE_MODE, origin }
        : { op: 'mkdir', path: target, mode: DIR_MODE, origin },
    );
    ops.push({
      op: 'mount',
      source: m.hostSource ?? m.source,
      target,
      targetScope: 'rootfs',
      fstype: null,
      // The kernel ignores every other flag on a new bind mount; they take the remount below.
      flags: m.recursive ? ['MS_BIND', 'MS_REC'] : ['MS_BIND'],
      data: '',
      purpose: 'mount',
      origin,
      // The network files are the runtime's own, in its state directory.
      ...(forRoot || netFile ? {} : { sourceAccess: 'requester' as const }),
    });
    if (m.idmap !== 'none') {
      ops.push({
        op: 'setattr',
        target,
        targetScope: 'rootfs',
        attrSet: ['MOUNT_ATTR_IDMAP'],
        attrClr: [],
        recursive: m.idmap === 'ridmap',
        origin,
      });
    }
    pushPropagation(m, ops);
    // MS_REC means nothing to a remount: rbind,ro leaves the submounts writable (use rro).
    const remount = bindRemount(m, target, origin);
    if (remount) ops.push(remount);
    // A non-root requester's mounts stay nosuid,nodev (requester.ts): rsuid and rdev are ignored.
    const attrClr = forRoot ? m.attrClr : m.attrClr.filter((a) => a !== 'MOUNT_ATTR_NOSUID' && a !== 'MOUNT_ATTR_NODEV');
    if (m.attrSet.length > 0 || attrClr.length > 0) {
      ops.push({
        op: 'setattr',
        target,
        targetScope: 'rootfs',
        attrSet: m.attrSet,
        attrClr,
        recursive: true,
        origin,
      });
    }
    return;
  }

  ops.push({ op: 'mkdir', path: target, mode: DIR_MODE, origin });
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
  ops.push({
    ...(keepTargetMode ? { keepTargetMode: true as const } : {}),
    op: 'mount',
    source: m.source,
    target,
    targetScope: 'rootfs',
    fstype: m.type === '' ? null : m.type,
    flags: delayReadonly ? m.flagsSet.filter((f) => f !== 'MS_RDONLY') : m.flagsSet,
    data: m.data.join(','),
    purpose: 'mount',
    origin,
  });
  if (m.tmpcopyup && m.type === 'tmpfs') ops.push({ op: 'copyup', path: target, origin });
  pushPropagation(m, ops);
  if (delayReadonly) deferredReadonly.push({ target, flags: m.flagsSet, origin });
}

function pushPropagation(m: NormalizedMount, ops: Operation[]): void {
  for (const flags of m.propagation) {
    ops.push({
      op: 'mount',
      source: null,
      target: m.destination,
      targetScope: 'rootfs',
      fstype: null,
      flags,
      data: '',
      purpose: 'propagation',
      origin: m.origin,
    });
  }
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
    if (dir !== '/dev' && dir !== '/')
      ops.push({ op: 'mkdir', path: dir, mode: DIR_MODE, origin: d.origin });
    if (userns) {
      // mknod is refused in a user namespace: bind the host's node onto an empty file (runc).
      ops.push({ op: 'mkfile', path: d.path, mode: FILE_MODE, origin: d.origin });
      ops.push({
        op: 'mount',
        source: d.path,
        target: d.path,
        targetScope: 'rootfs',
        fstype: null,
        flags: ['MS_BIND'],
        data: '',
        purpose: 'mount',
        origin: d.origin,
      });
    } else {
      ops.push({
        op: 'mknod',
        path: d.path,
        deviceType: d.type,
        major: d.major,
        minor: d.minor,
        fileMode: d.fileMode,
        uid: d.uid,
        gid: d.gid,
        origin: d.origin,
      });
    }
  }
}

/** A window dimension the kernel can hold (struct winsize has 16-bit fields). */
function isSize(v: unknown): v is number {
  return typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffff;
}
