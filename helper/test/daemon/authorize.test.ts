// The peer policy as a pure function: what a non-root peer is refused, what root is not,
// and the nosuid/nodev the plan gets for a non-root peer.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkLaunch, maySee, parseLimits, resolveInRootfs, restrictPlan, type Peer } from '../../src/daemon/authorize';
import { parseSpec } from '../../src/plan/document';
import { planBundle } from '../../src/plan/planBundle';
import type { MountOp, Operation, SetattrOp } from '../../src/plan/types';
import { fakeHost } from '../plan/fakeHost';

const alice: Peer = { pid: 1, uid: 1000, gid: 1000, groups: [1000, 27] };
const root: Peer = { pid: 1, uid: 0, gid: 0, groups: [] };
const host = fakeHost({
  '/b/rootfs/bin/sh': 'file',
  '/b/rootfs/etc': 'dir',
  '/b/rootfs/sneaky': { symlink: '/proc/sys' },
  '/b/rootfs/fine': { symlink: '/etc' },
  '/home/alice/data': 'dir',
  '/srv/secret': 'dir',
});

function spec(over: Record<string, unknown> = {}) {
  return {
    ociVersion: '1.0.2',
    process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/' },
    root: { path: 'rootfs' },
    mounts: [],
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'network' }] },
    ...over,
  };
}

function check(peer: Peer, s: Record<string, unknown>, limits = { RLIMIT_NOFILE: 4096 }) {
  const text = JSON.stringify(s, null, 2);
  const plan = planBundle({ text, bundleDir: '/b', host, stateDir: '/run/bindery/x' });
  return { plan, ...checkLaunch(peer, parseSpec(text), plan, host, limits) };
}
const codes = (r: { denials: { code: string }[] }) => r.denials.map((d) => d.code).sort();

describe('peer policy', () => {
  it('lets the owner and root see a container, nobody else', () => {
    assert.equal(maySee(alice, 1000), true);
    assert.equal(maySee(root, 1000), true);
    assert.equal(maySee({ ...alice, uid: 1001 }, 1000), false);
  });

  it('allows a plain spec for the peer itself, asking to read its rootfs and bind sources as the peer', () => {
    const r = check(alice, spec({ mounts: [{ destination: '/data', type: 'bind', source: '/home/alice/data', options: ['rbind'] }] }));
    assert.deepEqual(r.denials, []);
    assert.deepEqual(
      r.mustRead.map((m) => [m.what, m.path]),
      [
        ['rootfs', '/b/rootfs'],
        ['mounts[0] (/data): bind source', '/home/alice/data'],
      ],
    );
  });

  it('refuses another uid, root, a foreign gid or additional gid', () => {
    assert.deepEqual(codes(check(alice, spec({ process: { user: { uid: 0, gid: 0 }, args: ['/bin/sh'], cwd: '/' } }))), ['peer-process-user', 'peer-process-user']);
    assert.deepEqual(codes(check(alice, spec({ process: { args: ['/bin/sh'], cwd: '/' } }))), ['peer-process-user', 'peer-process-user']);
    assert.deepEqual(codes(check(alice, spec({ process: { user: { uid: 1000, gid: 27, additionalGids: [1000, 0] }, args: ['/bin/sh'], cwd: '/' } }))), ['peer-process-user']);
  });

  it('refuses capabilities beyond the rootless set, and KILL without a PID namespace', () => {
    const caps = { bounding: ['CAP_SYS_ADMIN', 'CAP_NET_BIND_SERVICE'], ambient: ['CAP_DAC_OVERRIDE'] };
    const r = check(alice, spec({ process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/', capabilities: caps } }));
    assert.deepEqual(
      r.denials.map((d) => d.path.join('.')),
      ['process.capabilities.bounding.0', 'process.capabilities.ambient.0'],
    );
    const noPidns = check(
      alice,
      spec({ process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/', capabilities: { bounding: ['CAP_KILL'] } }, linux: { namespaces: [{ type: 'mount' }] } }),
    );
    assert.deepEqual(codes(noPidns), ['peer-capability', 'peer-proc-without-pidns']);
  });

  it('refuses devices, joined namespaces, user namespaces, hooks, sysctls and labels', () => {
    const r = check(
      alice,
      spec({
        hooks: { prestart: [{ path: '/bin/sh' }] },
        linux: {
          namespaces: [{ type: 'pid' }, { type: 'network', path: '/proc/1/ns/net' }, { type: 'user' }],
          devices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0 }],
          sysctl: { 'kernel.panic': '1' },
          mountLabel: 'system_u:object_r:foo',
        },
      }),
    );
    assert.deepEqual(codes(r), ['peer-devices', 'peer-hooks', 'peer-namespace-path', 'peer-security-label', 'peer-sysctl', 'peer-user-namespace']);
    // Each denial points at its entry in the file.
    const dev = r.denials.find((d) => d.code === 'peer-devices')!;
    assert.ok(dev.range.start.line > 0);
  });

  it('refuses mounts over /proc paths, also through a symlink in the rootfs, but not /proc itself', () => {
    const r = check(
      alice,
      spec({
        mounts: [
          { destination: '/proc', type: 'proc', source: 'proc' },
          { destination: '/proc/sys/kernel', type: 'tmpfs', source: 'tmpfs' },
          { destination: '/sneaky/x', type: 'tmpfs', source: 'tmpfs' },
          { destination: '/fine/x', type: 'tmpfs', source: 'tmpfs' },
          { destination: '/proc/self/attr', type: 'bind', source: '/home/alice/data', options: ['bind'] },
        ],
      }),
    );
    assert.deepEqual(
      r.denials.map((d) => `${d.code} ${d.path.join('.')}`),
      ['peer-proc-mount mounts.1.destination', 'peer-proc-mount mounts.2.destination', 'peer-proc-mount mounts.4.destination'],
    );
  });

  it('refuses a proc mount without the container’s own PID namespace', () => {
    const r = check(alice, spec({ mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }], linux: { namespaces: [{ type: 'mount' }] } }));
    assert.deepEqual(codes(r), ['peer-proc-without-pidns']);
    // Also the /proc the runtime adds when the spec has none.
    assert.deepEqual(codes(check(alice, spec({ linux: { namespaces: [{ type: 'mount' }] } }))), ['peer-proc-without-pidns']);
  });

  it('refuses filesystems that expose host storage', () => {
    const r = check(alice, spec({ mounts: [{ destination: '/mnt', type: 'ext4', source: '/dev/sda1' }] }));
    assert.deepEqual(codes(r), ['peer-fstype']);
  });

  it('refuses rlimits above the peer’s own, shared root propagation, negative oom score', () => {
    const r = check(
      alice,
      spec({
        process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/', rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1024 }], oomScoreAdj: -500 },
        linux: { namespaces: [{ type: 'pid' }], rootfsPropagation: 'rshared' },
      }),
    );
    assert.deepEqual(codes(r), ['peer-oom-score', 'peer-propagation', 'peer-rlimit']);
    const ok = check(alice, spec({ process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/', rlimits: [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 1024 }] } }));
    assert.deepEqual(ok.denials, []);
  });

  it('lets root do all of it', () => {
    const r = check(root, spec({ process: { user: { uid: 0, gid: 0 }, args: ['/bin/sh'], cwd: '/' }, linux: { devices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0 }] } }));
    assert.deepEqual(r.denials, []);
    assert.deepEqual(r.mustRead, []);
  });

  it('parses /proc/PID/limits', () => {
    const l = parseLimits(
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\nMax core file size        0                    unlimited            bytes\n',
    );
    assert.equal(l.RLIMIT_NOFILE, 524288);
    assert.equal(l.RLIMIT_CORE, Infinity);
  });

  it('resolves destinations inside the rootfs the way the runtime does', () => {
    assert.equal(resolveInRootfs(host, '/b/rootfs', '/sneaky/x'), '/proc/sys/x');
    assert.equal(resolveInRootfs(host, '/b/rootfs', '/fine/../../x'), '/x');
  });
});

describe('restrictPlan', () => {
  const s = spec({
    mounts: [
      { destination: '/data', type: 'bind', source: '/home/alice/data', options: ['rbind', 'ro'] },
      { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
    ],
  });
  const { plan } = check(alice, s);
  const restricted = restrictPlan(alice, plan);
  const mounts = (ops: Operation[]) => ops.filter((o): o is MountOp => o.op === 'mount');

  it('leaves root’s plan alone', () => {
    assert.equal(restrictPlan(root, plan), plan);
  });

  it('puts nosuid and nodev on every new mount and every remount', () => {
    const scratch = mounts(restricted.operations).find((o) => o.target === '/scratch' && o.purpose === 'mount')!;
    assert.ok(scratch.flags.includes('MS_NOSUID') && scratch.flags.includes('MS_NODEV'));
    const remount = mounts(restricted.operations).find((o) => o.target === '/data' && o.purpose === 'remount')!;
    assert.deepEqual(remount.flags.filter((f) => f === 'MS_RDONLY' || f === 'MS_NOSUID' || f === 'MS_NODEV').sort(), ['MS_NODEV', 'MS_NOSUID', 'MS_RDONLY']);
  });

  it('follows every bind (the rootfs too) with a recursive nosuid,nodev setattr', () => {
    const ops = restricted.operations;
    for (const [i, op] of ops.entries()) {
      if (op.op !== 'mount' || !op.flags.includes('MS_BIND') || op.flags.includes('MS_REMOUNT') || op.purpose === 'mask') continue;
      const next = ops[i + 1] as SetattrOp;
      assert.equal(next.op, 'setattr', `after ${op.target}`);
      assert.equal(next.target, op.target);
      assert.equal(next.recursive, true);
      assert.deepEqual(next.attrSet, ['MOUNT_ATTR_NOSUID', 'MOUNT_ATTR_NODEV']);
    }
    assert.ok(ops.some((o) => o.op === 'setattr' && o.target === '/b/rootfs' && o.targetScope === 'host'));
  });

  it('keeps nodev on a bind of a host directory at /dev, also through its ro remount', () => {
    // A bind remount sets the mount's flags outright: without MS_NODEV it would clear the
    // setattr's nodev, and device nodes the peer owns on some filesystem (a USB stick) would open.
    const { plan: devPlan } = check(alice, spec({ mounts: [{ destination: '/dev', type: 'bind', source: '/home/alice/data', options: ['rbind', 'ro'] }] }));
    const devOps = mounts(restrictPlan(alice, devPlan).operations).filter((o) => o.target === '/dev');
    assert.ok(devOps.some((o) => o.flags.includes('MS_REMOUNT')), 'the ro remount is planned');
    for (const o of devOps.filter((o) => o.flags.includes('MS_REMOUNT'))) assert.ok(o.flags.includes('MS_NODEV'), JSON.stringify(o.flags));
  });

  it('keeps /dev able to hold the default device nodes, nosuid only', () => {
    const dev = mounts(restricted.operations).find((o) => o.target === '/dev' && o.purpose === 'mount')!;
    assert.ok(dev.flags.includes('MS_NOSUID'));
    assert.ok(!dev.flags.includes('MS_NODEV'));
  });
});
