// The mount table read back after a non-root owner's mount tree was sealed: every mount
// must carry nosuid and nodev (but the runtime's own /dev and devpts, which keep dev). It
// checks what the kernel did, not what the plan meant, so a flag lost anywhere stops the
// launch before the owner's process exists.
import { type CheckMountFlagsOp, parseMountinfo } from '@bindery/plan';
import { DONE, fail, type StepOutcome } from './failure';
import type { RootContext } from './rootContext';

/** Mount points whose per-mount options lack what `op` requires, with what they lack. */
export function mountsMissingFlags(mountinfo: string, op: CheckMountFlagsOp): string[] {
  const out: string[] = [];
  for (const { mountPoint, options } of parseMountinfo(mountinfo)) {
    const missing = ['nosuid', ...(op.devAllowed.includes(mountPoint) ? [] : ['nodev'])].filter((o) => !options.includes(o));
    if (missing.length > 0) out.push(`${mountPoint} (no ${missing.join(', no ')})`);
  }
  return out;
}

export function checkMountFlags(ctx: RootContext, op: CheckMountFlagsOp): StepOutcome {
  const info = ctx.sys.readFile('/proc/thread-self/mountinfo');
  if (!info.ok) return fail(info.errno, 'cannot read the container’s mount table', 'the container needs /proc (it is added when the spec has none)');
  const bad = mountsMissingFlags(info.value, op);
  if (bad.length === 0) return DONE;
  return fail('EPERM', `mounts without nosuid,nodev for uid ${ctx.ownerUid}: ${bad.join('; ')}`, 'report this: the helper refuses to start the process; nothing leaves the container');
}
