// Rule 26, values: a data option the filesystem knows, with a value the kernel cannot parse
// (tmpfs mode=789, size=lots, uid=nobody). mount(2) fails with EINVAL at launch.
import type { Rule } from '../rule';
import { dataOptionValueProblem } from './filesystemData';
import { dataOptions, mountViews } from './mountView';

export const dataOptionValueRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    if (m.bind || !m.type) continue; // bindMount reports any data on a bind
    for (const o of dataOptions(m)) {
      const problem = dataOptionValueProblem(m.type, o.value);
      if (!problem) continue;
      ctx.report({
        code: 'invalid-data-option-value',
        severity: 'error',
        message: `${m.label}: "${o.value}": ${problem}. The kernel refuses the ${m.type} mount (EINVAL at launch).`,
        range: ctx.doc.rangeNear(o.path),
        path: o.path,
      });
    }
  }
};
