// A symlink the runtime creates inside the rootfs (the /dev/fd, /dev/stdin … links).
import type { SymlinkOp } from '../plan/types';
import { DONE, entryName, fail, type StepOutcome } from './failure';
import { resolveParentInRoot } from './resolveInRoot';
import { refusedCreate, type RootContext } from './rootContext';

export function performSymlink(ctx: RootContext, op: SymlinkOp): StepOutcome {
  const root = ctx.root();
  if (!root.ok) return fail(root.errno, 'cannot open the root', 'check root.path in the spec');
  const parent = resolveParentInRoot(ctx.sys, root.value, op.path);
  if (!parent.ok)
    return fail(
      parent.errno,
      `the directory holding ${op.path} is missing in the rootfs`,
      `check ${entryName(op.origin)}`,
    );
  try {
    const allowed = ctx.mayCreateIn(parent.value.fd);
    if (!allowed.ok) return refusedCreate(ctx, op.path, entryName(op.origin));
    const r = ctx.sys.symlinkat(op.linkTarget, parent.value.fd, parent.value.name);
    // Like runc: an entry already there (an image that ships /dev/fd) is left alone.
    if (!r.ok && r.errno === 'EEXIST')
      return { ok: true, note: `${op.path} already exists; left as it is` };
    if (!r.ok)
      return fail(
        r.errno,
        `cannot create the symlink ${op.path} → ${op.linkTarget}`,
        `check ${entryName(op.origin)}`,
      );
    return DONE;
  } finally {
    ctx.sys.close(parent.value.fd);
  }
}
