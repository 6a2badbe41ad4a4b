// One planned mount(2) or mount_setattr(2) step, done through file descriptors.
//
// Container-side targets are resolved inside the root (resolveInRoot) and mounted onto via
// /proc/self/fd/N; bind sources are opened first and passed the same way, so what was
// checked is what gets mounted (CVE-2021-30465). Host-side steps (root propagation, the
// rootfs bind) use the host path as planned.
import {
  mountAttrValue,
  type MountOp,
  MS,
  msFlagsValue,
  type ReadonlyPathOp,
  type SetattrOp,
} from '@bindery/plan';
import { DONE, entryName, explainMountError, fail, type StepOutcome } from './failure';
import { fdPath, resolveInRoot } from './resolveInRoot';
import type { RootContext } from './rootContext';
import {
  AT_FDCWD,
  AT_RECURSIVE,
  O_CLOEXEC,
  O_PATH,
  PROC_SUPER_MAGIC,
  type SysResult,
} from './syscalls';

const { MS_BIND, MS_REMOUNT, MS_RDONLY } = MS;
/** Flags a bind remount must carry over from the mount it changes, or it clears them (runc does the same for readonlyPaths). */
const KEPT_ON_REMOUNT = msFlagsValue(['MS_RDONLY', 'MS_NOSUID', 'MS_NODEV', 'MS_NOEXEC', 'MS_NOATIME', 'MS_NODIRATIME', 'MS_RELATIME']);

/** Resolve a container-side target; proc and sysfs must not be reached through a symlink. */
export function openTarget(
  ctx: RootContext,
  target: string,
  fstype: string | null,
  entry: string,
): { ok: true; fd: number } | Exclude<StepOutcome, { ok: true }> {
  const root = ctx.root();
  if (!root.ok)
    return fail(
      root.errno,
      `cannot open the root ${ctx.pivoted ? '/' : ctx.rootfs}`,
      'check root.path in the spec',
    );
  const strict = fstype === 'proc' || fstype === 'sysfs';
  const r = resolveInRoot(ctx.sys, root.value, target, { noSymlinks: strict });
  if (r.ok) return { ok: true, fd: r.value };
  switch (r.errno) {
    case 'ENOENT':
      return fail(
        r.errno,
        `mount point ${target} does not exist in the rootfs`,
        `create ${target} in the rootfs, or check ${entry}.destination`,
      );
    case 'ELOOP':
      return fail(
        r.errno,
        `${target} is reached through a symlink in the rootfs`,
        `${fstype} must be mounted on a real directory (CVE-2023-27561); replace the symlink in the rootfs`,
      );
    case 'ENOTDIR':
      return fail(
        r.errno,
        `a component of ${target} is not a directory in the rootfs`,
        `check ${entry}.destination against the rootfs`,
      );
    case 'EXDEV':
      return fail(
        r.errno,
        `${target} resolves outside the rootfs`,
        `a symlink or '..' in ${entry}.destination leads out of the rootfs; it is refused`,
      );
    default:
      return fail(r.errno, `cannot resolve ${target} in the rootfs`, `check ${entry}.destination`);
  }
}

/**
 * What a non-root owner's mount may not do to its target, known only once the target is
 * open: land on procfs (a symlink swapped in after planning could aim a bind at /proc/self),
 * or make writable a mount that is read-only, e.g. a bind of a directory the owner reaches
 * only through a read-only host mount, remounted for `nosuid`.
 */
function requesterTargetCheck(
  ctx: RootContext,
  op: MountOp | ReadonlyPathOp,
  targetFd: number,
  remount: boolean,
  entry: string,
): Exclude<StepOutcome, { ok: true }> | undefined {
  // The runtime's own steps in /proc (masks, readonlyPaths) only take rights away.
  if (op.fstype !== 'proc' && op.op !== 'readonly-path') {
    const type = ctx.sys.filesystemType(targetFd);
    if (!type.ok) return fail(type.errno, `cannot stat the filesystem of ${op.target}`, `check ${entry}`);
    if (type.value === PROC_SUPER_MAGIC)
      return fail('EPERM', `${op.target} is in /proc; uid ${ctx.ownerUid} may not mount there`, `check ${entry}.destination and the symlinks in the rootfs`);
  }
  if (remount && (msFlagsValue(op.flags) & MS_RDONLY) === 0) {
    const now = ctx.sys.mountFlags(targetFd);
    if (!now.ok) return fail(now.errno, `cannot read the flags of ${op.target}`, `check ${entry}`);
    if ((now.value & MS_RDONLY) !== 0)
      return fail(
        'EPERM',
        `${op.target} is read-only (its source is on a read-only mount); uid ${ctx.ownerUid} may not make it writable`,
        `add "ro" to ${entry}.options`,
      );
  }
  return undefined;
}

/** A mount(2) step: a plan's mount, or one step of a readonlyPath (skipped where the path is missing). */
export function performMount(ctx: RootContext, op: MountOp | ReadonlyPathOp): StepOutcome {
  const { sys } = ctx;
  const entry = entryName(op.origin);
  const flags = msFlagsValue(op.flags);
  const remount = (flags & MS_REMOUNT) !== 0;
  const bind = (flags & MS_BIND) !== 0 && !remount;

  let targetPath = op.target;
  let targetFd: number | undefined;
  if (op.targetScope !== 'host') {
    const t = openTarget(ctx, op.target, op.fstype, entry);
    // Like runc: a readonlyPath the container does not have is nothing to protect.
    if (!t.ok && t.errno === 'ENOENT' && op.op === 'readonly-path')
      return { ok: true, note: `${op.target} does not exist in the container; skipped` };
    if (!t.ok) return t;
    targetFd = t.fd;
    targetPath = fdPath(t.fd);
  }
  try {
    if (targetFd !== undefined && ctx.ownerUid !== 0) {
      const refused = requesterTargetCheck(ctx, op, targetFd, remount, entry);
      if (refused) return refused;
    }
  } catch (e) {
    if (targetFd !== undefined) sys.close(targetFd);
    throw e;
  }

  let source = op.source;
  let sourceFd: number | undefined;
  try {
    if (bind && op.source) {
      const asOwner = op.op === 'mount' && op.sourceAccess === 'requester';
      const s = asOwner ? ctx.openAsOwner(op.source) : sys.openat(AT_FDCWD, op.source, O_PATH | O_CLOEXEC, 0);
      if (!s.ok && asOwner) {
        // The same words whether the path is missing or hidden from the owner: nothing here
        // may tell a requester what lies behind a directory it cannot search.
        return fail(
          s.errno === 'ENOENT' || s.errno === 'EACCES' ? 'EACCES' : s.errno,
          `uid ${ctx.ownerUid} cannot read ${op.source}, or it does not exist`,
          `bind only what you can read yourself; check ${entry}.source`,
        );
      }
      if (!s.ok) {
        const where = ctx.pivoted ? 'in the container' : 'on the host';
        if (s.errno === 'ENOENT')
          return fail(
            s.errno,
            `bind source ${op.source} does not exist ${where}`,
            `create ${op.source} ${where} or fix ${entry}.source`,
          );
        return fail(s.errno, `cannot open bind source ${op.source}`, `check ${entry}.source`);
      }
      sourceFd = s.value;
      source = fdPath(s.value);
      if (op.op === 'mount' && op.becomesRoot && ctx.ownerUid !== 0) {
        // Checked on the fd that gets mounted, so swapping root.path for a symlink to a host
        // directory after the daemon's access check cannot make it the root (and every
        // mount point a root-owned entry in it). Owned, not merely writable: /tmp is writable.
        const st = sys.fstat(s.value);
        if (!st.ok) return fail(st.errno, `cannot stat the rootfs ${op.source}`, 'check root.path');
        if (st.value.uid !== ctx.ownerUid)
          return fail(
            'EPERM',
            `the rootfs ${op.source} is owned by uid ${st.value.uid}, not by uid ${ctx.ownerUid} who launches it`,
            `use a rootfs you own (chown -R it or unpack it yourself), or launch as root`,
          );
      }
    }

    let extra = 0;
    if (
      remount &&
      (flags & MS_BIND) !== 0 &&
      op.op === 'readonly-path' &&
      targetFd !== undefined
    ) {
      const cur = sys.mountFlags(targetFd);
      if (!cur.ok)
        return fail(cur.errno, `cannot read the flags of ${op.target}`, `check ${entry}`);
      extra = cur.value & KEPT_ON_REMOUNT;
    }

    let data = op.data;
    if (op.op === 'mount' && op.keepTargetMode && targetFd !== undefined) {
      const st = sys.fstat(targetFd);
      if (!st.ok) return fail(st.errno, `cannot stat ${op.target}`, `check ${entry}`);
      data = `mode=${(st.value.mode & 0o7777).toString(8)}${data ? `,${data}` : ''}`;
    }
    const r = sys.mount(source, targetPath, op.fstype, flags | extra, data || null);
    if (!r.ok)
      return explainMountError(r.errno, {
        fstype: op.fstype,
        data: op.data,
        target: op.target,
        source: op.source,
        bind,
        remount,
        entry,
      });
    if (op.op === 'mount' && op.becomesRoot) ctx.resetRoot();
    if (
      op.op === 'mount' &&
      op.fstype === 'tmpfs' &&
      !bind &&
      !remount &&
      ctx.ownerUid !== 0
    ) {
      const fresh = noteFreshMount(ctx, op.target);
      if (!fresh.ok)
        return fail(fresh.errno, `cannot stat the new mount on ${op.target}`, `check ${entry}`);
    }
    return DONE;
  } finally {
    if (targetFd !== undefined) sys.close(targetFd);
    if (sourceFd !== undefined) sys.close(sourceFd);
  }
}

/**
 * Remember the st_dev of a tmpfs just mounted: entries may be created in it for anyone.
 * Only tmpfs: a new cgroup, sysfs or mqueue mount can share the host's superblock (and st_dev).
 */
function noteFreshMount(ctx: RootContext, target: string): SysResult {
  const root = ctx.root();
  if (!root.ok) return root;
  const fd = resolveInRoot(ctx.sys, root.value, target);
  if (!fd.ok) return fd;
  const st = ctx.sys.fstat(fd.value);
  ctx.sys.close(fd.value);
  if (!st.ok) return st;
  ctx.freshDevs.add(st.value.dev);
  return { ok: true, value: undefined };
}

export function performSetattr(ctx: RootContext, op: SetattrOp): StepOutcome {
  const entry = entryName(op.origin);
  let fd: number | undefined;
  let dirfd = AT_FDCWD;
  let where = op.target;
  if (op.targetScope !== 'host') {
    const t = openTarget(ctx, op.target, null, entry);
    if (!t.ok) return t;
    fd = t.fd;
    dirfd = t.fd;
    where = '';
  }
  try {
    const r = ctx.sys.mountSetattr(
      dirfd,
      where,
      op.recursive ? AT_RECURSIVE : 0,
      mountAttrValue(op.attrSet),
      mountAttrValue(op.attrClr),
      0,
    );
    if (r.ok) return DONE;
    if (r.errno === 'ENOSYS')
      return fail(
        r.errno,
        'mount_setattr is not available on this kernel',
        `recursive options (rro, rnosuid, …) need Linux 5.12+; remove them from ${entry}.options`,
      );
    if (r.errno === 'EINVAL')
      return fail(
        r.errno,
        `the kernel refused the recursive attributes on ${op.target}`,
        `${op.target} must be a mount point; check ${entry}.options`,
      );
    return fail(r.errno, `mount_setattr on ${op.target} failed`, `check ${entry}.options`);
  } finally {
    if (fd !== undefined) ctx.sys.close(fd);
  }
}
