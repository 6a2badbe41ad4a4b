// A symlink the runtime creates inside the rootfs (the /dev/fd, /dev/stdin … links).
import type { SymlinkOp } from '@bindery/plan';
import { DONE, entryName, fail, type StepOutcome } from './failure';
import type { RootContext } from './rootContext';

export function performSymlink(ctx: RootContext, op: SymlinkOp): StepOutcome {
  const parent = ctx.openParentForCreate(
    op.path,
    entryName(op.origin),
    `check ${entryName(op.origin)}`,
  );
  if (!parent.ok) return parent;
  try {
    const r = ctx.sys.symlinkat(op.linkTarget, parent.fd, parent.name);
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
    ctx.sys.close(parent.fd);
  }
}
