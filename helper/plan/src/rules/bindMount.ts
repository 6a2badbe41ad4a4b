// Rules 7, 8, 9 and the read-only rbind half of 12: what makes a bind mount and what it needs.
import { statFollow } from '../hostLookup';
import type { Rule, RuleContext } from '../rule';
import type { Fix } from '../types';
import { appendAt, removeArrayElements, replaceWithJson } from './edits';
import { crunSays, misspelling } from './mountOptions';
import { dataOptions, mountViews, type MountView } from './mountView';

function addOptionFix(
  ctx: RuleContext,
  m: MountView,
  option: string,
  title: string,
  preferred = false,
): Fix | undefined {
  const edits = appendAt(ctx.doc, [...m.path, 'options'], [option]);
  return edits ? { title, edits, preferred } : undefined;
}

/** Rule 7: only the bind and rbind options make a bind mount; `type` alone does not. */
export const bindTypeRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    if (m.type === 'bind' && !m.bind) {
      const fixes = [
        addOptionFix(
          ctx,
          m,
          'rbind',
          'Add "rbind" (runc and crun bind-mount only with "bind" or "rbind")',
          true,
        ),
        addOptionFix(
          ctx,
          m,
          'bind',
          'Add "bind" (this mount only, without the mounts below the source)',
        ),
      ].filter((f): f is Fix => f !== undefined);
      ctx.report({
        code: 'bind-type-without-bind-option',
        severity: 'error',
        message: `${m.label}: type "bind" without a "bind" or "rbind" option is not a bind mount; runc and crun refuse it. Add "rbind".`,
        range: ctx.doc.rangeNear([...m.path, 'type']),
        path: [...m.path, 'type'],
        fixes: fixes.length ? fixes : undefined,
      });
    }
    const bindOpt = m.options.find((o) => o.value === 'bind');
    if (bindOpt && m.recursive) {
      const array = ctx.doc.nodeAt([...m.path, 'options']);
      ctx.report({
        code: 'bind-and-rbind',
        severity: 'warning',
        message: `${m.label}: both "bind" and "rbind"; the mount is recursive (rbind) either way. Remove "bind".`,
        range: ctx.doc.rangeNear(bindOpt.path),
        path: bindOpt.path,
        fixes: array
          ? [
              {
                title: 'Remove "bind"',
                edits: [removeArrayElements(ctx.doc, array, [bindOpt.index])],
                preferred: true,
              },
            ]
          : undefined,
      });
    }
  }
};

/**
 * Rule 8: filesystem data on a bind mount, `defaults` included. runc 1.1 (the reference here)
 * hands it to mount(2), which ignores data for MS_BIND, so the container runs; runc 1.2
 * refuses it. A warning, and the plan drops the data (normalize.ts).
 */
export const bindDataOptionsRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    if (!m.meantAsBind) continue;
    // Misspelt flags are reported (with a better fix) by the misspelt-option rule.
    const data = dataOptions(m).filter((o) => !misspelling(m, o));
    if (data.length === 0) continue;
    const array = ctx.doc.nodeAt([...m.path, 'options']);
    for (const o of data) {
      const fixes: Fix[] = [];
      if (array) {
        fixes.push({
          title:
            data.length > 1
              ? 'Remove the filesystem options from this bind mount'
              : `Remove "${o.value}" from this bind mount`,
          edits: [
            removeArrayElements(
              ctx.doc,
              array,
              data.map((d) => d.index),
            ),
          ],
          preferred: true,
        });
      }
      ctx.report({
        code: 'bind-with-data-options',
        severity: 'warning',
        message: `${m.label}: "${o.value}" is a filesystem option, and bind mounts take none: it is ignored (the kernel ignores data on a bind; runc 1.1 and Bindery run the container without it, runc 1.2 refuses it: "bind mounts cannot have any filesystem-specific options applied").${
          o.value === 'defaults'
            ? ' runc passes "defaults" on as filesystem data, so it counts too.'
            : ''
        }${crunSays(o.value)} Remove it.`,
        range: ctx.doc.rangeNear(o.path),
        path: o.path,
        fixes: fixes.length ? fixes : undefined,
      });
    }
  }
};

/** Rule 9: the source of a bind must exist on the host. */
export const bindSourceRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    if (!m.meantAsBind) continue;
    const sourcePath = [...m.path, 'source'];
    if (m.source === undefined || m.source === '') {
      if (m.raw.source !== undefined && typeof m.raw.source !== 'string') continue; // type error
      ctx.report({
        code: 'bind-source-missing',
        severity: 'error',
        message: `${m.label}: a bind mount needs a "source": the host file or directory to mount here.`,
        range: ctx.doc.rangeOf(sourcePath) ?? ctx.doc.rangeNear([...m.path, 'destination']),
        path: m.source === '' ? sourcePath : m.path,
      });
      continue;
    }
    const hostPath = m.hostSource!;
    if (statFollow(ctx.host, hostPath)) continue; // mount(2) follows a symlinked source
    const relative = !m.source.startsWith('/');
    ctx.report({
      code: 'bind-source-not-found',
      severity: 'error',
      message: `${m.label}: bind source ${hostPath} does not exist on the host${
        ctx.host.lstat(hostPath)?.type === 'symlink' ? ' (it is a symlink to a missing path)' : ''
      }${
        relative ? ' (a relative source is relative to the bundle directory)' : ''
      }; the mount would fail with ENOENT. Create it or fix the path.`,
      range: ctx.doc.rangeNear(sourcePath),
      path: sourcePath,
    });
  }
};

/** Rule 12, second half: `ro` on an rbind leaves everything below the source writable. */
export const rbindReadOnlyRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    if (!m.recursive) continue;
    const ro = m.options.find((o) => o.value === 'ro');
    if (!ro || m.options.some((o) => o.value === 'rro')) continue;
    const node = ctx.doc.nodeAt(ro.path)!;
    ctx.report({
      code: 'rbind-ro-not-recursive',
      severity: 'information',
      message: `${m.label}: "ro" on an "rbind" makes only the top mount read-only; mounts below the source stay writable. Use "rro" (Linux 5.12+) to make the whole tree read-only.`,
      range: ctx.doc.rangeOfNode(node),
      path: ro.path,
      fixes: [
        {
          title: 'Change "ro" to "rro"',
          edits: [replaceWithJson(ctx.doc, node, 'rro')],
          preferred: true,
        },
      ],
    });
  }
};
