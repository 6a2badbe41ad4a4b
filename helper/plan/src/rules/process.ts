// Rule 27: the working directory is resolved inside the container, after its mounts.
import { asObject, asString } from '../json';
import { isAtOrBelow } from '../paths';
import * as posix from 'node:path/posix';
import type { Rule } from '../rule';

export const processCwdRule: Rule = (ctx) => {
  const cwd = asString(asObject(ctx.spec?.process)?.cwd);
  if (!cwd || !cwd.startsWith('/') || !isAtOrBelow(posix.normalize(cwd), '/proc')) return;
  ctx.report({
    code: 'cwd-under-proc',
    severity: 'warning',
    message: `process.cwd "${cwd}" is inside /proc; a working directory there can reach file descriptors leaked from the runtime and so the host (the CVE-2024-21626 class). Use a directory of the image.`,
    range: ctx.doc.rangeNear(['process', 'cwd']),
    path: ['process', 'cwd'],
  });
};
