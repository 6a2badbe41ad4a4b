// Rule 22: mounts are applied in order, so a later mount on the same path or on a parent
// covers an earlier one completely.
import { isAtOrBelow } from '../paths';
import type { Rule } from '../rule';
import { mountViews } from './mountView';

export const hiddenMountRule: Rule = (ctx) => {
  const mounts = mountViews(ctx).filter((m) => m.cleanDestination);
  for (let i = 0; i < mounts.length; i++) {
    const hidden = mounts[i];
    // The last later mount that covers it is the one the user sees at that path.
    let hider: (typeof mounts)[number] | undefined;
    for (let j = i + 1; j < mounts.length; j++) {
      if (isAtOrBelow(hidden.cleanDestination!, mounts[j].cleanDestination!)) hider = mounts[j];
    }
    if (!hider) continue;
    const same = hider.cleanDestination === hidden.cleanDestination;
    const destPath = [...hidden.path, 'destination'];
    ctx.report({
      code: 'mount-hidden',
      severity: 'warning',
      message: `${hidden.label}: hidden by ${hider.label}, which is mounted later ${same ? 'on the same path' : 'on a parent directory'}; this mount will not be visible in the container. Remove it, or move it after ${hider.label}.`,
      range: ctx.doc.rangeNear(destPath),
      path: destPath,
      related: [{ message: `${hider.label} is mounted later and covers it`, range: ctx.doc.rangeNear([...hider.path, 'destination']) }],
    });
  }
};
