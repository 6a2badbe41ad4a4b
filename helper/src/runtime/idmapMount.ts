// An id-mapped bind (the plan's mount operation with `idmap`), the init's side, as runc 1.2
// makes it: the source is cloned as a detached mount in the container's mount namespace
// (open_tree OPEN_TREE_CLONE), the launcher gives that mount the id mapping (it must: only a
// process privileged over the source filesystem's superblock may, and a user-namespaced
// init is not; runc's parent does it too), and the init moves it onto the target resolved
// inside the rootfs (move_mount), so what was checked is what gets the mount.
import { MS, msFlagsValue, type MountOp } from '@bindery/plan';
import { DONE, entryName, fail, type StepOutcome } from './failure';
import { openTarget } from './mount';
import type { RootContext } from './rootContext';
import { AT_FDCWD, AT_RECURSIVE, O_CLOEXEC, OPEN_TREE_CLONE } from './syscalls';

/** Asks the launcher to apply the mapping of operation `index` to the detached mount `fd`. */
export type RequestIdmap = (index: number, fd: number) => StepOutcome;

export function performIdmapBind(
  ctx: RootContext,
  op: MountOp,
  index: number,
  requestIdmap: RequestIdmap | undefined,
): StepOutcome {
  const entry = entryName(op.origin);
  if (ctx.ownerUid !== 0)
    return fail('EPERM', `uid ${ctx.ownerUid} may not map ids on a mount`, `remove idmap, ridmap and the mappings from ${entry}`);
  if (!requestIdmap || op.source === null)
    return fail('ENOSYS', `${op.target}: this launcher applies no id mappings`, 'report this');
  const t = openTarget(ctx, op.target, null, entry);
  if (!t.ok) return t;
  let tree: number | undefined;
  try {
    const recursive = (msFlagsValue(op.flags) & MS.MS_REC) !== 0;
    const cloned = ctx.sys.openTree(
      AT_FDCWD,
      op.source,
      OPEN_TREE_CLONE | O_CLOEXEC | (recursive ? AT_RECURSIVE : 0),
    );
    if (!cloned.ok) {
      if (cloned.errno === 'ENOENT')
        return fail(cloned.errno, `bind source ${op.source} does not exist on the host`, `create ${op.source} on the host or fix ${entry}.source`);
      if (cloned.errno === 'EINVAL' && !recursive)
        return fail(cloned.errno, `${op.source} has mounts below it that this mount namespace may not separate from it`, `use "rbind" in ${entry}.options`);
      return fail(cloned.errno, `cannot clone the mount of bind source ${op.source} (open_tree)`, `check ${entry}.source`);
    }
    tree = cloned.value;
    const mapped = requestIdmap(index, tree);
    if (!mapped.ok) return mapped;
    const moved = ctx.sys.moveMount(tree, t.fd);
    if (!moved.ok)
      return fail(moved.errno, `cannot attach the id-mapped mount of ${op.source} at ${op.target} (move_mount)`, `check ${entry}.destination`);
    return DONE;
  } finally {
    if (tree !== undefined) ctx.sys.close(tree);
    ctx.sys.close(t.fd);
  }
}
