// Rules 3 and 4: where a mount lands.
import type { Rule } from '../rule';
import { replaceWithJson } from './edits';
import { mountViews } from './mountView';

export const mountDestinationRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    const path = m.path.concat('destination');
    const node = ctx.doc.nodeAt(path);
    if (m.destination === undefined || !node) continue; // structure reports it missing
    const range = ctx.doc.rangeOfNode(node);
    if (m.destination === '') {
      ctx.report({
        code: 'destination-empty',
        severity: 'error',
        message: `${m.label}: the destination is empty; give the absolute path inside the container where this mount appears.`,
        range,
        path,
      });
      continue;
    }
    if (!m.destination.startsWith('/')) {
      const absolute = m.cleanDestination!;
      ctx.report({
        code: 'destination-not-absolute',
        severity: 'warning',
        message: `${m.label}: destination "${m.destination}" is relative. The runtime spec deprecates relative destinations (runc reads it as "${absolute}"); write "${absolute}".`,
        range,
        path,
        fixes: [
          {
            title: `Make the destination absolute: "${absolute}"`,
            edits: [replaceWithJson(ctx.doc, node, absolute)],
            preferred: true,
          },
        ],
      });
    }
    if (m.cleanDestination === '/') {
      ctx.report({
        code: 'destination-is-root',
        severity: 'error',
        message: `${m.label}: a mount on "/" would cover the whole root filesystem; runc refuses it ("mountpoint is on the top of rootfs"), crun allows it. Use root.path for the root filesystem instead.`,
        range,
        path,
      });
    }
  }
};
