// process.apparmorProfile, process.selinuxLabel and linux.mountLabel in the plan: the writes
// right before execve, the context= mount data, and what the editor is told.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { planBundle, type Operation } from '../src';
import { renderOperation } from '../src/render';
import { requesterInvariantViolations } from '../src/requesterInvariant';
import { baseSpec, runcMount } from '../../test/baseSpec';
import { fakeHost, type FakeTree } from './fakeHost';

const SELINUX_HOST: FakeTree = { '/b/rootfs': 'dir', '/sys/kernel': 'dir', '/sys/fs/selinux/enforce': 'file' };

const plan = (change: (s: ReturnType<typeof baseSpec>) => void, tree: FakeTree = { '/b/rootfs': 'dir' }) => {
  const spec = baseSpec();
  change(spec);
  return planBundle({ text: JSON.stringify(spec, null, 2), bundleDir: '/b', host: fakeHost(tree) });
};

const mountData = (ops: readonly Operation[], target: string) =>
  ops.find((o) => o.op === 'mount' && o.target === target && !o.flags.includes('MS_REMOUNT'))?.[
    'data' as never
  ] as string | undefined;

describe('security labels in the plan', () => {
  it('writes the AppArmor profile and the SELinux label as the exact bytes runc writes', () => {
    const p = plan((s) => {
      s.process.apparmorProfile = 'docker-default';
      s.process.selinuxLabel = 'system_u:system_r:container_t:s0:c1,c2';
    });
    const labels = p.operations.filter((o) => o.op === 'exec-label');
    assert.deepEqual(
      labels.map((o) => [o.lsm, o.paths, o.content]),
      [
        [
          'AppArmor',
          ['/proc/thread-self/attr/apparmor/exec', '/proc/thread-self/attr/exec'],
          'exec docker-default',
        ],
        ['SELinux', ['/proc/thread-self/attr/exec'], 'system_u:system_r:container_t:s0:c1,c2'],
      ],
    );
    assert.deepEqual(labels[0].origin, {
      kind: 'spec',
      path: ['process', 'apparmorProfile'],
      range: labels[0].origin.kind === 'spec' ? labels[0].origin.range : undefined,
    });
    assert.equal(
      renderOperation(labels[0]),
      'write("/proc/thread-self/attr/apparmor/exec" or "/proc/thread-self/attr/exec", "exec docker-default") right before execve: the process runs under AppArmor profile "docker-default"',
    );
  });

  it('puts the labels after every other process step and before the seccomp filter', () => {
    const p = plan((s) => {
      s.process.selinuxLabel = 'system_u:system_r:container_t:s0';
      s.linux.personality = { domain: 'LINUX' };
      s.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
    });
    const kinds = p.operations.map((o) => o.op).filter((k) => k !== 'hook');
    assert.deepEqual(kinds.slice(-3), ['personality', 'exec-label', 'seccomp']);
  });

  it('writes nothing for an empty or absent label', () => {
    const p = plan((s) => {
      s.process.apparmorProfile = '';
      s.process.selinuxLabel = '';
    });
    assert.deepEqual(p.operations.filter((o) => o.op === 'exec-label'), []);
  });

  it('adds context="<mountLabel>" to the mounts runc labels, not to proc, sysfs, mqueue or binds', () => {
    const label = 'system_u:object_r:container_file_t:s0:c1,c2';
    const p = plan((s) => (s.linux.mountLabel = label));
    const ops = p.operations;
    assert.equal(mountData(ops, '/dev'), `mode=755,size=65536k,context="${label}"`);
    assert.equal(mountData(ops, '/dev/pts'), `newinstance,ptmxmode=0666,mode=0620,gid=5,context="${label}"`);
    assert.equal(mountData(ops, '/dev/shm'), `mode=1777,size=65536k,context="${label}"`);
    assert.equal(mountData(ops, '/proc'), '');
    assert.equal(mountData(ops, '/sys'), '');
    assert.equal(mountData(ops, '/dev/mqueue'), '');
    const withBind = plan((s) => {
      s.linux.mountLabel = label;
      s.mounts.push({ destination: '/data', type: 'bind', source: '/srv', options: ['rbind'] });
    });
    assert.equal(mountData(withBind.operations, '/data'), '', 'the kernel ignores data on a bind');
  });

  it("labels the tmpfs runc builds /sys/fs/cgroup on for cgroup v1, not cgroup2's mount", () => {
    const label = 'system_u:object_r:container_file_t:s0';
    const v1 = plan(
      (s) => {
        s.linux.mountLabel = label;
        s.mounts.push(runcMount('/sys/fs/cgroup'));
      },
      { '/b/rootfs': 'dir', '/sys/fs/cgroup/memory': 'dir' },
    );
    assert.equal(mountData(v1.operations, '/sys/fs/cgroup'), `mode=755,context="${label}"`);
    const v2 = plan(
      (s) => {
        s.linux.mountLabel = label;
        s.mounts.push(runcMount('/sys/fs/cgroup'));
      },
      { '/b/rootfs': 'dir', '/sys/fs/cgroup/cgroup.controllers': 'file' },
    );
    assert.equal(mountData(v2.operations, '/sys/fs/cgroup'), '');
  });

  it('gives no finding on a host with the module, and refuses on a host without it', () => {
    const labelled = (s: ReturnType<typeof baseSpec>) => {
      s.process.selinuxLabel = 'system_u:system_r:container_t:s0';
      s.linux.mountLabel = 'system_u:object_r:container_file_t:s0';
    };
    const withModule = plan(labelled, SELINUX_HOST);
    assert.deepEqual(
      withModule.findings.filter((f) => /Label|apparmor/.test(f.path?.join('.') ?? '')),
      [],
    );
    assert.ok(withModule.launch, 'launchable where SELinux runs');
    const without = plan(labelled, { '/b/rootfs': 'dir', '/sys/kernel': 'dir' });
    assert.deepEqual(
      without.findings.filter((f) => f.code === 'lsm-not-available').map((f) => f.path?.join('.')),
      ['process.selinuxLabel', 'linux.mountLabel'],
    );
    assert.equal(without.launch, undefined);
  });
});

describe('security labels for a non-root requester', () => {
  const alice = { uid: 1000, gid: 1000, groups: [1000] };
  it("are refused by the plan, and the runtime's last check refuses an exec-label op that got through", () => {
    const spec = baseSpec({ user: { uid: 1000, gid: 1000 }, readonlyRoot: true, process: { noNewPrivileges: true } });
    const input = { bundleDir: '/b', host: fakeHost({ '/b/rootfs': 'dir' }), stateDir: '/run/bindery/x', requester: alice };
    spec.process.apparmorProfile = 'unconfined';
    const refused = planBundle({ ...input, text: JSON.stringify(spec) });
    assert.equal(refused.launch, undefined);
    assert.ok(refused.findings.some((f) => f.code === 'peer-security-label'));

    delete spec.process.apparmorProfile;
    const plan = planBundle({ ...input, text: JSON.stringify(spec) });
    assert.ok(plan.launch, plan.findings.map((f) => f.code).join());
    const ctx = { owner: alice, stateDir: '/run/bindery/x', launch: plan.launch };
    assert.deepEqual(requesterInvariantViolations(plan, ctx), []);
    const smuggled = {
      ...plan,
      operations: [
        ...plan.operations,
        ...planBundle({ ...input, requester: undefined, text: JSON.stringify({ ...spec, process: { ...spec.process, apparmorProfile: 'unconfined' } }) })
          .operations.filter((o) => o.op === 'exec-label'),
      ],
    };
    assert.ok(
      requesterInvariantViolations(smuggled, ctx).includes(
        `operation ${plan.operations.length} (exec-label) sets the AppArmor label "unconfined", which only root may`,
      ),
    );
  });
});
