// The container's own cgroup, the way runc's cgroupfs manager makes it: one directory per
// hierarchy the host has (v1 controllers, the named systemd one, the cgroup2 part of a
// hybrid host, or the one cgroup2 tree), at linux.cgroupsPath — absolute from each
// hierarchy's root, relative to the helper's own cgroup there — or, without one, at the
// container id below the helper's own cgroup (runc's default). The launcher creates them,
// moves the init in before it unshares its cgroup namespace, writes linux.resources, and
// removes them at teardown.
import * as posix from 'node:path/posix';
import { cgroupLayout, HOST_CGROUP } from './cgroupMount';
import {
  IGNORED_AS_RUNC,
  otherResources,
  type ResourceIgnored,
  type ResourceRefusal,
} from './cgroupResources';
import { asArray, asObject, asString, get } from './json';
import type { HostView, JsonPath, Origin } from './types';

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

interface DeviceRule {
  allow: boolean;
  type: 'a' | 'b' | 'c';
  /** -1: any (`*`). */
  major: number;
  minor: number;
  access: string;
}

/** What runc allows every container after the spec's rules (its AllowedDevices). */
const RUNC_ALLOWED_DEVICES: DeviceRule[] = [
  { allow: true, type: 'c', major: -1, minor: -1, access: 'm' },
  { allow: true, type: 'b', major: -1, minor: -1, access: 'm' },
  { allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 8, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 7, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 0, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 5, access: 'rwm' },
  { allow: true, type: 'c', major: 1, minor: 9, access: 'rwm' },
  { allow: true, type: 'c', major: 136, minor: -1, access: 'rwm' },
  { allow: true, type: 'c', major: 5, minor: 2, access: 'rwm' },
  { allow: true, type: 'c', major: 10, minor: 200, access: 'rwm' },
];

/** One exception to the default of a device list: `-1` is any major or minor (`*`). */
export interface DeviceException {
  type: 'a' | 'b' | 'c';
  major: number;
  minor: number;
  /** Some of `rwm`, in that order. */
  access: string;
}

/**
 * The device list runc reaches: the rules read as a list starting from deny-all (runc's
 * emulator, the kernel's v1 semantics), the spec's linux.resources.devices first, then runc's
 * defaults; an `a *:*` rule resets the default, any other adds to or takes from the
 * exception with its type and numbers. Exceptions in order of type, major, minor.
 */
export function deviceExceptions(spec: unknown): {
  defaultAllow: boolean;
  exceptions: DeviceException[];
} {
  const rules: DeviceRule[] = [];
  for (const d of asArray(get(spec, 'linux', 'resources', 'devices'))) {
    const o = asObject(d);
    if (!o || typeof o.access !== 'string' || o.access === '') continue;
    const type = o.type === 'b' || o.type === 'c' ? o.type : 'a';
    const n = (v: unknown) => (typeof v === 'number' && v >= 0 ? v : -1);
    rules.push({
      allow: o.allow === true,
      type,
      major: n(o.major),
      minor: n(o.minor),
      access: o.access,
    });
  }
  let defaultAllow = false;
  const exceptions = new Map<
    string,
    { type: 'a' | 'b' | 'c'; major: number; minor: number; perms: Set<string> }
  >();
  for (const r of [...rules, ...RUNC_ALLOWED_DEVICES]) {
    if (r.type === 'a' && r.major < 0 && r.minor < 0) {
      defaultAllow = r.allow;
      exceptions.clear();
      continue;
    }
    const key = `${r.type} ${r.major}:${r.minor}`;
    const e = exceptions.get(key) ?? {
      type: r.type,
      major: r.major,
      minor: r.minor,
      perms: new Set<string>(),
    };
    for (const p of r.access)
      if (r.allow !== defaultAllow) e.perms.add(p);
      else e.perms.delete(p);
    if (e.perms.size) exceptions.set(key, e);
    else exceptions.delete(key);
  }
  const ordered = [...exceptions.values()].sort(
    (a, b) => a.type.localeCompare(b.type) || a.major - b.major || a.minor - b.minor,
  );
  return {
    defaultAllow,
    exceptions: ordered.map((e) => ({
      type: e.type,
      major: e.major,
      minor: e.minor,
      access: ['r', 'w', 'm'].filter((p) => e.perms.has(p)).join(''),
    })),
  };
}

/**
 * The v1 devices cgroup writes of that list: the default (`a` to devices.deny or
 * devices.allow) followed by each exception. Every container gets it, as under runc.
 */
export function deviceCgroupWrites(
  spec: unknown,
): { file: 'devices.allow' | 'devices.deny'; value: string }[] {
  const { defaultAllow, exceptions } = deviceExceptions(spec);
  const [reset, except] = defaultAllow
    ? (['devices.allow', 'devices.deny'] as const)
    : (['devices.deny', 'devices.allow'] as const);
  return [
    { file: reset, value: 'a' },
    ...exceptions.map((e) => ({ file: except, value: renderDeviceException(e) })),
  ];
}

/** `c 1:3 rwm`, as the v1 files and the plan's text show a rule. */
export function renderDeviceException(e: DeviceException): string {
  const num = (v: number) => (v < 0 ? '*' : String(v));
  return `${e.type} ${num(e.major)}:${num(e.minor)} ${e.access}`;
}

/** CFS shares → cgroup2 cpu.weight, as runc converts them. */
export function sharesToWeight(shares: number): number {
  return shares === 0 ? 0 : Math.floor(1 + ((shares - 2) * 9999) / 262142);
}

export interface ResourcePlan {
  writes: CgroupWrite[];
  /** Fields not applied on this layout (a warning each). */
  unapplied: JsonPath[];
  /** Fields runc would refuse on this host (an error each). */
  refused: ResourceRefusal[];
  /** Fields runc 1.1 ignores, and Bindery too (information). */
  ignored: ResourceIgnored[];
}

/**
 * The linux.resources files written for the container, in runc's order, and what is not
 * written: refused as runc refuses it, ignored as runc ignores it, or not applied.
 */
export function resourceWrites(
  spec: unknown,
  hierarchies: CgroupHierarchy[],
  specOrigin: (p: JsonPath) => Origin,
  host?: HostView,
): ResourcePlan {
  const r = asObject(get(spec, 'linux', 'resources'));
  const writes: CgroupWrite[] = [];
  const unapplied: JsonPath[] = [];
  const refused: ResourceRefusal[] = [];
  const ignored: ResourceIgnored[] = [];
  const v2 = hierarchies.length === 1 && hierarchies[0].v2;
  const devices = hierarchies.find((h) => !h.v2 && h.name.split(',').includes('devices'));
  if (devices) {
    const origin: Origin = Array.isArray(get(spec, 'linux', 'resources', 'devices'))
      ? specOrigin(['linux', 'resources', 'devices'])
      : {
          kind: 'added',
          reason:
            'runc allows a container only its default devices (null, zero, full, tty, random, urandom, ptmx, pts, tun) and mknod of any',
        };
    for (const w of deviceCgroupWrites(spec))
      writes.push({
        file: `${posix.join(devices.mount, devices.path)}/${w.file}`,
        value: w.value,
        origin,
      });
  }
  if (!r) return { writes, unapplied, refused, ignored };
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
  }

  // On cgroup2 the rules become an eBPF device program (planCgroups' `devices`), as runc's.
  if (!devices && !v2 && Array.isArray(r.devices) && r.devices.length)
    unapplied.push(['linux', 'resources', 'devices']);
  otherResources(r, {
    v2,
    dirOf,
    put,
    refuse: (path, message) => refused.push({ path, message }),
    ignore: (path, message) => ignored.push({ path, message }),
    unapplied: (path) => unapplied.push(path),
    host,
  });
  for (const { path, why } of IGNORED_AS_RUNC)
    if (get(spec, ...path) !== undefined)
      ignored.push({ path, message: `linux.${path.slice(1).join('.')}: ${why}` });
  return { writes, unapplied, refused, ignored };
}

/** The cgroup steps of a launch: create, move the init in, write the limits. */
export function planCgroups(
  spec: unknown,
  host: HostView,
  id: string | undefined,
  specOrigin: (p: JsonPath) => Origin,
):
  | {
      op: 'cgroup';
      hierarchies: CgroupHierarchy[];
      writes: CgroupWrite[];
      devices?: CgroupDeviceRules;
      origin: Origin;
    }
  | undefined {
  const hierarchies = containerCgroups(spec, host, id);
  if (!hierarchies?.length) return undefined;
  const { writes } = resourceWrites(spec, hierarchies, specOrigin, host);
  // A pure cgroup2 host has no devices controller: runc attaches an eBPF program
  // (BPF_CGROUP_DEVICE) made from the same list the v1 files get.
  const v2 = hierarchies.length === 1 && hierarchies[0].v2;
  const devices: CgroupDeviceRules | undefined = v2
    ? {
        ...deviceExceptions(spec),
        origin: Array.isArray(get(spec, 'linux', 'resources', 'devices'))
          ? specOrigin(['linux', 'resources', 'devices'])
          : {
              kind: 'added',
              reason:
                'runc allows a container only its default devices (null, zero, full, tty, random, urandom, ptmx, pts, tun) and mknod of any',
            },
      }
    : undefined;
  const origin: Origin = get(spec, 'linux', 'cgroupsPath')
    ? specOrigin(['linux', 'cgroupsPath'])
    : {
        kind: 'added',
        reason:
          'every container gets a cgroup of its own, as runc gives it (at the container id below the helper’s cgroup unless linux.cgroupsPath says where); it is removed at teardown',
      };
  return { op: 'cgroup', hierarchies, writes, ...(devices ? { devices } : {}), origin };
}

/** The device list a cgroup2 container's eBPF program enforces. */
export interface CgroupDeviceRules {
  defaultAllow: boolean;
  exceptions: DeviceException[];
  origin: Origin;
}
