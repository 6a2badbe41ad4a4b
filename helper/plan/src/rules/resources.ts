// Rule: what becomes of each linux.resources field that is not written to the container's
// cgroup (../cgroupPlan.ts): refused where runc refuses it on this host (an error), ignored
// where runc 1.1 ignores it (information), not applied yet (a warning), each on its key.
import { containerCgroups, resourceWrites, type CgroupHierarchy } from '../cgroupPlan';
import type { Rule } from '../rule';
import type { JsonPath } from '../types';

const WHAT: Record<string, string> = {
  devices:
    'load an eBPF device program allowing only these devices (cgroup2 has no devices controller)',
  blockIO: 'set this per-device weight with BFQ (io.bfq.weight)',
  network: 'set the network class and priorities (cgroup v1 only)',
};

/** Where the host shows no cgroups (an editor on another system): judge by the usual v1 controllers. */
const USUAL: CgroupHierarchy[] = [
  'blkio',
  'cpu',
  'cpuacct',
  'cpuset',
  'devices',
  'memory',
  'pids',
].map((name) => ({
  mount: `/sys/fs/cgroup/${name}`,
  name,
  path: '/',
  v2: false,
}));

export const unappliedResourcesRule: Rule = (ctx) => {
  if (!ctx.spec) return;
  const known = containerCgroups(ctx.spec, ctx.host);
  const { unapplied, refused, ignored } = resourceWrites(
    ctx.spec,
    known ?? USUAL,
    () => ({ kind: 'added', reason: '' }),
    ctx.host,
  );
  const place = (path: JsonPath) => ctx.doc.keyRangeOf(path) ?? ctx.doc.rangeNear(path);
  // Only the host's own cgroups can say a controller is missing.
  if (known)
    for (const { path, message } of refused)
      ctx.report({
        code: 'resource-not-available',
        severity: 'error',
        message,
        range: place(path),
        path,
      });
  for (const { path, message } of ignored)
    ctx.report({
      code: 'resource-ignored',
      severity: 'information',
      message,
      range: place(path),
      path,
    });
  for (const path of unapplied) {
    const name = path.slice(2).join('.');
    const what = WHAT[String(path[2])] ?? `apply ${name}`;
    ctx.report({
      code: 'feature-not-applied',
      severity: 'warning',
      message: `linux.${name}: Bindery does not apply this yet; runc would ${what}. The container runs without it.`,
      range: place(path),
      path,
    });
  }
};
