// Building blocks for hand-written plans in the plan and runtime tests: origins, a mount
// operation with defaults, and the operations every plan with a /dev has.
import {
  type MknodOp,
  mknodOp,
  type MountOp,
  mountOp as mountOpOf,
  type Origin,
} from '@bindery/plan';

export const ZERO_RANGE = { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };

/** An operation the runtime added, not one the spec asked for. */
export const ADDED: Origin = { kind: 'added', reason: 'test' };

/** An operation that came from the spec entry at `path` (mounts[n] also gets its mountIndex). */
export function specOrigin(...path: (string | number)[]): Origin {
  return {
    kind: 'spec',
    path,
    range: ZERO_RANGE,
    ...(path[0] === 'mounts' ? { mountIndex: path[1] as number } : {}),
  };
}

/** A plain mount onto `target` in the rootfs, with whatever else `p` sets. */
export function mountOp(p: Partial<MountOp> & Pick<MountOp, 'target'>): MountOp {
  const { origin = ADDED, op: _op, keepTargetMode, becomesRoot, sourceAccess, idmap, ...call } = p;
  const extras = {
    ...(idmap ? { idmap } : {}),
    ...(keepTargetMode ? { keepTargetMode } : {}),
    ...(becomesRoot ? { becomesRoot } : {}),
    ...(sourceAccess ? { sourceAccess } : {}),
  };
  return mountOpOf(call, origin, extras);
}

/** The mknod that creates /dev/null (character device 1:3, 0666, root's). */
export function devNullMknod(origin: Origin = ADDED): MknodOp {
  return mknodOp(
    { path: '/dev/null', deviceType: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
    origin,
  );
}
