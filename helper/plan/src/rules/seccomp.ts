// linux.seccomp: system call names. A name libseccomp does not know is skipped by runc
// ("unknown seccomp syscall ignored"), so the rule it sits in silently filters nothing:
// usually a typo. The names come from libseccomp itself (../syscallNames.ts, generated).
import { asArray, asObject } from '../json';
import type { Rule } from '../rule';
import { LIBSECCOMP_VERSION, SYSCALL_NAMES } from '../syscallNames';
import { changeTo } from './edits';
import { nearest } from './nearest';

export const syscallNameRule: Rule = (ctx) => {
  const syscalls = asArray(asObject(asObject(ctx.spec?.linux)?.seccomp)?.syscalls);
  let known: string[] | undefined;
  syscalls.forEach((entry, i) => {
    asArray(asObject(entry)?.names).forEach((name, j) => {
      if (typeof name !== 'string' || SYSCALL_NAMES.has(name)) return;
      const path = ['linux', 'seccomp', 'syscalls', i, 'names', j];
      const node = ctx.doc.nodeAt(path);
      known ??= [...SYSCALL_NAMES];
      const meant = nearest(name, known);
      ctx.report({
        code: 'unknown-syscall',
        severity: 'warning',
        message: `linux.seccomp.syscalls[${i}].names[${j}]: "${name}" is not a system call on any architecture libseccomp ${LIBSECCOMP_VERSION} knows; runc skips names it cannot resolve, so this entry filters nothing${meant ? `. Did you mean "${meant}"?` : '.'}`,
        range: ctx.doc.rangeNear(path),
        path,
        fixes: meant && node ? [changeTo(ctx.doc, node, meant)] : undefined,
      });
    });
  });
};
