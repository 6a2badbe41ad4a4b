// Rule: a sysctl outside the container's own namespaces (runc refuses the spec).
import type { Rule } from '../rule';
import { sysctlProblems } from '../sysctlPlan';

export const sysctlNamespaceRule: Rule = (ctx) => {
  for (const p of sysctlProblems(ctx.spec))
    ctx.report({
      code: 'sysctl-not-namespaced',
      severity: 'error',
      message: p.message,
      range: ctx.doc.keyRangeOf(p.path) ?? ctx.doc.rangeNear(p.path),
      path: p.path,
    });
};
