// Rules 10 and 25: a mount entry's type and the characters of its fields.
import type { Rule, RuleContext } from '../rule';
import type { JsonPath } from '../types';
import { insertProperty } from './edits';
import { mountViews, type MountView } from './mountView';

/** Sources people write that name the filesystem type (`"source": "proc"` and so on). */
const SOURCE_TYPES: Record<string, string> = {
  proc: 'proc',
  sysfs: 'sysfs',
  tmpfs: 'tmpfs',
  shm: 'tmpfs',
  devpts: 'devpts',
  mqueue: 'mqueue',
  cgroup: 'cgroup',
  cgroup2: 'cgroup2',
};

export const mountTypeRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    if (m.bind || !m.node || m.node.type !== 'object') continue;
    if (m.type !== undefined && m.type !== '') continue;
    if (m.raw.type !== undefined && typeof m.raw.type !== 'string') continue; // a type error
    const typePath = [...m.path, 'type'];
    const guess = m.source ? SOURCE_TYPES[m.source] : undefined;
    ctx.report({
      code: 'mount-type-missing',
      severity: 'error',
      message: `${m.label}: a mount without "bind" or "rbind" needs a filesystem "type" (e.g. "tmpfs", "proc"); crun refuses it ("invalid mount type") and runc calls mount(2) with no type.${guess ? ` The source suggests "${guess}".` : ''}`,
      range:
        ctx.doc.rangeOf(typePath) ??
        ctx.doc.rangeOf([...m.path, 'destination']) ??
        ctx.doc.rangeOfNode(m.node),
      path: m.type === '' ? typePath : m.path,
      fixes:
        guess && m.raw.type === undefined
          ? [
              {
                title: `Add "type": "${guess}"`,
                edits: [insertProperty(ctx.doc, m.node, 'type', guess)],
                preferred: true,
              },
            ]
          : undefined,
    });
  }
};

const STRING_FIELDS = ['destination', 'source', 'type'] as const;

export const nulByteRule: Rule = (ctx) => {
  // This looks at every field of every mount; paths are only built for a hit.
  for (const m of mountViews(ctx)) {
    for (const key of STRING_FIELDS) {
      const value = m.raw[key];
      if (typeof value === 'string' && value.includes('\0')) reportNul(ctx, m, [...m.path, key]);
    }
    for (const o of m.options) if (o.value.includes('\0')) reportNul(ctx, m, o.path);
  }
};

function reportNul(ctx: RuleContext, m: MountView, path: JsonPath): void {
  ctx.report({
    code: 'nul-byte',
    severity: 'error',
    message: `${m.label}: ${String(path[path.length - 2] === 'options' ? 'an option' : path[path.length - 1])} contains a NUL character (\\u0000); the kernel would cut the string there, so runc refuses it. Remove it.`,
    range: ctx.doc.rangeNear(path),
    path,
  });
}
