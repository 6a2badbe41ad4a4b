// The container's own cgroup, the way runc's cgroupfs manager makes it: one directory per
// hierarchy the host has (v1 controllers, the named systemd one, the cgroup2 part of a
// hybrid host, or the one cgroup2 tree), at linux.cgroupsPath — absolute from each
// hierarchy's root, relative to the helper's own cgroup there — or, without one, at the
// container id below the helper's own cgroup (runc's default). The launcher creates them,
// moves the init in before it unshares its cgroup namespace, writes linux.resources, and
// removes them at teardown.
import * as posix from 'node:path/posix';
import { cgroupLayout } from './cgroupMount';
import { asObject, asString, get } from './json';
import type { HostView, JsonPath, Origin } from './types';

export const HOST_CGROUP = '/sys/fs/cgroup';

export interface CgroupHierarchy {
  /** Where the hierarchy is mounted on the host, e.g. /sys/fs/cgroup/memory. */
  mount: string;
  /** Its name under /sys/fs/cgroup (memory, cpu,cpuacct, systemd, unified), '' on a v2 host. */
  name: string;
  /** The container's cgroup inside it, from its root, e.g. /process_api/x/ctr. */
  path: string;
  /** cgroup2 (the unified tree of a v2 or hybrid host). */
  v2: boolean;
}

/** Shown where the container id is not known yet (the editor plans without one). */
export const ID_PLACEHOLDER = '<container-id>';

/** The helper's own cgroup per hierarchy, from /proc/self/cgroup, in the kernel's order (hierarchy id). */
function ownCgroups(host: HostView): { id: number; name: string; path: string }[] | undefined {
  const text = host.readFile?.('/proc/self/cgroup', 64 * 1024);
  if (!text) return undefined;
  const out: { id: number; name: string; path: string }[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+):([^:]*):(.*)$/.exec(line);
    if (!m) continue;
    out.push({ id: Number(m[1]), name: m[2].replace(/^name=/, ''), path: m[3] || '/' });
  }
  return out.sort((a, b) => a.id - b.id);
}

/** Every hierarchy the container gets a cgroup in, in runc's order; undefined when the host shows none. */
export function containerCgroups(
  spec: unknown,
  host: HostView,
  id: string = ID_PLACEHOLDER,
): CgroupHierarchy[] | undefined {
  const layout = cgroupLayout(host);
  if (layout.kind === 'unknown') return undefined;
  const cgroupsPath = asString(get(spec, 'linux', 'cgroupsPath')) || undefined;
  const own = ownCgroups(host);
  const place = (ownPath: string) =>
    cgroupsPath?.startsWith('/')
      ? posix.normalize(cgroupsPath)
      : posix.join(ownPath, cgroupsPath ?? id);
  if (layout.kind === 'unified') {
    const ownPath = own?.find((c) => c.id === 0)?.path ?? '/';
    return [{ mount: HOST_CGROUP, name: '', path: place(ownPath), v2: true }];
  }
  const names = own?.map((c) => c.name) ?? layout.hierarchies;
  const out: CgroupHierarchy[] = [];
  for (const name of names) {
    const v2 = name === '';
    const dirName = v2 ? 'unified' : name;
    if (host.lstat(`${HOST_CGROUP}/${dirName}`)?.type !== 'directory') continue;
    const ownPath = own?.find((c) => c.name === name)?.path ?? '/';
    out.push({ mount: `${HOST_CGROUP}/${dirName}`, name: dirName, path: place(ownPath), v2 });
  }
  return out;
}

export interface CgroupWrite {
  file: string;
  value: string;
  origin: Origin;
}

/** CFS shares → cgroup2 cpu.weight, as runc converts them. */
export function sharesToWeight(shares: number): number {
  return shares === 0 ? 0 : Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

/**
 * The linux.resources files written for the container, and the fields not applied (the plan
 * warns about those). Memory, pids, cpu and cpuset; the others are left to a later change.
 */
export function resourceWrites(
  spec: unknown,
  hierarchies: CgroupHierarchy[],
  specOrigin: (p: JsonPath) => Origin,
): { writes: CgroupWrite[]; unapplied: JsonPath[] } {
  const r = asObject(get(spec, 'linux', 'resources'));
  const writes: CgroupWrite[] = [];
  const unapplied: JsonPath[] = [];
  if (!r) return { writes, unapplied };
  const v2 = hierarchies.length === 1 && hierarchies[0].v2;
  const dirOf = (controller: string) => {
    const h = v2 ? hierarchies[0] : hierarchies.find((x) => x.name.split(',').includes(controller));
    return h ? posix.join(h.mount, h.path) : undefined;
  };
  const put = (controller: string, file: string, value: string | number, path: JsonPath) => {
    const dir = dirOf(controller);
    if (dir)
      writes.push({ file: `${dir}/${file}`, value: String(value), origin: specOrigin(path) });
    else unapplied.push(path);
  };
  const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

  const mem = asObject(r.memory);
  if (mem) {
    const at = (k: string): JsonPath => ['linux', 'resources', 'memory', k];
    const limit = (v: number) => (v < 0 ? 'max' : v);
    if (v2) {
      if (num(mem.limit)) put('memory', 'memory.max', limit(mem.limit), at('limit'));
      if (num(mem.reservation)) put('memory', 'memory.low', mem.reservation, at('reservation'));
      // The spec's swap is memory+swap; cgroup2 limits swap alone (runc converts the same way).
      if (num(mem.swap))
        put(
          'memory',
          'memory.swap.max',
          mem.swap < 0 ? 'max' : Math.max(0, mem.swap - (num(mem.limit) ? mem.limit : 0)),
          at('swap'),
        );
    } else {
      if (num(mem.limit)) put('memory', 'memory.limit_in_bytes', mem.limit, at('limit'));
      if (num(mem.reservation))
        put('memory', 'memory.soft_limit_in_bytes', mem.reservation, at('reservation'));
      if (num(mem.swap)) put('memory', 'memory.memsw.limit_in_bytes', mem.swap, at('swap'));
      if (num(mem.swappiness)) put('memory', 'memory.swappiness', mem.swappiness, at('swappiness'));
      if (mem.disableOOMKiller === true)
        put('memory', 'memory.oom_control', 1, at('disableOOMKiller'));
    }
    for (const k of ['kernel', 'kernelTCP', 'useHierarchy', 'checkBeforeUpdate'])
      if (mem[k] !== undefined) unapplied.push(at(k));
  }

  const pids = asObject(r.pids);
  if (pids && num(pids.limit))
    put('pids', 'pids.max', pids.limit > 0 ? pids.limit : 'max', [
      'linux',
      'resources',
      'pids',
      'limit',
    ]);

  const cpu = asObject(r.cpu);
  if (cpu) {
    const at = (k: string): JsonPath => ['linux', 'resources', 'cpu', k];
    if (v2) {
      if (num(cpu.shares)) put('cpu', 'cpu.weight', sharesToWeight(cpu.shares), at('shares'));
      if (num(cpu.quota) || num(cpu.period))
        put(
          'cpu',
          'cpu.max',
          `${num(cpu.quota) && cpu.quota > 0 ? cpu.quota : 'max'} ${num(cpu.period) ? cpu.period : 100000}`,
          at(num(cpu.quota) ? 'quota' : 'period'),
        );
    } else {
      if (num(cpu.shares)) put('cpu', 'cpu.shares', cpu.shares, at('shares'));
      // Period first: a quota is checked against the period in force (runc's order).
      if (num(cpu.period)) put('cpu', 'cpu.cfs_period_us', cpu.period, at('period'));
      if (num(cpu.quota)) put('cpu', 'cpu.cfs_quota_us', cpu.quota, at('quota'));
      if (num(cpu.realtimePeriod))
        put('cpu', 'cpu.rt_period_us', cpu.realtimePeriod, at('realtimePeriod'));
      if (num(cpu.realtimeRuntime))
        put('cpu', 'cpu.rt_runtime_us', cpu.realtimeRuntime, at('realtimeRuntime'));
    }
    if (typeof cpu.cpus === 'string' && cpu.cpus)
      put('cpuset', 'cpuset.cpus', cpu.cpus, at('cpus'));
    if (typeof cpu.mems === 'string' && cpu.mems)
      put('cpuset', 'cpuset.mems', cpu.mems, at('mems'));
    for (const k of ['idle', 'burst']) if (cpu[k] !== undefined) unapplied.push(at(k));
  }

  for (const k of ['devices', 'blockIO', 'hugepageLimits', 'network', 'rdma', 'unified'])
    if (r[k] !== undefined && !(Array.isArray(r[k]) && r[k].length === 0))
      unapplied.push(['linux', 'resources', k]);
  return { writes, unapplied };
}

/** The cgroup steps of a launch: create, move the init in, write the limits. */
export function planCgroups(
  spec: unknown,
  host: HostView,
  id: string | undefined,
  specOrigin: (p: JsonPath) => Origin,
):
  | { op: 'cgroup'; hierarchies: CgroupHierarchy[]; writes: CgroupWrite[]; origin: Origin }
  | undefined {
  const hierarchies = containerCgroups(spec, host, id);
  if (!hierarchies?.length) return undefined;
  const { writes } = resourceWrites(spec, hierarchies, specOrigin);
  const origin: Origin = get(spec, 'linux', 'cgroupsPath')
    ? specOrigin(['linux', 'cgroupsPath'])
    : {
        kind: 'added',
        reason:
          'every container gets a cgroup of its own, as runc gives it (at the container id below the helper’s cgroup unless linux.cgroupsPath says where); it is removed at teardown',
      };
  return { op: 'cgroup', hierarchies, writes, origin };
}
