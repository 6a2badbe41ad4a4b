// Rule 14: id-mapped mounts (idmap, ridmap, per-mount uidMappings/gidMappings).
import { asArray } from '../json';
import type { Rule } from '../rule';
import type { JsonPath } from '../types';
import { mountViews, namespaceEntries } from './mountView';

export const idmapRule: Rule = (ctx) => {
  const hasUser = namespaceEntries(ctx).some((n) => n.type === 'user');
  for (const m of mountViews(ctx)) {
    const option = m.options.find((o) => o.value === 'idmap' || o.value === 'ridmap');
    const hasUid = m.raw.uidMappings !== undefined && asArray(m.raw.uidMappings).length > 0;
    const hasGid = m.raw.gidMappings !== undefined && asArray(m.raw.gidMappings).length > 0;
    if (!option && !hasUid && !hasGid) continue;
    const where: JsonPath = option
      ? option.path
      : [...m.path, hasUid ? 'uidMappings' : 'gidMappings'];
    const range = option
      ? ctx.doc.rangeNear(where)
      : (ctx.doc.keyRangeOf(where) ?? ctx.doc.rangeNear(where));
    const what = option ? `"${option.value}"` : 'per-mount id mappings';
    if (!m.meantAsBind) {
      ctx.report({
        code: 'idmap-not-bind',
        severity: 'error',
        message: `${m.label}: ${what} only work on bind mounts; runc and crun refuse them on a ${m.type ?? 'non-bind'} mount. Make it a bind mount or drop them.`,
        range,
        path: where,
      });
    }
    if (hasUid !== hasGid) {
      const missing = hasUid ? 'gidMappings' : 'uidMappings';
      ctx.report({
        code: 'mount-mappings-incomplete',
        severity: 'error',
        message: `${m.label}: an id-mapped mount needs uidMappings and gidMappings together; add "${missing}" to this mount.`,
        range: ctx.doc.keyRangeOf([...m.path, hasUid ? 'uidMappings' : 'gidMappings']) ?? range,
        path: [...m.path, hasUid ? 'uidMappings' : 'gidMappings'],
      });
    }
    // The mount's own mappings need no user namespace in the container (runc 1.2 makes one
    // for the mount alone); without them the container's mappings are used, so it needs one.
    if (!hasUser && !(hasUid && hasGid)) {
      ctx.report({
        code: 'idmap-without-userns',
        severity: 'error',
        message: `${m.label}: ${what} without uidMappings and gidMappings of the mount use the container's user namespace, and it has none (runc 1.2: "id-mapped mounts must have both uid and gid mappings specified"); add the mount's uidMappings and gidMappings, or {"type": "user"} to linux.namespaces with its mappings.`,
        range,
        path: where,
      });
    }
  }
};
