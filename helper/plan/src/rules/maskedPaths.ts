// Rule 19: linux.maskedPaths and linux.readonlyPaths.
import { asArray, asObject } from '../json';
import type { Rule } from '../rule';
import { replaceWithJson } from './edits';
import { namespaceEntries } from './mountView';
import { addNamespaceFix } from './namespaces';

export const maskedPathsRule: Rule = (ctx) => {
  const linux = asObject(ctx.spec?.linux);
  if (!linux) return;
  const hasMountNs = namespaceEntries(ctx).some((n) => n.type === 'mount');
  for (const key of ['maskedPaths', 'readonlyPaths'] as const) {
    const list = asArray(linux[key]);
    list.forEach((p, i) => {
      if (typeof p !== 'string' || p.startsWith('/')) return;
      const node = ctx.doc.nodeAt(['linux', key, i]);
      ctx.report({
        code: 'masked-path-not-absolute',
        severity: 'error',
        message: `linux.${key}[${i}] "${p}" must be an absolute path in the container (the runtime spec says MUST).`,
        range: ctx.doc.rangeNear(['linux', key, i]),
        path: ['linux', key, i],
        fixes: node
          ? [
              {
                title: `Make it absolute: "/${p}"`,
                edits: [replaceWithJson(ctx.doc, node, '/' + p)],
                preferred: true,
              },
            ]
          : undefined,
      });
    });
    if (list.length > 0 && !hasMountNs) {
      const fix = addNamespaceFix(ctx, 'mount');
      ctx.report({
        code: `${key === 'maskedPaths' ? 'masked' : 'readonly'}-paths-without-mount-namespace`,
        severity: 'error',
        message: `linux.${key} is applied with mounts, which would land on the host without a mount namespace; add {"type": "mount"} to linux.namespaces.`,
        range: ctx.doc.keyRangeOf(['linux', key]) ?? ctx.doc.rangeNear(['linux', key]),
        path: ['linux', key],
        fixes: fix ? [fix] : undefined,
      });
    }
  }
};
