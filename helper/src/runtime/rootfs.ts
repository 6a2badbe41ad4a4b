// Run a plan's operations, top to bottom, the way runc's rootfs_linux.go does: root
// propagation, the rootfs bound onto itself, every mount (mount point, mount, propagation,
// remount, recursive attributes, copy-up), devices and /dev links, pivot_root, then the
// read-only steps, names, readonlyPaths and maskedPaths.
//
// Runs inside the container's init, on its main thread, after unshare(CLONE_NEWNS): every
// call is synchronous. One outcome per operation; the first failure stops the run
// and is returned as an OperationFailure (the caller exits, and the mount namespace, with
// everything mounted in it, dies with the process).
import { writeOomScoreAdj, writeSysctl } from './procWrites';
import * as path from 'node:path';
import {
  type CopyUpOp,
  type HookOp,
  MS,
  NETWORK_FILE_NAMES,
  type MkdirOp,
  type MkfileOp,
  type MknodOp,
  type Operation,
  parseMountinfo,
  type PivotRootOp,
  type ChrootOp,
  type Plan,
  type RootfsParentPrivateOp,
  type SetHostnameOp,
  type WriteNetworkFileOp,
} from '@bindery/plan';
import type { OperationFailure } from '../protocol';
import type { OperationOutcome } from './operationOutcome';
import { performConsole, type DeliverMaster } from './console';
import { DONE, entryName, fail, type StepOutcome } from './failure';
import { performIdmapBind, type RequestIdmap } from './idmapMount';
import { performMask } from './maskedPaths';
import { performMount, performSetattr } from './mount';
import { writeNetworkFile, type NetworkIdentity } from './networkFiles';
import { mkdirAllInRoot, mkfileInRoot, resolveInRoot } from './resolveInRoot';
import { RootContext, refusedCreate } from './rootContext';
import { performSymlink } from './symlink';
import type { Owner } from './initProtocol';
import { checkMountFlags } from './mountFlagsCheck';
import {
  AT_FDCWD,
  MNT_DETACH,
  O_CLOEXEC,
  O_DIRECTORY,
  O_RDONLY,
  S_IFBLK,
  S_IFCHR,
  S_IFIFO,
  makedev,
  type Syscalls,
} from './syscalls';

export interface SetupRootfsOptions {
  /** Host path of the container's state directory; network files may only be written here. */
  stateDir: string;
  network: NetworkIdentity;
  /** Who the container is launched for (absent: root); see RootContext. */
  owner?: Owner;
  /** Each operation's outcome, by its index in the plan (operationEvent makes the protocol's event of it). */
  emit(outcome: OperationOutcome): void;
  /**
   * Runs a hook operation that is due while the rootfs is set up (prestart, createRuntime,
   * createContainer); absent: such a plan fails (the warm-up and unit tests have none).
   */
  runHook?(op: HookOp): StepOutcome;
  /** Has the launcher give a detached mount an id mapping (id-mapped binds); absent: such a plan fails. */
  requestIdmap?: RequestIdmap;
  /** Where a terminal's master goes (the 'console' operation); the plan has none without it. */
  deliverMaster?: DeliverMaster;
  /** Receives the terminal's slave, which the process set-up makes its stdio. */
  keepTerminal?: (slave: number) => void;
}

/** Returns undefined when every operation succeeded, else the first failure. */
export function setupRootfs(
  plan: Plan,
  sys: Syscalls,
  opts: SetupRootfsOptions,
): OperationFailure | undefined {
  if (!plan.rootfs) {
    const operation: Operation = {
      op: 'pivot-root',
      rootfs: '',
      origin: { kind: 'added', reason: 'the container needs a root' },
    };
    return {
      index: -1,
      operation,
      errno: 'EINVAL',
      message: 'EINVAL: the plan has no rootfs',
      hint: 'set root.path in the spec',
    };
  }
  const ctx = new RootContext(sys, plan.rootfs, opts.stateDir, opts.network, opts.owner);
  const copyUpTargets = new Set(
    plan.operations.filter((o): o is CopyUpOp => o.op === 'copyup').map((o) => o.path),
  );
  try {
    for (let index = 0; index < plan.operations.length; index++) {
      const op = plan.operations[index];
      // tmpcopyup: keep a handle on what the tmpfs is about to cover.
      if (
        op.op === 'mount' &&
        op.fstype === 'tmpfs' &&
        copyUpTargets.has(op.target) &&
        !ctx.copyUpSources.has(op.target)
      ) {
        const root = ctx.root();
        const src = root.ok
          ? resolveInRoot(sys, root.value, op.target, { flags: O_RDONLY | O_DIRECTORY })
          : root;
        if (src.ok) ctx.copyUpSources.set(op.target, src.value);
      }
      const outcome = perform(ctx, op, index, opts);
      if (outcome.ok) {
        opts.emit(outcome.note ? { index, ok: true, message: outcome.note } : { index, ok: true });
        continue;
      }
      opts.emit({
        index,
        ok: false,
        errno: outcome.errno,
        message: outcome.message,
        hint: outcome.hint,
      });
      return {
        index,
        operation: op,
        errno: outcome.errno,
        message: outcome.message,
        hint: outcome.hint,
      };
    }
    return undefined;
  } finally {
    ctx.close();
  }
}

function perform(
  ctx: RootContext,
  op: Operation,
  index: number,
  opts: SetupRootfsOptions,
): StepOutcome {
  switch (op.op) {
    case 'hook':
      return performHook(op, opts.runHook);
    case 'rootfs-parent-private':
      return makeRootfsParentPrivate(ctx, op);
    case 'mount':
      return op.idmap ? performIdmapBind(ctx, op, index, opts.requestIdmap) : performMount(ctx, op);
    case 'readonly-path':
      return performMount(ctx, op);
    case 'mask':
      return performMask(ctx, op);
    case 'setattr':
      return performSetattr(ctx, op);
    case 'mkdir':
      return makeMountPoint(ctx, op);
    case 'mkfile':
      return makeMountPoint(ctx, op);
    case 'symlink':
      return performSymlink(ctx, op);
    case 'copyup':
      return copyUp(ctx, op);
    case 'mknod':
      return makeDevice(ctx, op);
    case 'write-network-file':
      return writeNetwork(ctx, op);
    case 'sethostname':
    case 'setdomainname':
      return setName(ctx, op);
    case 'pivot-root':
      return pivotRoot(ctx, op);
    case 'chroot':
      return chrootInto(ctx, op);
    case 'cgroup':
      return { ok: true, note: 'made by the launcher before the init started' };
    case 'oom-score-adj':
      return writeOomScoreAdj(ctx.sys, op);
    case 'sysctl':
      return writeSysctl(ctx.sys, op);
    case 'seccomp':
      // Loaded by the process set-up, as close to execve as runc loads it.
      return {
        ok: true,
        note: `loaded by the process set-up, ${op.beforeExecve ? 'right before execve' : 'before the capabilities drop'}`,
      };
    case 'personality':
    case 'ioprio':
    case 'scheduler':
      return { ok: true, note: 'made by the process set-up, before the capabilities drop' };
    case 'exec-label':
      return { ok: true, note: 'written by the process set-up, right before execve' };
    case 'check-mount-flags':
      return checkMountFlags(ctx, op);
    case 'console':
      return performConsole(ctx, op, opts.deliverMaster, (fd) =>
        opts.keepTerminal ? opts.keepTerminal(fd) : void ctx.sys.close(fd),
      );
  }
}

function performHook(op: HookOp, runHook: SetupRootfsOptions['runHook']): StepOutcome {
  if (op.kind === 'startContainer' || op.kind === 'poststart' || op.kind === 'poststop')
    return {
      ok: true,
      note:
        op.kind === 'startContainer'
          ? 'runs after the process set-up, right before execve'
          : `runs ${op.kind === 'poststart' ? 'once the process runs' : 'when the container is deleted'}`,
    };
  if (!runHook)
    return fail('ENOSYS', `${op.kind} hook ${op.path}: this launcher runs no hooks`, 'report this');
  return runHook(op);
}

/**
 * runc's rootfsParentMountPrivate: with a shared root propagation (rootfsPropagation
 * "shared"/"rshared") the mount holding the rootfs is shared, so the rootfs bind and every
 * container mount would propagate to the host, and pivot_root refuses a shared parent.
 * Making just that parent private keeps the container's mounts in the container.
 */
function makeRootfsParentPrivate(ctx: RootContext, op: RootfsParentPrivateOp): StepOutcome {
  const info = ctx.sys.readFile('/proc/self/mountinfo');
  if (!info.ok) return DONE; // not readable (the fake): nothing known to fix
  let parent: { point: string; shared: boolean } | undefined;
  for (const { mountPoint: point, optional } of parseMountinfo(info.value)) {
    const below = point === '/' || op.rootfs === point || op.rootfs.startsWith(point + '/');
    if (!below || (parent && parent.point.length > point.length)) continue;
    parent = { point, shared: optional.some((f) => f.startsWith('shared:')) };
  }
  if (!parent?.shared) return DONE;
  const r = ctx.sys.mount(null, parent.point, null, MS.MS_PRIVATE, null);
  return r.ok
    ? { ok: true, note: `${parent.point}, the mount holding the rootfs, was shared: made private` }
    : fail(
        r.errno,
        `cannot make ${parent.point}, the mount holding the rootfs, private`,
        'a shared parent would carry the container mounts to the host',
      );
}

function makeMountPoint(ctx: RootContext, op: MkdirOp | MkfileOp): StepOutcome {
  const root = ctx.root();
  if (!root.ok)
    return fail(root.errno, `cannot open the rootfs ${ctx.rootfs}`, 'check root.path in the spec');
  const guard = {
    mayCreateIn: (fd: number) => ctx.mayCreateIn(fd),
    made: (fd: number) => ctx.made(fd),
  };
  const r =
    op.op === 'mkdir'
      ? mkdirAllInRoot(ctx.sys, root.value, op.path, op.mode, guard)
      : mkfileInRoot(ctx.sys, root.value, op.path, op.mode, guard);
  if (r.ok) return DONE;
  const entry = entryName(op.origin);
  if (r.errno === 'EPERM' && r.call === 'create') return refusedCreate(ctx, op.path, entry);
  if (r.errno === 'ELOOP' || r.errno === 'EXDEV')
    return fail(
      r.errno,
      `cannot create ${op.path}: it goes through /proc magic links or out of the container`,
      `use a path inside the container (CVE-2024-21626), in ${entry}`,
    );
  if (r.errno === 'EROFS')
    return fail(
      r.errno,
      `cannot create ${op.path}: the rootfs is read-only`,
      `create ${op.path} in the rootfs beforehand, or mount a writable parent first (${entry})`,
    );
  if (r.errno === 'ENOTDIR')
    return fail(
      r.errno,
      `a component of ${op.path} is a file in the rootfs`,
      `check ${entry}.destination against the rootfs`,
    );
  if (r.errno === 'ENOENT')
    return fail(
      r.errno,
      `cannot create ${op.path}: a symlink on the way points at nothing`,
      `check the rootfs for dangling symlinks in ${op.path}`,
    );
  return fail(r.errno, `cannot create mount point ${op.path}`, `check ${entry}`);
}

function copyUp(ctx: RootContext, op: CopyUpOp): StepOutcome {
  const from = ctx.copyUpSources.get(op.path);
  if (from === undefined) return { ok: true, note: `${op.path} had nothing to copy` };
  const root = ctx.root();
  if (!root.ok) return fail(root.errno, 'cannot open the rootfs', 'check root.path');
  const to = resolveInRoot(ctx.sys, root.value, op.path, { flags: O_RDONLY | O_DIRECTORY });
  if (!to.ok)
    return fail(
      to.errno,
      `cannot open the new tmpfs at ${op.path}`,
      `check ${entryName(op.origin)}`,
    );
  try {
    const r = ctx.sys.copyTree(from, to.value);
    return r.ok
      ? DONE
      : fail(
          r.errno,
          `copying the rootfs content of ${op.path} into its tmpfs failed`,
          `check the tmpfs size in ${entryName(op.origin)}.options`,
        );
  } finally {
    ctx.sys.close(to.value);
    ctx.sys.close(from);
    ctx.copyUpSources.delete(op.path);
  }
}

const DEVICE_TYPE: Record<MknodOp['deviceType'], number> = {
  c: S_IFCHR,
  u: S_IFCHR,
  b: S_IFBLK,
  p: S_IFIFO,
};

function makeDevice(ctx: RootContext, op: MknodOp): StepOutcome {
  const parent = ctx.openParentForCreate(
    op.path,
    entryName(op.origin),
    'devices are created in /dev; mount /dev or create it in the rootfs',
  );
  if (!parent.ok) return parent;
  try {
    // The init runs with umask 0, so the mode is exactly fileMode (as runc).
    const dev = op.deviceType === 'p' ? 0 : makedev(op.major, op.minor);
    const r = ctx.sys.mknodat(
      parent.fd,
      parent.name,
      DEVICE_TYPE[op.deviceType] | op.fileMode,
      dev,
    );
    if (!r.ok && r.errno === 'EEXIST')
      return { ok: true, note: `${op.path} already exists; left as it is` };
    if (!r.ok)
      return fail(
        r.errno,
        `cannot create device ${op.path}`,
        `check ${entryName(op.origin)}; the /dev mount must be writable`,
      );
    if (op.uid !== 0 || op.gid !== 0) {
      const c = ctx.sys.lchownat(parent.fd, parent.name, op.uid, op.gid);
      if (!c.ok)
        return fail(
          c.errno,
          `cannot give ${op.path} to ${op.uid}:${op.gid}`,
          `check ${entryName(op.origin)}`,
        );
    }
    return DONE;
  } finally {
    ctx.sys.close(parent.fd);
  }
}

function writeNetwork(ctx: RootContext, op: WriteNetworkFileOp): StepOutcome {
  // Never trust the plan with a host path: network files go into this container's state directory only.
  // The name too: path.join(stateDir, '../../etc/passwd') would agree with such a hostPath.
  if (!NETWORK_FILE_NAMES.has(op.file) || path.resolve(op.hostPath) !== path.join(ctx.stateDir, op.file))
    return fail(
      'EPERM',
      `refusing to write ${op.hostPath}`,
      `network files are written to the container's state directory ${ctx.stateDir}; plan the bundle with that stateDir`,
    );
  const r = writeNetworkFile(ctx.sys, op.file, op.hostPath, ctx.network);
  return r.ok
    ? DONE
    : fail(r.errno, `cannot write ${op.hostPath}`, 'check that the state directory is writable');
}

function setName(ctx: RootContext, op: SetHostnameOp): StepOutcome {
  const r = op.op === 'sethostname' ? ctx.sys.sethostname(op.name) : ctx.sys.setdomainname(op.name);
  if (r.ok) return DONE;
  const field = op.op === 'sethostname' ? 'hostname' : 'domainname';
  if (r.errno === 'EINVAL')
    return fail(r.errno, `${field} "${op.name}" is too long`, `${field} takes at most 64 bytes`);
  return fail(
    r.errno,
    `cannot set the ${field}`,
    `${field} needs a UTS namespace in linux.namespaces`,
  );
}

/**
 * runc's pivotRoot: pivot_root(".", ".") with the new root as the working directory, then
 * the old root (now stacked on the same directory) made slave so its detach does not
 * propagate, and detached.
 */
function pivotRoot(ctx: RootContext, op: PivotRootOp): StepOutcome {
  const { sys } = ctx;
  const oldRoot = sys.openat(AT_FDCWD, '/', O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (!oldRoot.ok) return fail(oldRoot.errno, 'cannot open /', 'the host root is not reachable');
  const newRoot = sys.openat(AT_FDCWD, op.rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  try {
    if (!newRoot.ok)
      return fail(
        newRoot.errno,
        `cannot open the rootfs ${op.rootfs}`,
        'check root.path in the spec',
      );
    const steps: [string, () => ReturnType<Syscalls['chdir']>][] = [
      ['fchdir(rootfs)', () => sys.fchdir(newRoot.value)],
      ['pivot_root', () => sys.pivotRoot('.', '.')],
      ['fchdir(old root)', () => sys.fchdir(oldRoot.value)],
      [
        'make the old root slave',
        () => sys.mount(null, '.', null, MS.MS_SLAVE | MS.MS_REC, null),
      ],
      ['detach the old root', () => sys.umount2('.', MNT_DETACH)],
      ['chdir(/)', () => sys.chdir('/')],
    ];
    for (const [what, step] of steps) {
      const r = step();
      if (!r.ok) {
        const hint =
          r.errno === 'EINVAL' && what === 'pivot_root'
            ? 'the rootfs must be a mount point below the current root (the rootfs bind did not take?)'
            : 'check root.path in the spec';
        return fail(r.errno, `${what} failed for ${op.rootfs}`, hint);
      }
    }
    ctx.pivoted = true;
    ctx.resetRoot();
    return DONE;
  } finally {
    sys.close(oldRoot.value);
    if (newRoot.ok) sys.close(newRoot.value);
  }
}

/**
 * runc's chroot, for a container in the host's mount namespace: pivot_root there would swap
 * the host's root. The rootfs by fd, so a path swapped after the mounts cannot redirect it.
 */
function chrootInto(ctx: RootContext, op: ChrootOp): StepOutcome {
  const { sys } = ctx;
  const newRoot = sys.openat(AT_FDCWD, op.rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC, 0);
  if (!newRoot.ok)
    return fail(newRoot.errno, `cannot open the rootfs ${op.rootfs}`, 'check root.path in the spec');
  try {
    const steps: [string, () => ReturnType<Syscalls['chdir']>][] = [
      ['fchdir(rootfs)', () => sys.fchdir(newRoot.value)],
      ['chroot', () => sys.chroot('.')],
      ['chdir(/)', () => sys.chdir('/')],
    ];
    for (const [what, step] of steps) {
      const r = step();
      if (!r.ok) return fail(r.errno, `${what} failed for ${op.rootfs}`, 'check root.path in the spec');
    }
    ctx.pivoted = true;
    ctx.resetRoot();
    return DONE;
  } finally {
    sys.close(newRoot.value);
  }
}
