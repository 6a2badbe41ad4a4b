// The container's cgroup in the plan: where (runc's default or linux.cgroupsPath), in which
// hierarchies and order, and the limits written.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { planBundle } from '../src';
import {
  containerCgroups,
  deviceCgroupWrites,
  resourceWrites,
  sharesToWeight,
} from '../src/cgroupPlan';
import { blkioToIoWeight } from '../src/cgroupResources';
import { renderOperation } from '../src/render';
import type { HostView } from '../src/types';
import { baseSpec, runcMount } from '../../test/baseSpec';
import { fakeHost } from './fakeHost';

/** This project's machines: cgroup v1 per controller, name=systemd, cgroup2 at unified. */
function hybridHost(): HostView {
  const tree: Record<string, 'dir' | 'file'> = { '/b/rootfs': 'dir' };
  for (const n of ['cpu', 'cpuacct', 'memory', 'pids', 'systemd', 'unified'])
    tree[`/sys/fs/cgroup/${n}`] = 'dir';
  const cgroup = '5:name=systemd:/\n4:pids:/\n3:memory:/jobs/42\n2:cpuacct:/\n1:cpu:/\n0::/\n';
  return { ...fakeHost(tree), readFile: (p) => (p === '/proc/self/cgroup' ? cgroup : null) };
}

function v2Host(): HostView {
  return {
    ...fakeHost({ '/b/rootfs': 'dir', '/sys/fs/cgroup/cgroup.controllers': 'file' }),
    readFile: (p) => (p === '/proc/self/cgroup' ? '0::/user.slice/helper.service\n' : null),
  };
}

const origin = () => ({ kind: 'added' as const, reason: '' });

describe('containerCgroups', () => {
  it("puts the container at its id below the helper's own cgroup, in hierarchy order (runc's default)", () => {
    const h = containerCgroups({}, hybridHost(), 'c1')!;
    assert.deepEqual(
      h.map((x) => `${x.mount}${x.path}`),
      [
        '/sys/fs/cgroup/unified/c1',
        '/sys/fs/cgroup/cpu/c1',
        '/sys/fs/cgroup/cpuacct/c1',
        '/sys/fs/cgroup/memory/jobs/42/c1',
        '/sys/fs/cgroup/pids/c1',
        '/sys/fs/cgroup/systemd/c1',
      ],
    );
  });

  it('takes an absolute cgroupsPath from each root, a relative one below the own cgroup', () => {
    const abs = containerCgroups(
      { linux: { cgroupsPath: '/bindery/../x/c1' } },
      hybridHost(),
      'c1',
    )!;
    assert.ok(abs.every((x) => x.path === '/x/c1'));
    const rel = containerCgroups({ linux: { cgroupsPath: 'group/c1' } }, hybridHost(), 'c1')!;
    assert.equal(rel.find((x) => x.name === 'memory')!.path, '/jobs/42/group/c1');
    assert.deepEqual(containerCgroups({}, v2Host(), 'c1'), [
      { mount: '/sys/fs/cgroup', name: '', path: '/user.slice/helper.service/c1', v2: true },
    ]);
  });
});

describe('resourceWrites', () => {
  const resources = {
    linux: {
      resources: {
        memory: { limit: 67108864, reservation: 33554432, swap: 134217728, swappiness: 10 },
        pids: { limit: 64 },
        cpu: { shares: 512, quota: 50000, period: 100000 },
        devices: [{ allow: false, access: 'rwm' }],
      },
    },
  };

  it('writes v1 files, period before quota, and names what it does not apply', () => {
    const h = containerCgroups({}, hybridHost(), 'c1')!;
    const { writes, unapplied } = resourceWrites(resources, h, origin);
    assert.deepEqual(
      writes.map((w) => `${w.file}=${w.value}`),
      [
        '/sys/fs/cgroup/memory/jobs/42/c1/memory.limit_in_bytes=67108864',
        '/sys/fs/cgroup/memory/jobs/42/c1/memory.soft_limit_in_bytes=33554432',
        '/sys/fs/cgroup/memory/jobs/42/c1/memory.memsw.limit_in_bytes=134217728',
        '/sys/fs/cgroup/memory/jobs/42/c1/memory.swappiness=10',
        '/sys/fs/cgroup/pids/c1/pids.max=64',
        '/sys/fs/cgroup/cpu/c1/cpu.shares=512',
        '/sys/fs/cgroup/cpu/c1/cpu.cfs_period_us=100000',
        '/sys/fs/cgroup/cpu/c1/cpu.cfs_quota_us=50000',
      ],
    );
    assert.deepEqual(unapplied, [['linux', 'resources', 'devices']]);
  });

  it('converts to cgroup2 files on a v2 host (runc: weight from shares, swap alone)', () => {
    const h = containerCgroups({}, v2Host(), 'c1')!;
    const { writes } = resourceWrites(resources, h, origin);
    const dir = '/sys/fs/cgroup/user.slice/helper.service/c1';
    assert.deepEqual(
      writes.map((w) => `${w.file.slice(dir.length + 1)}=${w.value}`),
      [
        'memory.max=67108864',
        'memory.low=33554432',
        'memory.swap.max=67108864',
        'pids.max=64',
        `cpu.weight=${sharesToWeight(512)}`,
        'cpu.max=50000 100000',
      ],
    );
    assert.equal(sharesToWeight(1024), 39);
  });

  it('enforces devices with an eBPF program on a v2 host (runc), listed in the step; no warning', () => {
    const spec = baseSpec({});
    spec.linux.resources = {
      devices: [
        { allow: false, access: 'rwm' },
        { allow: true, type: 'c', major: 1, minor: 11, access: 'r' },
      ],
    };
    const plan = planBundle({
      text: JSON.stringify(spec),
      bundleDir: '/b',
      host: v2Host(),
      stateDir: '/run/bindery/c1',
    });
    const op = plan.operations[0];
    assert.ok(op.op === 'cgroup' && op.devices);
    assert.equal(op.devices.defaultAllow, false);
    assert.ok(
      op.devices.exceptions.some(
        (e) => e.type === 'c' && e.major === 1 && e.minor === 11 && e.access === 'r',
      ),
    );
    assert.match(
      renderOperation(op),
      /; bpf\(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE: default deny, allow b \*:\* m, c \*:\* m, c 1:3 rwm, .*c 1:11 r, .*c 136:\* rwm\)$/,
    );
    assert.deepEqual(
      plan.findings.filter((f) => f.code === 'feature-not-applied'),
      [],
    );
    // A hybrid host has the v1 devices controller (no program), as runc uses it there.
    const hybrid = planBundle({
      text: JSON.stringify(spec),
      bundleDir: '/b',
      host: hybridHost(),
      stateDir: '/run/bindery/c1',
    });
    assert.ok(hybrid.operations[0].op === 'cgroup' && hybrid.operations[0].devices === undefined);
  });

  it('is the first, readable step of the plan, and the cgroup mount binds the container’s own cgroup', () => {
    const spec = baseSpec({ mounts: [runcMount('/sys/fs/cgroup')] });
    spec.linux.resources = { pids: { limit: 64 } };
    const plan = planBundle({
      text: JSON.stringify(spec),
      bundleDir: '/b',
      host: hybridHost(),
      stateDir: '/run/bindery/c1',
    });
    assert.equal(
      renderOperation(plan.operations[0]),
      'cgroup_create_and_join(unified:/c1, cpu:/c1, cpuacct:/c1, memory:/jobs/42/c1, pids:/c1, systemd:/c1); write pids/pids.max="64"',
    );
    const text = plan.operations.map(renderOperation);
    assert.ok(
      text.includes(
        'mount("/sys/fs/cgroup/memory/jobs/42/c1", "/sys/fs/cgroup/memory", NULL, MS_BIND|MS_REC, NULL)',
      ),
    );
    const order = text
      .filter((t) => t.startsWith('mkdir("/sys/fs/cgroup/'))
      .map((t) => t.split('"')[1]);
    assert.deepEqual(order, [
      '/sys/fs/cgroup/cpu',
      '/sys/fs/cgroup/cpuacct',
      '/sys/fs/cgroup/memory',
      '/sys/fs/cgroup/pids',
      '/sys/fs/cgroup/systemd',
    ]);
  });
});

describe('deviceCgroupWrites', () => {
  const line = (w: { file: string; value: string }) => `${w.file} ${w.value}`;
  const DEFAULTS = [
    'devices.allow b *:* m',
    'devices.allow c *:* m',
    'devices.allow c 1:3 rwm',
    'devices.allow c 1:5 rwm',
    'devices.allow c 1:7 rwm',
    'devices.allow c 1:8 rwm',
    'devices.allow c 1:9 rwm',
    'devices.allow c 5:0 rwm',
    'devices.allow c 5:2 rwm',
    'devices.allow c 10:200 rwm',
    'devices.allow c 136:* rwm',
  ];

  it("gives every container runc's whitelist: deny all, then its default devices in order", () => {
    assert.deepEqual(deviceCgroupWrites({}).map(line), ['devices.deny a', ...DEFAULTS]);
    assert.deepEqual(
      deviceCgroupWrites({
        linux: { resources: { devices: [{ allow: false, access: 'rwm' }] } },
      }).map(line),
      ['devices.deny a', ...DEFAULTS],
    );
  });

  it("adds the spec's allow rules, merges permissions, and drops what a later deny takes back", () => {
    const writes = deviceCgroupWrites({
      linux: {
        resources: {
          devices: [
            { allow: false, access: 'rwm' },
            { allow: true, type: 'c', major: 10, minor: 229, access: 'r' },
            { allow: true, type: 'c', major: 10, minor: 229, access: 'w' },
            { allow: true, type: 'b', major: 8, minor: 0, access: 'rw' },
            { allow: false, type: 'b', major: 8, minor: 0, access: 'rw' },
          ],
        },
      },
    }).map(line);
    assert.ok(writes.includes('devices.allow c 10:229 rw'));
    assert.ok(!writes.some((w) => w.includes('b 8:0')));
    assert.ok(
      writes.indexOf('devices.allow c 10:200 rwm') < writes.indexOf('devices.allow c 10:229 rw'),
      'ordered by major, then minor',
    );
  });
});

describe('resourceWrites: blockIO, hugetlb, network, rdma, unified', () => {
  /** This machine's layout: blkio (with BFQ) but no hugetlb, net_cls or rdma in v1. */
  function blkioHost(): HostView {
    const tree: Record<string, 'dir' | 'file'> = { '/b/rootfs': 'dir' };
    for (const n of ['blkio', 'memory', 'unified']) tree[`/sys/fs/cgroup/${n}`] = 'dir';
    tree['/sys/fs/cgroup/blkio/blkio.bfq.io_serviced'] = 'file';
    const cgroup = '3:blkio:/\n2:memory:/\n0::/\n';
    return { ...fakeHost(tree), readFile: (p) => (p === '/proc/self/cgroup' ? cgroup : null) };
  }
  const dev = { major: 254, minor: 0 };
  const of = (spec: unknown, host: HostView) =>
    resourceWrites(spec, containerCgroups(spec, host, 'c1')!, origin, host);

  it('writes v1 blkio files as runc: BFQ weight files on a kernel without CFQ, throttles per device', () => {
    const r = of(
      {
        linux: {
          resources: {
            blockIO: {
              weight: 500,
              weightDevice: [{ ...dev, weight: 300 }],
              throttleReadBpsDevice: [{ ...dev, rate: 1048576 }],
              throttleWriteIOPSDevice: [{ ...dev, rate: 100 }],
            },
          },
        },
      },
      blkioHost(),
    );
    assert.deepEqual(
      r.writes.filter((w) => w.file.includes('/blkio/')).map((w) => `${w.file}=${w.value}`),
      [
        '/sys/fs/cgroup/blkio/c1/blkio.bfq.weight=500',
        '/sys/fs/cgroup/blkio/c1/blkio.bfq.weight_device=254:0 300',
        '/sys/fs/cgroup/blkio/c1/blkio.throttle.read_bps_device=254:0 1048576',
        '/sys/fs/cgroup/blkio/c1/blkio.throttle.write_iops_device=254:0 100',
      ],
    );
    assert.deepEqual([r.refused, r.unapplied], [[], []]);
  });

  it('refuses what runc refuses on this layout: hugetlb, net_cls, net_prio, rdma, unified', () => {
    const r = of(
      {
        linux: {
          resources: {
            hugepageLimits: [{ pageSize: '2MB', limit: 0 }],
            network: { classID: 1048577, priorities: [{ name: 'lo', priority: 3 }] },
            rdma: { mlx5_1: { hcaHandles: 3 } },
            unified: { 'memory.high': '1' },
          },
        },
      },
      blkioHost(),
    );
    assert.deepEqual(
      r.refused.map((x) => x.path.join('.')),
      [
        'linux.resources.hugepageLimits',
        'linux.resources.network.classID',
        'linux.resources.network.priorities',
        'linux.resources.rdma',
        'linux.resources.unified',
      ],
    );
    assert.match(
      r.refused[0].message,
      /no hugetlb controller .* runc refuses the spec the same way/,
    );
    assert.match(r.refused[4].message, /cannot use unified on cgroup v1/);
    assert.deepEqual(
      r.writes.filter((w) => !w.file.includes('/devices')),
      [],
    );
  });

  it('converts to cgroup2 files on a v2 host, and refuses a unified key that is not a limit file', () => {
    const r = of(
      {
        linux: {
          resources: {
            blockIO: { weight: 500, throttleReadBpsDevice: [{ ...dev, rate: 7 }] },
            hugepageLimits: [{ pageSize: '2MB', limit: 4194304 }],
            rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 100 } },
            unified: { 'memory.high': '100000000', 'cgroup.procs': '1', '../x': '1' },
            network: { classID: 1 },
          },
        },
      },
      v2Host(),
    );
    const dir = '/sys/fs/cgroup/user.slice/helper.service/c1/';
    assert.deepEqual(
      r.writes.map((w) => `${w.file.replace(dir, '')}=${w.value}`),
      [
        `io.weight=${blkioToIoWeight(500)}`,
        'io.max=254:0 rbps=7',
        'hugetlb.2MB.max=4194304',
        'rdma.max=mlx5_1 hca_handle=3 hca_object=100',
        'memory.high=100000000',
      ],
    );
    assert.deepEqual(
      r.refused.map((x) => x.path.join('.')),
      ['linux.resources.unified.cgroup.procs', 'linux.resources.unified.../x'],
    );
    assert.deepEqual(r.unapplied, [['linux', 'resources', 'network']]);
    assert.equal(blkioToIoWeight(10), 1);
    assert.equal(blkioToIoWeight(1000), 10000);
  });

  it('says which fields runc 1.1 ignores, and writes nothing for them', () => {
    const r = of(
      { linux: { resources: { memory: { kernel: 1, kernelTCP: 1 }, cpu: { burst: 1, idle: 1 } } } },
      blkioHost(),
    );
    assert.deepEqual(
      r.ignored.map((x) => x.path.join('.')),
      [
        'linux.resources.memory.kernel',
        'linux.resources.memory.kernelTCP',
        'linux.resources.cpu.burst',
        'linux.resources.cpu.idle',
      ],
    );
    assert.deepEqual(
      r.writes.filter((w) => !w.file.includes('/devices')),
      [],
    );
  });

  it('makes the rule refuse the spec on the host, on the key (an error blocks the launch)', () => {
    const spec = baseSpec();
    spec.linux.resources = { hugepageLimits: [{ pageSize: '2MB', limit: 0 }] };
    const plan = planBundle({ text: JSON.stringify(spec), bundleDir: '/b', host: blkioHost() });
    const f = plan.findings.filter((x) => x.code === 'resource-not-available');
    assert.deepEqual(
      f.map((x) => `${x.severity} ${x.path.join('.')}`),
      ['error linux.resources.hugepageLimits'],
    );
  });
});
