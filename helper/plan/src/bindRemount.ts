// The remount that gives a bind mount its flags: a new bind ignores everything but
// MS_BIND|MS_REC, so ro, nosuid, nodev, noexec and the atime flags take a second mount(2).
import { bindRemountOp } from './operationConstructors';
import type { MountOp, MsFlag, NormalizedMount, Origin } from './types';

const REMOUNT_IGNORED: ReadonlySet<MsFlag> = new Set<MsFlag>(['MS_BIND', 'MS_REC', 'MS_REMOUNT']);

/** The flags a remount carries: MS_REC means nothing to it (rbind,ro leaves submounts writable). */
export function remountFlags(flags: readonly MsFlag[]): MsFlag[] {
  return flags.filter((f) => !REMOUNT_IGNORED.has(f));
}

/** The remount of bind `m` at `target`, or undefined when its options ask for no flag. */
export function bindRemount(
  m: NormalizedMount,
  target: string,
  origin: Origin,
): MountOp | undefined {
  const extra = remountFlags(m.flagsSet);
  if (extra.length === 0) return undefined;
  return bindRemountOp(target, extra, origin);
}
