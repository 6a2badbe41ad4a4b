// Rules 5, 6 and 24: /proc, /sys and cgroup mounts, the kernel interfaces a container must
// not be able to redirect.
import * as posix from 'node:path/posix';
import { isAtOrBelow, joinInRoot } from '../paths';
import type { Rule, RuleContext } from '../rule';
import type { RelatedPlace } from '../types';
import { mountViews, namespaceEntries } from './mountView';
import { addNamespaceFix } from './namespaces';

/** The files below /proc runc lets a mount cover (those lxcfs emulates). */
export const ALLOWED_PROC_SUBMOUNTS: readonly string[] = [
  '/proc/cpuinfo',
  '/proc/diskstats',
  '/proc/meminfo',
  '/proc/stat',
  '/proc/swaps',
  '/proc/uptime',
  '/proc/loadavg',
  '/proc/slabinfo',
  '/proc/sys/kernel/ns_last_pid',
  '/proc/sys/crypto/fips_enabled',
];

/** Rule 5 (runc's checkProcMount, CVE-2019-16884). proc and sysfs mounts are checked by rule 6. */
export const procMountRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    const dest = m.cleanDestination;
    if (!dest || !isAtOrBelow(dest, '/proc')) continue;
    // runc checks proc and sysfs mounts too: on /proc only a fresh proc or a bind of procfs.
    if (dest === '/proc' && !m.bind && m.type === 'proc') continue;
    if (dest === '/proc') {
      const source = m.source ? posix.normalize(m.source) : '';
      if (m.bind && isAtOrBelow(source, '/proc')) continue;
      const typePath = [...m.path, 'type'];
      ctx.report({
        code: 'proc-not-procfs',
        severity: 'error',
        message: `${m.label}: only a proc filesystem may be mounted on /proc (type "proc", or a bind of the host's /proc); runc refuses anything else, because a fake /proc lets the container redirect what the runtime writes there (CVE-2019-16884). Use "type": "proc", "source": "proc".`,
        range: ctx.doc.rangeOf(typePath) ?? ctx.doc.rangeNear([...m.path, 'destination']),
        path: ctx.doc.nodeAt(typePath) ? typePath : [...m.path, 'destination'],
      });
      continue;
    }
    if (ALLOWED_PROC_SUBMOUNTS.includes(dest)) continue;
    ctx.report({
      code: 'mount-inside-proc',
      severity: 'error',
      message: `${m.label}: runc refuses mounts inside /proc except over ${ALLOWED_PROC_SUBMOUNTS.map((p) => p.slice(6)).join(', ')} (the files lxcfs provides). To hide or protect a /proc path, use linux.maskedPaths or linux.readonlyPaths.`,
      range: ctx.doc.rangeNear([...m.path, 'destination']),
      path: [...m.path, 'destination'],
    });
  }
};

/** Rule 6 (CVE-2023-27561): proc and sysfs land on real directories, never through a symlink. */
export const procSysTargetRule: Rule = (ctx) => {
  const rootfs = ctx.rootfs;
  if (!rootfs || ctx.host.lstat(rootfs)?.type !== 'directory') return;
  for (const m of mountViews(ctx)) {
    if (m.bind || (m.type !== 'proc' && m.type !== 'sysfs') || !m.cleanDestination) continue;
    const parts = m.cleanDestination.split('/').filter(Boolean);
    for (let i = 1; i <= parts.length; i++) {
      const inRoot = '/' + parts.slice(0, i).join('/');
      const entry = ctx.host.lstat(joinInRoot(rootfs, inRoot));
      if (!entry) break; // the runtime creates what is missing
      const last = i === parts.length;
      if (entry.type === 'symlink') {
        reportTarget(
          ctx,
          m.path,
          'proc-sys-target-symlink',
          `${m.label}: ${inRoot} in the rootfs is a symbolic link${entry.linkTarget ? ` to ${entry.linkTarget}` : ''}; runc, crun and youki refuse to mount ${m.type} through a symlink (CVE-2023-27561). Replace it with a directory in the image.`,
        );
        break;
      }
      if (entry.type !== 'directory') {
        reportTarget(
          ctx,
          m.path,
          'proc-sys-target-not-directory',
          `${m.label}: ${inRoot} in the rootfs is ${entry.type === 'file' ? 'a regular file' : 'not a directory'}; ${m.type} must be mounted on an ordinary directory${last ? '' : ' path'}. Replace it with a directory in the image.`,
        );
        break;
      }
    }
  }
};

/** Target problems are the destination's: that is the path the runtime would follow. */
function reportTarget(
  ctx: RuleContext,
  mountPath: (string | number)[],
  code: string,
  message: string,
) {
  const path = [...mountPath, 'destination'];
  ctx.report({ code, severity: 'error', message, range: ctx.doc.rangeNear(path), path });
}

/** Rule 24: kernel filesystems that need a namespace of their own to make sense. */
export const namespacedFilesystemRule: Rule = (ctx) => {
  const namespaces = namespaceEntries(ctx);
  const user = namespaces.find((n) => n.type === 'user');
  const hasNet = namespaces.some((n) => n.type === 'network');
  const hasCgroup = namespaces.some((n) => n.type === 'cgroup');
  for (const m of mountViews(ctx)) {
    if (m.bind) continue;
    const typePath = [...m.path, 'type'];
    if (m.type === 'sysfs' && user && !hasNet) {
      const related: RelatedPlace[] = [
        { message: 'the user namespace', range: ctx.doc.rangeNear(user.path) },
      ];
      const fix = addNamespaceFix(ctx, 'network');
      ctx.report({
        code: 'sysfs-userns-without-netns',
        severity: 'warning',
        message: `${m.label}: sysfs in a user namespace needs the container's own network namespace; without one the kernel refuses the mount and runc fails. Add a "network" namespace, or bind-mount /sys instead ("type": "bind", "source": "/sys", "options": ["rbind", "nosuid", "noexec", "nodev", "ro"]).`,
        range: ctx.doc.rangeNear(typePath),
        path: typePath,
        related,
        fixes: fix ? [fix] : undefined,
      });
    }
    if ((m.type === 'cgroup' || m.type === 'cgroup2') && !hasCgroup) {
      const fix = addNamespaceFix(ctx, 'cgroup');
      ctx.report({
        code: 'cgroup-without-cgroupns',
        severity: 'warning',
        message: `${m.label}: a ${m.type} mount without a cgroup namespace shows the host's whole cgroup tree inside the container. Add a "cgroup" namespace.`,
        range: ctx.doc.rangeNear(typePath),
        path: typePath,
        fixes: fix ? [fix] : undefined,
      });
    }
  }
};
