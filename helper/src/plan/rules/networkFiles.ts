// Rule 23: the network files a spec mounts itself (/etc/hosts, /etc/hostname, /etc/resolv.conf).
import { statFollow } from '../hostLookup';
import type { Rule } from '../rule';
import { NETWORK_FILES } from '../runtimeDefaults';
import { mountViews } from './mountView';

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
    if (!entry || entry.type === 'file') continue; // missing: reported by the bind source rule
    ctx.report({
      code: 'network-file-source-not-file',
      severity: 'error',
      message: `${m.label}: the source ${m.hostSource} is ${entry.type === 'directory' ? 'a directory' : 'not a regular file'}, but ${m.cleanDestination} is a file; the bind mount would fail (ENOTDIR). Point it at a regular file.`,
      range: ctx.doc.rangeNear([...m.path, 'source']),
      path: [...m.path, 'source'],
    });
  }
};
