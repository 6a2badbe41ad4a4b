// Rules 10 and 25: a mount entry's type and the characters of its fields.
import type { Rule } from '../rule';
import type { JsonPath } from '../types';
import { insertProperty } from './edits';
import { mountViews } from './mountView';

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

export const nulByteRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    const fields: [JsonPath, unknown][] = [
      [[...m.path, 'destination'], m.raw.destination],
      [[...m.path, 'source'], m.raw.source],
      [[...m.path, 'type'], m.raw.type],
      ...m.options.map((o): [JsonPath, unknown] => [o.path, o.value]),
    ];
    for (const [path, value] of fields) {
      if (typeof value !== 'string' || !value.includes('\0')) continue;
      ctx.report({
        code: 'nul-byte',
        severity: 'error',
        message: `${m.label}: ${String(path[path.length - 2] === 'options' ? 'an option' : path[path.length - 1])} contains a NUL character (\\u0000); the kernel would cut the string there, so runc refuses it. Remove it.`,
        range: ctx.doc.rangeNear(path),
        path,
      });
    }
  }
};
