// Rule 23: the network files a spec mounts itself (/etc/hosts, /etc/hostname, /etc/resolv.conf).
import { statFollow } from '../hostLookup';
import { asString } from '../json';
import type { Rule, RuleContext } from '../rule';
import { NETWORK_FILES } from '../runtimeDefaults';
import { mountViews, type MountView } from './mountView';

export const networkFileRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    if (
      !m.cleanDestination ||
      !Object.prototype.hasOwnProperty.call(NETWORK_FILES, m.cleanDestination)
    )
      continue;
    if (!m.meantAsBind) {
      const typePath = [...m.path, 'type'];
      ctx.report({
        code: 'network-file-not-bind',
        severity: 'error',
        message: `${m.label}: ${m.cleanDestination} is a single file, so it can only be a bind mount of a host file ("type": "bind", "options": ["rbind", "rprivate", "rw"] as containerd writes it); a ${m.type ?? 'filesystem'} mount cannot land on a file.`,
        range: ctx.doc.rangeOf(typePath) ?? ctx.doc.rangeNear([...m.path, 'destination']),
        path: ctx.doc.nodeAt(typePath) ? typePath : [...m.path, 'destination'],
      });
      continue;
    }
    if (!m.hostSource) continue;
    const entry = statFollow(ctx.host, m.hostSource);
    if (!entry) continue; // missing: reported by the bind source rule
    if (entry.type === 'file') {
      if (m.cleanDestination === '/etc/hostname') hostnameContent(ctx, m, m.hostSource);
      continue;
    }
    ctx.report({
      code: 'network-file-source-not-file',
      severity: 'error',
      message: `${m.label}: the source ${m.hostSource} is ${entry.type === 'directory' ? 'a directory' : 'not a regular file'}, but ${m.cleanDestination} is a file; the bind mount would fail (ENOTDIR). Point it at a regular file.`,
      range: ctx.doc.rangeNear([...m.path, 'source']),
      path: [...m.path, 'source'],
    });
  }
};

/** Longest hostname the kernel takes (HOST_NAME_MAX), with room for a newline and a domain. */
const HOSTNAME_FILE_BYTES = 512;

/**
 * Rule 23, information: a mounted /etc/hostname that names another host than `hostname`.
 * Programs that read the file (shell prompts, some daemons) and those that ask the kernel
 * would disagree. Only with a host view that can read files.
 */
function hostnameContent(ctx: RuleContext, m: MountView, hostSource: string): void {
  const hostname = asString(ctx.spec?.hostname);
  if (!hostname || !ctx.host.readFile) return;
  const content = ctx.host.readFile(hostSource, HOSTNAME_FILE_BYTES);
  if (content === null) return;
  const written = content.split('\n')[0].trim();
  // Bindery's own file says `hostname[.domainname]`; either form names this host.
  const domainname = asString(ctx.spec?.domainname);
  if (written === hostname || (domainname && written === `${hostname}.${domainname}`)) return;
  ctx.report({
    code: 'hostname-file-mismatch',
    severity: 'information',
    message: `${m.label}: ${hostSource} says ${written ? `"${written}"` : 'nothing'}, but hostname is "${hostname}"; programs reading /etc/hostname would see another name than the kernel reports. Write "${hostname}" into the file, or leave the mount out and Bindery writes one.`,
    range: ctx.doc.rangeNear([...m.path, 'source']),
    path: [...m.path, 'source'],
    related: ctx.doc.rangeOf(['hostname'])
      ? [{ message: 'hostname is set here', range: ctx.doc.rangeOf(['hostname'])! }]
      : undefined,
  });
}
