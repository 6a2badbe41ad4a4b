// linux.sysctl: runc sets only sysctls that belong to a namespace the container owns, and
// refuses the spec otherwise (libcontainer/configs/validate). crun and runtime-tools agree
// on net.* needing a network namespace.
import { asObject, asString } from '../json';
import type { Rule } from '../rule';
import { namespaceEntries } from './mountView';
import { addNamespaceFix } from './namespaces';

/** The kernel.* sysctls of the IPC namespace (fs.mqueue.* belong to it too). */
const IPC_SYSCTLS = [
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
];

/** `net/ipv4/ip_forward` is the same sysctl as `net.ipv4.ip_forward` (runc swaps the separators). */
function dotted(name: string): string {
  const first = name.search(/[./]/);
  if (first < 0 || name[first] === '.') return name;
  return name.replace(/[./]/g, (c) => (c === '.' ? '/' : '.'));
}

/** The namespace a sysctl belongs to, or undefined for one that belongs to none. */
function namespaceOf(name: string): 'ipc' | 'network' | 'uts' | 'user' | undefined {
  if (IPC_SYSCTLS.includes(name) || name.startsWith('fs.mqueue.')) return 'ipc';
  if (name.startsWith('net.')) return 'network';
  if (name === 'kernel.hostname' || name === 'kernel.domainname') return 'uts';
  if (name.startsWith('user.')) return 'user';
  return undefined;
}

export const sysctlNamespaceRule: Rule = (ctx) => {
  const sysctl = asObject(asObject(ctx.spec?.linux)?.sysctl);
  if (!sysctl) return;
  const namespaces = namespaceEntries(ctx);
  for (const key of Object.keys(sysctl)) {
    const name = dotted(key);
    const path = ['linux', 'sysctl', key];
    const range = ctx.doc.keyRangeOf(path) ?? ctx.doc.rangeNear(path);
    const ns = namespaceOf(name);
    // kernel.hostname beside "hostname" is hostname-sysctl-conflict's (rules/namespaces.ts).
    if (name === 'kernel.hostname') {
      if (asString(ctx.spec?.hostname)) continue;
      ctx.report({
        code: 'sysctl-not-namespaced',
        severity: 'error',
        message: `linux.sysctl "${key}": runc refuses this sysctl because it conflicts with the spec's own "hostname" field. Set "hostname" instead.`,
        range,
        path,
      });
      continue;
    }
    if (!ns) {
      ctx.report({
        code: 'sysctl-not-namespaced',
        severity: 'error',
        message: `linux.sysctl "${key}" is not in a namespace of the container: setting it would change the whole host, so runc refuses the spec ("not in a separate kernel namespace"). Only net.*, fs.mqueue.*, the IPC kernel.* limits, kernel.domainname and user.* (with a user namespace) can be set.`,
        range,
        path,
      });
      continue;
    }
    const entry = namespaces.find((n) => n.type === ns);
    // Joining a network namespace by path is fine for runc unless it is the host's own,
    // which only the host can tell.
    if (entry) continue;
    const fix = addNamespaceFix(ctx, ns);
    ctx.report({
      code: 'sysctl-without-namespace',
      severity: 'error',
      message: `linux.sysctl "${key}" belongs to the ${ns} namespace, and the container has none of its own: it would change the host's, so runc${ns === 'network' ? ', crun and runtime-tools refuse' : ' refuses'} the spec. Add {"type": "${ns}"} to linux.namespaces.`,
      range,
      path,
      fixes: fix ? [fix] : undefined,
    });
  }
};
