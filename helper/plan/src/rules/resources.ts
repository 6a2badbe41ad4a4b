// Rule: the linux.resources fields Bindery does not write yet (the rest it applies through
// the container's cgroup, ../cgroupPlan.ts), one warning each on its key.
import { containerCgroups, resourceWrites, type CgroupHierarchy } from '../cgroupPlan';
import type { Rule } from '../rule';

const WHAT: Record<string, string> = {
  devices: 'restrict device access through the devices cgroup',
  blockIO: 'set block I/O weights and throttles',
  hugepageLimits: 'limit huge pages',
  network: 'set the network class and priorities',
  rdma: 'limit RDMA resources',
  unified: 'write these cgroup2 files',
};

/** Where the host shows no cgroups (an editor on another system): judge by the usual v1 controllers. */
const USUAL: CgroupHierarchy[] = ['cpu', 'cpuacct', 'cpuset', 'devices', 'memory', 'pids'].map(
  (name) => ({
    mount: `/sys/fs/cgroup/${name}`,
    name,
    path: '/',
    v2: false,
  }),
);

export const unappliedResourcesRule: Rule = (ctx) => {
  if (!ctx.spec) return;
  const hierarchies = containerCgroups(ctx.spec, ctx.host) ?? USUAL;
  const { unapplied } = resourceWrites(ctx.spec, hierarchies, () => ({
    kind: 'added',
    reason: '',
  }));
  for (const path of unapplied) {
    const name = path.slice(2).join('.');
    const what = WHAT[String(path[2])] ?? `apply ${name}`;
    ctx.report({
      code: 'feature-not-applied',
      severity: 'warning',
      message: `linux.${name}: Bindery does not apply this yet; runc would ${what}. The container runs without it.`,
      range: ctx.doc.keyRangeOf(path) ?? ctx.doc.rangeNear(path),
      path,
    });
  }
};
