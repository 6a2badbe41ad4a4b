// Rules 15 and 18: user namespaces and the id mappings that go with them.
import { asArray, asObject } from '../json';
import type { Rule, RuleContext } from '../rule';
import { dataOptions, mountViews, namespaceEntries } from './mountView';
import { addNamespaceFix } from './namespaces';

interface IdRange {
  containerID: number;
  size: number;
}

function mappings(v: unknown): IdRange[] {
  return asArray(v)
    .map(asObject)
    .filter(
      (m): m is Record<string, unknown> =>
        !!m && typeof m.containerID === 'number' && typeof m.size === 'number',
    )
    .map((m) => ({ containerID: m.containerID as number, size: m.size as number }));
}

function isMapped(id: number, ranges: IdRange[]): boolean {
  return ranges.some((r) => id >= r.containerID && id < r.containerID + r.size);
}

/** Rule 18: mappings need a user namespace; a new user namespace needs mappings. */
export const userNamespaceRule: Rule = (ctx) => {
  const linux = asObject(ctx.spec?.linux);
  if (!linux) return;
  const user = namespaceEntries(ctx).find((n) => n.type === 'user');
  const hasUid = asArray(linux.uidMappings).length > 0;
  const hasGid = asArray(linux.gidMappings).length > 0;
  if (!user) {
    for (const key of ['uidMappings', 'gidMappings'] as const) {
      if (asArray(linux[key]).length === 0) continue;
      const fix = addNamespaceFix(ctx, 'user');
      ctx.report({
        code: 'id-mappings-without-userns',
        severity: 'error',
        message: `linux.${key} only applies inside a user namespace, and linux.namespaces has none; runc refuses this. Add {"type": "user"} to linux.namespaces.`,
        range: ctx.doc.keyRangeOf(['linux', key]) ?? ctx.doc.rangeNear(['linux', key]),
        path: ['linux', key],
        fixes: fix ? [fix] : undefined,
      });
    }
    return;
  }
  if (user.nsPath !== undefined) return; // joining an existing namespace brings its mappings
  const range = ctx.doc.rangeNear([...user.path, 'type']);
  if (!hasUid && !hasGid) {
    ctx.report({
      code: 'userns-without-mappings',
      severity: 'warning',
      message: `linux.namespaces[${user.path[2]}]: a new user namespace without linux.uidMappings and linux.gidMappings; runc refuses it, crun (run rootless) maps only the calling user to root. Bindery follows runc and does not launch it. Add the mappings, e.g. {"containerID": 0, "hostID": 100000, "size": 65536}.`,
      range,
      path: [...user.path, 'type'],
      blocksLaunch: true,
    });
  } else if (hasUid !== hasGid) {
    const missing = hasUid ? 'gidMappings' : 'uidMappings';
    ctx.report({
      code: 'userns-mappings-incomplete',
      severity: 'error',
      message: `linux.${hasUid ? 'uidMappings' : 'gidMappings'} without linux.${missing}: a user namespace needs both, and runc refuses one alone. Add linux.${missing}.`,
      range: ctx.doc.keyRangeOf(['linux', hasUid ? 'uidMappings' : 'gidMappings']) ?? range,
      path: ['linux', hasUid ? 'uidMappings' : 'gidMappings'],
    });
  }
};

/** Rule 15: uid=/gid= data options name ids inside the user namespace, so they must be mapped. */
export const mappedIdOptionRule: Rule = (ctx: RuleContext) => {
  const linux = asObject(ctx.spec?.linux);
  const user = namespaceEntries(ctx).find((n) => n.type === 'user');
  if (!linux || !user || user.nsPath !== undefined) return;
  const ranges = { uid: mappings(linux.uidMappings), gid: mappings(linux.gidMappings) };
  for (const m of mountViews(ctx)) {
    if (m.bind) continue;
    for (const o of dataOptions(m)) {
      if (o.key !== 'uid' && o.key !== 'gid') continue;
      const mapped = ranges[o.key];
      if (mapped.length === 0) continue; // no mappings: reported by the user namespace rule
      const id = Number(o.value.slice(4));
      if (!Number.isInteger(id) || isMapped(id, mapped)) continue;
      ctx.report({
        code: 'unmapped-id-option',
        severity: 'error',
        message: `${m.label}: "${o.value}" names ${o.key} ${id} inside the user namespace, but linux.${o.key}Mappings does not map it; the mount fails with EINVAL. Map ${o.key} ${id} or drop the option${m.type === 'devpts' ? ' (rootless specs leave out gid=5 on devpts)' : ''}.`,
        range: ctx.doc.rangeNear(o.path),
        path: o.path,
      });
    }
  }
};
