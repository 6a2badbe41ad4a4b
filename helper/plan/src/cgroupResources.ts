// The linux.resources fields beyond memory, pids and cpu — block I/O, huge pages, network
// classes, RDMA, cgroup2's `unified` — as the files runc writes for them, and what runc 1.1
// does where the host lacks the controller: it refuses the spec ("cannot set hugetlb limit:
// container could not join or create cgroup"; "cannot use unified on cgroup v1"), so the
// plan refuses it too. Fields runc 1.1 reads and then ignores are said as such.
import { asArray, asObject } from './json';
import type { HostView, JsonPath } from './types';

/** A field runc would refuse on this host, and why (an error finding on its key). */
export interface ResourceRefusal {
  path: JsonPath;
  message: string;
}

/** A field runc 1.1 ignores (an information finding: Bindery ignores it the same way). */
export interface ResourceIgnored {
  path: JsonPath;
  message: string;
}

export interface ResourceTarget {
  v2: boolean;
  /** The container's directory in the hierarchy with this controller, undefined when the host has none. */
  dirOf(controller: string): string | undefined;
  /** One file write, in order. */
  put(controller: string, file: string, value: string | number, path: JsonPath): void;
  refuse(path: JsonPath, message: string): void;
  ignore(path: JsonPath, message: string): void;
  /** A field Bindery does not apply on this layout (a warning). */
  unapplied(path: JsonPath): void;
  host?: HostView;
}

const num = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const at = (...p: (string | number)[]): JsonPath => ['linux', 'resources', ...p];

/** runc's words when a controller the spec needs is not mounted (cgroup v1). */
const notMounted = (controller: string) =>
  `this host has no ${controller} controller in its cgroup v1 hierarchies, so the container could not join or create that cgroup; runc refuses the spec the same way ("cannot set ${controller} limit"). Remove the field to run it here.`;

/** cgroup2 io.weight from a blkio weight (10–1000), as runc converts it. */
export function blkioToIoWeight(weight: number): number {
  return weight === 0 ? 0 : Math.floor(1 + ((weight - 10) * 9999) / 990);
}

/**
 * Which v1 weight files the kernel has: CFQ's blkio.weight (kernels before 5.0) or BFQ's
 * blkio.bfq.weight. Only a non-root cgroup shows either, so the hierarchy's root is read for
 * BFQ's statistics instead; runc makes the same choice by looking in the new cgroup.
 */
function blkioWeightFiles(mount: string, host?: HostView): { weight: string; device: string } {
  const names = host?.readdir(mount) ?? [];
  return names.some((n) => n.startsWith('blkio.bfq.')) || !names.length
    ? { weight: 'blkio.bfq.weight', device: 'blkio.bfq.weight_device' }
    : { weight: 'blkio.weight', device: 'blkio.weight_device' };
}

const THROTTLES: [key: string, v1: string, v2: string][] = [
  ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device', 'rbps'],
  ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device', 'wbps'],
  ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device', 'riops'],
  ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device', 'wiops'],
];

function device(o: Record<string, unknown> | undefined): string | undefined {
  return o && num(o.major) && num(o.minor) ? `${o.major}:${o.minor}` : undefined;
}

function blockIO(b: Record<string, unknown>, t: ResourceTarget): void {
  const controller = t.v2 ? 'io' : 'blkio';
  const dir = t.dirOf(controller);
  if (!t.v2 && !dir) {
    t.refuse(at('blockIO'), `linux.resources.blockIO: ${notMounted('blkio')}`);
    return;
  }
  if (t.v2) {
    if (num(b.weight) && b.weight !== 0)
      t.put('io', 'io.weight', blkioToIoWeight(b.weight), at('blockIO', 'weight'));
    asArray(b.weightDevice).forEach((_, i) => t.unapplied(at('blockIO', 'weightDevice', i)));
    for (const [key, , word] of THROTTLES)
      asArray(b[key]).forEach((d, i) => {
        const o = asObject(d);
        const dev = device(o);
        if (dev && num(o?.rate))
          t.put('io', 'io.max', `${dev} ${word}=${o.rate}`, at('blockIO', key, i));
      });
    if (num(b.leafWeight)) t.ignore(at('blockIO', 'leafWeight'), leafWeightIgnored);
    return;
  }
  const files = blkioWeightFiles(hierarchyRoot(dir!), t.host);
  if (num(b.weight) && b.weight !== 0)
    t.put('blkio', files.weight, b.weight, at('blockIO', 'weight'));
  if (num(b.leafWeight) && b.leafWeight !== 0)
    t.put('blkio', 'blkio.leaf_weight', b.leafWeight, at('blockIO', 'leafWeight'));
  asArray(b.weightDevice).forEach((d, i) => {
    const o = asObject(d);
    const dev = device(o);
    if (!dev) return;
    if (num(o?.weight) && o.weight !== 0)
      t.put('blkio', files.device, `${dev} ${o.weight}`, at('blockIO', 'weightDevice', i));
    if (num(o?.leafWeight) && o.leafWeight !== 0)
      t.put(
        'blkio',
        'blkio.leaf_weight_device',
        `${dev} ${o.leafWeight}`,
        at('blockIO', 'weightDevice', i),
      );
  });
  for (const [key, file] of THROTTLES)
    asArray(b[key]).forEach((d, i) => {
      const o = asObject(d);
      const dev = device(o);
      if (dev && num(o?.rate)) t.put('blkio', file, `${dev} ${o.rate}`, at('blockIO', key, i));
    });
}

const leafWeightIgnored =
  'linux.resources.blockIO.leafWeight: cgroup2 has no leaf weights; runc ignores it there, and so does Bindery.';

/** The hierarchy root of a container directory (…/blkio/a/b → …/blkio). */
function hierarchyRoot(dir: string): string {
  const m = /^\/sys\/fs\/cgroup\/[^/]+/.exec(dir);
  return m ? m[0] : dir;
}

function hugepages(list: unknown[], t: ResourceTarget): void {
  if (!t.dirOf('hugetlb')) {
    t.refuse(at('hugepageLimits'), `linux.resources.hugepageLimits: ${notMounted('hugetlb')}`);
    return;
  }
  list.forEach((l, i) => {
    const o = asObject(l);
    if (typeof o?.pageSize !== 'string' || !num(o.limit)) return;
    if (!/^[0-9]+[KMG]B$/.test(o.pageSize)) {
      t.refuse(
        at('hugepageLimits', i, 'pageSize'),
        `linux.resources.hugepageLimits[${i}].pageSize "${o.pageSize}" is not a huge page size in the kernel's words (2MB, 1GB, 64KB…)`,
      );
      return;
    }
    const file = t.v2 ? `hugetlb.${o.pageSize}.max` : `hugetlb.${o.pageSize}.limit_in_bytes`;
    t.put('hugetlb', file, o.limit, at('hugepageLimits', i));
  });
}

function network(n: Record<string, unknown>, t: ResourceTarget): void {
  if (t.v2) {
    // cgroup2 has no net_cls/net_prio; traffic is classified by the cgroup path instead.
    t.unapplied(at('network'));
    return;
  }
  if (num(n.classID) && n.classID !== 0) {
    if (t.dirOf('net_cls'))
      t.put('net_cls', 'net_cls.classid', n.classID, at('network', 'classID'));
    else
      t.refuse(
        at('network', 'classID'),
        `linux.resources.network.classID: ${notMounted('net_cls')}`,
      );
  }
  const prios = asArray(n.priorities);
  if (prios.length && !t.dirOf('net_prio')) {
    t.refuse(
      at('network', 'priorities'),
      `linux.resources.network.priorities: ${notMounted('net_prio')}`,
    );
    return;
  }
  prios.forEach((p, i) => {
    const o = asObject(p);
    if (typeof o?.name === 'string' && num(o.priority))
      t.put(
        'net_prio',
        'net_prio.ifpriomap',
        `${o.name} ${o.priority}`,
        at('network', 'priorities', i),
      );
  });
}

function rdma(r: Record<string, unknown>, t: ResourceTarget): void {
  if (!t.dirOf('rdma')) {
    t.refuse(at('rdma'), `linux.resources.rdma: ${notMounted('rdma')}`);
    return;
  }
  for (const [dev, limits] of Object.entries(r)) {
    const o = asObject(limits);
    const parts = [
      num(o?.hcaHandles) ? `hca_handle=${o.hcaHandles}` : '',
      num(o?.hcaObjects) ? `hca_object=${o.hcaObjects}` : '',
    ].filter(Boolean);
    if (parts.length) t.put('rdma', 'rdma.max', `${dev} ${parts.join(' ')}`, at('rdma', dev));
  }
}

/** cgroup2 files a spec may not write through `unified`: they move processes or controllers. */
const UNIFIED_FORBIDDEN = new Set([
  'cgroup.procs',
  'cgroup.threads',
  'cgroup.subtree_control',
  'cgroup.kill',
  'cgroup.type',
]);

function unified(u: Record<string, unknown>, t: ResourceTarget): void {
  if (!t.v2) {
    t.refuse(
      at('unified'),
      'linux.resources.unified: cgroup2 files, and this host keeps its controllers in cgroup v1 hierarchies; runc refuses the spec the same way ("cannot use unified on cgroup v1"). Use the v1 fields (memory, cpu, …) instead.',
    );
    return;
  }
  for (const [file, value] of Object.entries(u)) {
    if (!/^[a-z0-9_]+\.[a-z0-9_.]+$/.test(file) || UNIFIED_FORBIDDEN.has(file)) {
      t.refuse(
        at('unified', file),
        `linux.resources.unified: "${file}" is not a limit file of the container's cgroup (a single name like memory.high; not ${[...UNIFIED_FORBIDDEN].join(', ')})`,
      );
      continue;
    }
    if (typeof value === 'string') t.put(file.split('.')[0], file, value, at('unified', file));
  }
}

/** blockIO, hugepageLimits, network, rdma, unified: the files written, in runc's order. */
export function otherResources(r: Record<string, unknown>, t: ResourceTarget): void {
  const b = asObject(r.blockIO);
  if (b && Object.keys(b).length) blockIO(b, t);
  const huge = asArray(r.hugepageLimits);
  if (huge.length) hugepages(huge, t);
  const n = asObject(r.network);
  if (n && Object.keys(n).length) network(n, t);
  const rd = asObject(r.rdma);
  if (rd && Object.keys(rd).length) rdma(rd, t);
  const u = asObject(r.unified);
  if (u && Object.keys(u).length) unified(u, t);
}

/** Fields runc 1.1 reads and leaves alone, with what it means. */
export const IGNORED_AS_RUNC: { path: JsonPath; why: string }[] = [
  {
    path: at('memory', 'kernel'),
    why: 'runc 1.1 ignores kernel memory limits (the kernel deprecated memory.kmem.limit_in_bytes), and so does Bindery: kernel memory counts against memory.limit.',
  },
  {
    path: at('memory', 'kernelTCP'),
    why: 'runc 1.1 ignores the kernel TCP buffer limit, and so does Bindery.',
  },
  {
    path: at('memory', 'useHierarchy'),
    why: 'runc 1.1 leaves memory.use_hierarchy alone (kernels since 5.16 are always hierarchical), and so does Bindery.',
  },
  {
    path: at('memory', 'checkBeforeUpdate'),
    why: 'only `runc update` reads it (a new limit below the current usage is refused); a launch ignores it.',
  },
  {
    path: at('cpu', 'burst'),
    why: 'runc 1.1 ignores cpu.burst (runc 1.2 writes cpu.cfs_burst_us), and so does Bindery.',
  },
  {
    path: at('cpu', 'idle'),
    why: 'runc 1.1 ignores cpu.idle (runc 1.2 writes it), and so does Bindery.',
  },
];
