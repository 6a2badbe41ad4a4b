// What a non-root requester may not ask for: warnings that block the launch, on the entry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBundle } from '../../src/planBundle';
import { resolveInRootfs } from '../../src/rules/requesterPolicy';
import type { Finding, HostView, Requester } from '../../src/types';
import { fakeHost } from '../fakeHost';

const alice: Requester = { uid: 1000, gid: 1000, groups: [1000, 27], hardLimits: { RLIMIT_NOFILE: 4096 } };
const root: Requester = { uid: 0, gid: 0, groups: [] };
const tree = fakeHost({
  '/b/rootfs/bin/sh': 'file',
  '/b/rootfs/etc': 'dir',
  '/b/rootfs/sneaky': { symlink: '/proc/sys' },
  '/b/rootfs/fine': { symlink: '/etc' },
  '/home/alice/data': 'dir',
  '/srv/secret': 'dir',
});
/** As alice sees the host: /srv/secret exists but she may not read it. */
const host: HostView = { ...tree, readable: (p) => (p.startsWith('/srv/secret') ? 'is not readable' : tree.lstat(p) ? true : 'does not exist') };

function spec(over: Record<string, unknown> = {}) {
  return {
    ociVersion: '1.0.2',
    process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/', noNewPrivileges: true },
    root: { path: 'rootfs' },
    mounts: [],
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'network' }] },
    ...over,
  };
}

function plan(s: Record<string, unknown>, requester: Requester = alice) {
  return planBundle({ text: JSON.stringify(s, null, 2), bundleDir: '/b', host, stateDir: '/run/bindery/x', requester });
}
const peer = (findings: Finding[]) => findings.filter((f) => f.code.startsWith('peer-'));
const blocking = (s: Record<string, unknown>, r?: Requester) =>
  peer(plan(s, r).findings)
    .filter((f) => f.blocksLaunch)
    .map((f) => f.code)
    .sort();

describe('requester policy (rules/requesterPolicy.ts)', () => {
  it('allows a plain spec of the requester itself', () => {
    const p = plan(spec({ mounts: [{ destination: '/data', type: 'bind', source: '/home/alice/data', options: ['rbind'] }] }));
    assert.deepEqual(peer(p.findings), []);
    assert.ok(p.launch, 'launchable');
  });

  it('refuses another uid, root, a foreign gid or additional gid, each on its node', () => {
    assert.deepEqual(blocking(spec({ process: { user: { uid: 0, gid: 0 }, args: ['/bin/sh'], cwd: '/' } })), ['peer-process-user', 'peer-process-user']);
    assert.deepEqual(blocking(spec({ process: { args: ['/bin/sh'], cwd: '/' } })), ['peer-process-user', 'peer-process-user']);
    const extra = peer(plan(spec({ process: { user: { uid: 1000, gid: 27, additionalGids: [1000, 0] }, args: ['/bin/sh'], cwd: '/', noNewPrivileges: true } })).findings);
    assert.deepEqual(
      extra.map((f) => [f.code, f.severity, f.blocksLaunch, f.path.join('.')]),
      [['peer-process-user', 'warning', true, 'process.user.additionalGids.1']],
    );
    assert.match(extra[0].message, /0 is not one of your groups \(uid 1000 is not root\)/);
  });

  it('drops capabilities beyond the rootless set with a warning, and caps the launch', () => {
    const caps = { bounding: ['CAP_SYS_ADMIN', 'CAP_NET_BIND_SERVICE', 'CAP_KILL'], ambient: ['CAP_DAC_OVERRIDE'] };
    const p = plan(spec({ process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/', capabilities: caps } }));
    assert.deepEqual(
      peer(p.findings).map((f) => [f.code, f.path.join('.'), !!f.blocksLaunch]),
      [
        ['peer-no-new-privileges', 'process', false],
        ['peer-capability', 'process.capabilities.bounding', false],
        ['peer-capability', 'process.capabilities.ambient', false],
      ],
    );
    assert.ok(p.launch);
    // CAP_KILL (21) and CAP_NET_BIND_SERVICE (10): their namespaces are new.
    // CAP_KILL (5) and CAP_NET_BIND_SERVICE (10) stay: their PID and network namespaces are the container's own.
    assert.deepEqual([...(p.launch.process.capabilities?.bounding ?? [])].sort((x, y) => x - y), [5, 10]);
    assert.deepEqual(p.launch.process.capabilities?.ambient, []);
    assert.equal(p.launch.process.noNewPrivileges, true);
  });

  it('gives a process without a capabilities section no more than the rootless bounding set', () => {
    const p = plan(spec({ process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/' }, linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] } }));
    // CAP_AUDIT_WRITE (29), CAP_KILL (5) with the PID namespace; not CAP_NET_BIND_SERVICE (no network namespace).
    assert.deepEqual(p.launch?.process.capabilities, { bounding: [5, 29], effective: [], permitted: [], inheritable: [], ambient: [] });
  });

  it('refuses devices, joined namespaces, user namespaces, hooks, sysctls, labels and cgroup settings', () => {
    const p = plan(
      spec({
        hooks: { prestart: [{ path: '/bin/sh' }] },
        linux: {
          namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'network', path: '/proc/1/ns/net' }, { type: 'user' }],
          devices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0 }],
          sysctl: { 'kernel.panic': '1' },
          mountLabel: 'system_u:object_r:foo',
          resources: { pids: { limit: 10 } },
          cgroupsPath: '/mine',
        },
      }),
    );
    assert.deepEqual(
      peer(p.findings)
        .filter((f) => f.blocksLaunch)
        .map((f) => f.code)
        .sort(),
      ['peer-cgroup', 'peer-cgroup', 'peer-devices', 'peer-hooks', 'peer-namespace-path', 'peer-security-label', 'peer-sysctl', 'peer-user-namespace'],
    );
    assert.ok(peer(p.findings).find((f) => f.code === 'peer-devices')!.range.start.line > 0);
  });

  it('refuses mounts over /proc paths, also through a symlink in the rootfs, and proc anywhere but /proc', () => {
    const p = plan(
      spec({
        mounts: [
          { destination: '/proc', type: 'proc', source: 'proc' },
          { destination: '/proc/sys/kernel', type: 'tmpfs', source: 'tmpfs' },
          { destination: '/sneaky/x', type: 'tmpfs', source: 'tmpfs' },
          { destination: '/fine/x', type: 'tmpfs', source: 'tmpfs' },
          { destination: '/proc/self/attr', type: 'bind', source: '/home/alice/data', options: ['bind'] },
          { destination: '/proc/sys', type: 'proc', source: 'proc' },
        ],
      }),
    );
    assert.deepEqual(
      peer(p.findings).map((f) => `${f.code} ${f.path.join('.')}`),
      ['peer-proc-mount mounts.1.destination', 'peer-proc-mount mounts.2.destination', 'peer-proc-mount mounts.4.destination', 'peer-proc-mount mounts.5.destination'],
    );
  });

  it('refuses /proc without the container’s own PID namespace (the runtime adds /proc)', () => {
    assert.deepEqual(blocking(spec({ linux: { namespaces: [{ type: 'mount' }] } })), ['peer-proc-without-pidns']);
  });

  it('refuses filesystems that expose host storage, and bind sources the requester cannot read', () => {
    assert.deepEqual(blocking(spec({ mounts: [{ destination: '/mnt', type: 'ext4', source: '/dev/sda1' }] })), ['peer-fstype']);
    const p = plan(spec({ mounts: [{ destination: '/s', type: 'bind', source: '/srv/secret', options: ['rbind'] }] }));
    const f = peer(p.findings);
    assert.deepEqual(
      f.map((x) => [x.code, x.path.join('.')]),
      [['peer-bind-source', 'mounts.0.source']],
    );
  });

  it('says rsuid, rdev, suid and dev are ignored, and refuses rrw and idmap', () => {
    const p = plan(spec({ mounts: [{ destination: '/d', type: 'bind', source: '/home/alice/data', options: ['rbind', 'rsuid', 'dev', 'rrw', 'idmap'] }] }));
    assert.deepEqual(
      peer(p.findings).map((f) => [f.code, f.path.join('.'), !!f.blocksLaunch]),
      [
        ['peer-mount-option-ignored', 'mounts.0.options.1', false],
        ['peer-mount-option-ignored', 'mounts.0.options.2', false],
        ['peer-mount-option', 'mounts.0.options.3', true],
        ['peer-user-namespace', 'mounts.0.options.4', true],
      ],
    );
  });

  it('refuses a spec without a mount namespace, whose mounts would be made on the host; root may', () => {
    const s = spec({ linux: { namespaces: [{ type: 'pid' }] } });
    const found = peer(plan(s).findings).filter((f) => f.code === 'peer-host-mount-namespace');
    assert.equal(found.length, 1);
    assert.equal(found[0].blocksLaunch, true);
    assert.deepEqual(found[0].path, ['linux', 'namespaces']);
    assert.match(found[0].message, /no mount namespace.*on the host.*uid 1000 is not root/);
    assert.deepEqual(blocking(s, root), []);
    assert.equal(plan(s, root).launch?.namespaces.hostMount, true);
  });

  it('refuses rlimits above the requester’s own, shared root propagation, negative oom score', () => {
    const s = spec({
      process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/', noNewPrivileges: true, rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1048576, soft: 1024 }], oomScoreAdj: -500 },
      linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }], rootfsPropagation: 'rshared' },
    });
    assert.deepEqual(blocking(s), ['peer-oom-score', 'peer-propagation', 'peer-rlimit']);
    assert.deepEqual(blocking(spec({ process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/', rlimits: [{ type: 'RLIMIT_NOFILE', hard: 4096, soft: 1024 }] } })), []);
  });

  it('allows a process attribute the account could set itself and a seccomp filter; refuses real-time scheduling, negative nice, the real-time I/O class', () => {
    const withAttrs = (scheduler: unknown, ioPriority: unknown) =>
      spec({
        process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/', noNewPrivileges: true, scheduler, ioPriority },
        linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }], personality: { domain: 'LINUX32' }, seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] } },
      });
    const fine = plan(withAttrs({ policy: 'SCHED_BATCH', nice: 5 }, { class: 'IOPRIO_CLASS_IDLE', priority: 0 }));
    assert.deepEqual(peer(fine.findings), []);
    assert.deepEqual(fine.operations.filter((o) => ['scheduler', 'ioprio', 'personality', 'seccomp'].includes(o.op)).map((o) => o.op), ['scheduler', 'ioprio', 'personality', 'seccomp']);
    assert.deepEqual(blocking(withAttrs({ policy: 'SCHED_FIFO', priority: 10 }, { class: 'IOPRIO_CLASS_RT', priority: 0 })), ['peer-io-priority', 'peer-scheduler']);
    const nice = peer(plan(withAttrs({ policy: 'SCHED_OTHER', nice: -5 }, undefined)).findings);
    assert.deepEqual(nice.map((f) => [f.code, f.path.join('.')]), [['peer-scheduler', 'process.scheduler']]);
    assert.match(nice[0].message, /nice value below 0 \(-5\) needs CAP_SYS_NICE \(uid 1000 is not root\)/);
    assert.deepEqual(blocking(withAttrs({ policy: 'SCHED_FIFO', priority: 10 }, { class: 'IOPRIO_CLASS_RT', priority: 0 }), root), []);
  });

  it('lets root do all of it', () => {
    const p = plan(spec({ process: { user: { uid: 0, gid: 0 }, args: ['/bin/sh'], cwd: '/' }, linux: { devices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0 }] } }), root);
    assert.deepEqual(peer(p.findings), []);
  });

  it('resolves destinations inside the rootfs the way the runtime does', () => {
    assert.equal(resolveInRootfs(host, '/b/rootfs', '/sneaky/x'), '/proc/sys/x');
    assert.equal(resolveInRootfs(host, '/b/rootfs', '/fine/../../x'), '/x');
  });
});
