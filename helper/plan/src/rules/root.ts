// Rules 1, 2 and 20: the root filesystem and its propagation.
import * as posix from 'node:path/posix';
import { asObject, asString } from '../json';
import { resolveHostPath } from '../paths';
import type { Rule, RuleContext } from '../rule';
import type { Fix } from '../types';
import { insertProperty } from './edits';

export const rootRule: Rule = (ctx) => {
  if (!ctx.spec) return;
  const root = asObject(ctx.spec.root);
  if (ctx.spec.root === undefined) {
    ctx.report({
      code: 'root-missing',
      severity: 'error',
      message:
        'The spec has no "root": a Linux container needs "root": {"path": "rootfs"}, the directory that becomes "/". runc and crun refuse to start without it.',
      range: ctx.doc.keyRangeOf(['ociVersion']) ?? {
        start: ctx.doc.positionAt(ctx.doc.tree?.offset ?? 0),
        end: ctx.doc.positionAt((ctx.doc.tree?.offset ?? 0) + 1),
      },
      path: [],
      fixes: ctx.doc.tree?.type === 'object' ? [addRootFix(ctx)] : undefined,
    });
    return;
  }
  const rootPath = asString(root?.path);
  if (rootPath === undefined) return; // structure reports a missing or mistyped root.path
  const range = ctx.doc.rangeNear(['root', 'path']);

  if (rootPath === '') {
    ctx.report({
      code: 'root-path-empty',
      severity: 'error',
      message: 'root.path is empty: give the directory that becomes "/" (usually "rootfs").',
      range,
      path: ['root', 'path'],
    });
    return;
  }
  if (posix.basename(rootPath) !== 'rootfs') {
    ctx.report({
      code: 'root-not-named-rootfs',
      severity: 'information',
      message: `root.path "${rootPath}": the runtime spec recommends naming the root directory "rootfs" (a SHOULD, not a MUST); any directory works.`,
      range,
      path: ['root', 'path'],
    });
  }

  const hostPath = ctx.rootfs ?? resolveHostPath(ctx.bundleDir, rootPath);
  const shown = rootPath.startsWith('/') ? rootPath : `${rootPath} (${hostPath})`;
  const entry = ctx.host.lstat(hostPath);
  if (!entry) {
    ctx.report({
      code: 'root-not-found',
      severity: 'error',
      message: `root.path: ${shown} does not exist. A relative root.path is relative to the bundle directory; create it or point root.path at the unpacked image.`,
      range,
      path: ['root', 'path'],
    });
  } else if (entry.type === 'symlink') {
    ctx.report({
      code: 'root-is-symlink',
      severity: 'error',
      message: `root.path: ${shown} is a symbolic link${entry.linkTarget ? ` to ${entry.linkTarget}` : ''}; runc refuses a symlinked rootfs ("invalid rootfs"). Point root.path at the real directory.`,
      range,
      path: ['root', 'path'],
    });
  } else if (entry.type !== 'directory') {
    ctx.report({
      code: 'root-not-directory',
      severity: 'error',
      message: `root.path: ${shown} is not a directory; the root filesystem must be a directory.`,
      range,
      path: ['root', 'path'],
    });
  }
};

function addRootFix(ctx: RuleContext): Fix {
  return {
    title: 'Add "root": {"path": "rootfs"}',
    edits: [insertProperty(ctx.doc, ctx.doc.tree!, 'root', { path: 'rootfs' })],
    preferred: true,
  };
}

const PLAIN_PROPAGATION = ['private', 'shared', 'slave', 'unbindable'];

/** Rule 20: the r-forms are accepted by runc, crun and containerd, so only say so. */
export const rootfsPropagationRule: Rule = (ctx) => {
  const value = asString(asObject(ctx.spec?.linux)?.rootfsPropagation);
  if (!value || !value.startsWith('r') || !PLAIN_PROPAGATION.includes(value.slice(1))) return;
  ctx.report({
    code: 'rootfs-propagation-recursive-form',
    severity: 'information',
    message: `linux.rootfsPropagation "${value}": the runtime spec lists only "${value.slice(1)}"; runc, crun and containerd also accept "${value}" and apply it to the whole mount tree, so this works as written.`,
    range: ctx.doc.rangeNear(['linux', 'rootfsPropagation']),
    path: ['linux', 'rootfsPropagation'],
  });
};
