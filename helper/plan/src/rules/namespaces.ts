// Rules 16 and 17: the namespace list, and what needs a UTS namespace.
import { asObject, asString } from '../json';
import type { Rule, RuleContext } from '../rule';
import type { Fix, RelatedPlace } from '../types';
import { appendAt, removeArrayElements } from './edits';
import { namespaceEntries } from './mountView';

/** Rule 16: no namespace twice, and a namespace to join is named by an absolute path. */
export const namespaceListRule: Rule = (ctx) => {
  const entries = namespaceEntries(ctx);
  const array = ctx.doc.nodeAt(['linux', 'namespaces']);
  const firstOf = new Map<string, (typeof entries)[number]>();
  for (const ns of entries) {
    const first = firstOf.get(ns.type);
    if (!first) {
      firstOf.set(ns.type, ns);
    } else {
      const index = ns.path[2] as number;
      ctx.report({
        code: 'duplicate-namespace',
        severity: 'error',
        message: `linux.namespaces[${index}]: the "${ns.type}" namespace is listed twice; runc and crun refuse duplicates. Remove this entry.`,
        range: ctx.doc.rangeNear([...ns.path, 'type']),
        path: [...ns.path, 'type'],
        related: [{ message: `first "${ns.type}" entry`, range: ctx.doc.rangeNear(first.path) }],
        fixes: array
          ? [
              {
                title: `Remove the duplicate "${ns.type}" namespace`,
                edits: [removeArrayElements(ctx.doc, array, [index])],
                preferred: true,
              },
            ]
          : undefined,
      });
    }
    if (ns.nsPath !== undefined && !ns.nsPath.startsWith('/')) {
      ctx.report({
        code: 'namespace-path-not-absolute',
        severity: 'error',
        message: `linux.namespaces[${ns.path[2]}]: the path of a namespace to join must be absolute (e.g. "/proc/1234/ns/${ns.type === 'network' ? 'net' : ns.type === 'mount' ? 'mnt' : ns.type}" or "/run/netns/name").`,
        range: ctx.doc.rangeNear([...ns.path, 'path']),
        path: [...ns.path, 'path'],
      });
    }
  }
};

export function addNamespaceFix(ctx: RuleContext, type: string): Fix | undefined {
  const edits = appendAt(ctx.doc, ['linux', 'namespaces'], [{ type }]);
  return edits
    ? { title: `Add the "${type}" namespace to linux.namespaces`, edits, preferred: true }
    : undefined;
}

function namespacesPlace(ctx: RuleContext, what: string): RelatedPlace[] | undefined {
  const range = ctx.doc.keyRangeOf(['linux', 'namespaces']);
  return range ? [{ message: `linux.namespaces has no "${what}" entry`, range }] : undefined;
}

/** Rule 17: hostname and domainname are set inside the container's own UTS namespace. */
export const utsNamespaceRule: Rule = (ctx) => {
  if (!ctx.spec) return;
  const hasUts = namespaceEntries(ctx).some((n) => n.type === 'uts');
  const sysctl = asObject(asObject(ctx.spec.linux)?.sysctl);
  for (const field of ['hostname', 'domainname'] as const) {
    const value = asString(ctx.spec[field]);
    if (!value) continue;
    // The name also goes into /etc/hostname and /etc/hosts: a newline would add lines there.
    const control = [...value].find((ch) => ch.charCodeAt(0) < 0x20 || ch.charCodeAt(0) === 0x7f);
    if (control !== undefined)
      ctx.report({
        code: `${field}-control-character`,
        severity: 'error',
        message: `${field} contains the control character ${JSON.stringify(control)}; a ${field} is one line of printable characters (it is written into /etc/hostname and /etc/hosts)`,
        range: ctx.doc.rangeNear([field]),
        path: [field],
      });
    if (!hasUts) {
      const fix = addNamespaceFix(ctx, 'uts');
      ctx.report({
        code: `${field}-without-uts-namespace`,
        severity: 'error',
        message: `${field} "${value}" needs a UTS namespace: without one the container would rename the host, so runc, crun and youki refuse it. Add {"type": "uts"} to linux.namespaces.`,
        range: ctx.doc.rangeNear([field]),
        path: [field],
        related: namespacesPlace(ctx, 'uts'),
        fixes: fix ? [fix] : undefined,
      });
    }
    const key = `kernel.${field}`;
    if (sysctl && typeof sysctl[key] === 'string') {
      ctx.report({
        code: 'hostname-sysctl-conflict',
        severity: 'error',
        message: `linux.sysctl "${key}" sets the ${field} a second time, beside "${field}"; runc refuses the pair. Keep "${field}" and remove the sysctl.`,
        range:
          ctx.doc.keyRangeOf(['linux', 'sysctl', key]) ?? ctx.doc.rangeNear(['linux', 'sysctl']),
        path: ['linux', 'sysctl', key],
        related: [{ message: `"${field}" is set here`, range: ctx.doc.rangeNear([field]) }],
      });
    }
  }
};
