// Rule 22: mounts are applied in order, so a later mount on the same path or on a parent
// covers an earlier one completely.
import type { Rule } from '../rule';
import { mountViews, type MountView } from './mountView';

/** `/a/b/c` → `/a/b/c`, `/a/b`, `/a`, `/`. */
function selfAndAncestors(path: string): string[] {
  const out = [path];
  for (let p = path; p !== '/';) {
    p = p.slice(0, p.lastIndexOf('/')) || '/';
    out.push(p);
  }
  return out;
}

export const hiddenMountRule: Rule = (ctx) => {
  const mounts = mountViews(ctx).filter((m) => m.cleanDestination);
  // Last mount at each destination: a mount is hidden when one of its ancestors (or its own
  // path) is mounted again later. Looking up ancestors keeps this linear in the mount count.
  const lastAt = new Map<string, MountView>();
  for (const m of mounts) lastAt.set(m.cleanDestination!, m);
  for (const hidden of mounts) {
    let hider: MountView | undefined;
    for (const p of selfAndAncestors(hidden.cleanDestination!)) {
      const candidate = lastAt.get(p);
      if (candidate && candidate.index > hidden.index && (!hider || candidate.index > hider.index))
        hider = candidate;
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
      related: [
        {
          message: `${hider.label} is mounted later and covers it`,
          range: ctx.doc.rangeNear([...hider.path, 'destination']),
        },
      ],
    });
  }
};
