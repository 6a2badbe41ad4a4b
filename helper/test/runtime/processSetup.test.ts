// The process set-up sequence, call by call, against the recording fake.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  planProcessAttrs,
  renderProcessAttr,
  SECCOMP_ACTIONS,
  type ExecLabelOp,
  type ProcessSetup,
  type SeccompOp,
} from '@bindery/plan';
import { execProcess, findExecutable } from '../../src/runtime/processSetup';
import { RecordingSyscalls } from '../../src/runtime/recordingSyscalls';
import { PROC_SUPER_MAGIC } from '../../src/runtime/syscalls';

const base: ProcessSetup = {
  args: ['sh', '-c', 'true'],
  env: ['PATH=/usr/bin:/bin', 'A=1'],
  cwd: '/work',
  uid: 1000,
  gid: 100,
  additionalGids: [5, 6],
  umask: 0o027,
  rlimits: [{ name: 'RLIMIT_NOFILE', resource: 7, soft: 64, hard: 128 }],
  noNewPrivileges: true,
  capabilities: { bounding: [5, 10], effective: [5], permitted: [5], inheritable: [], ambient: [] },
};

describe('execProcess', () => {
  it('sets up the process in runc order and execs it last', () => {
    const sys = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
    let umask = -1;
    let beforeExec = false;
    const f = execProcess(
      sys,
      base,
      { stdin: 20, stdout: 21, stderr: 22 },
      (m) => (umask = m),
      () => {
        beforeExec = true;
      },
    );
    assert.equal(
      f.message,
      'EIO: execve returned',
      'the fake execve returns; the real one does not',
    );
    assert.equal(umask, 0o027);
    assert.ok(beforeExec);
    const dropped = Array.from({ length: 41 }, (_, c) => c)
      .filter((c) => c !== 5 && c !== 10)
      .map((c) => `prctl 24 ${c}`);
    assert.deepEqual(sys.calls, [
      'setsid',
      'prlimit 7 64 128',
      // Before a seccomp filter could be loaded (an older profile lacks close_range).
      'close_range 3 4294967295 4',
      ...dropped,
      'prctl 8 1',
      'setgroups [5,6]',
      'setresgid 100',
      'setresuid 1000',
      'prctl 8 0',
      'capset e=20 p=20 i=0',
      'prctl 38 1',
      'fchdir fd:/work',
      'dup3 20 0 0',
      'dup3 21 1 0',
      'dup3 22 2 0',
      'reset_signals',
      'prctl 1 0',
      // No HOME in env and no /etc/passwd in the container: `/`, as runc.
      'execve /bin/sh ["sh","-c","true"] ["PATH=/usr/bin:/bin","A=1","HOME=/"]',
    ]);
    assert.equal(sys.openFds(), 0);
  });

  it("takes HOME from the container's /etc/passwd when env has none, keeps one that is set", () => {
    const run = (env: string[], uid: number, passwd?: string) => {
      const sys = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
      if (passwd !== undefined) sys.setContent('/etc/passwd', passwd);
      execProcess(
        sys,
        { ...base, env, uid },
        { stdin: 0, stdout: 1, stderr: 2 },
        () => {},
        () => {},
      );
      return JSON.parse(sys.calls.at(-1)!.replace(/^execve \S+ \[[^\]]*\] /, '')) as string[];
    };
    const passwd = 'root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000:app:/home/app:/bin/sh\n';
    assert.deepEqual(run(['A=1'], 1000, passwd), ['A=1', 'HOME=/home/app']);
    assert.deepEqual(run(['A=1'], 0, passwd), ['A=1', 'HOME=/root']);
    assert.deepEqual(run(['A=1'], 4242, passwd), ['A=1', 'HOME=/'], 'a uid not in passwd gets /');
    assert.deepEqual(run(['HOME=/data'], 1000, passwd), ['HOME=/data']);
    assert.deepEqual(
      run(['A=1'], 0, 'x'.repeat((1 << 20) + 1)),
      ['A=1', 'HOME=/'],
      'an oversized passwd is not read',
    );
  });

  it('gives a process whose spec lists no capabilities none, and goes on when an ambient one is refused (runc)', () => {
    const sys = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
    execProcess(
      sys,
      { ...base, uid: 0, capabilities: undefined },
      { stdin: 0, stdout: 1, stderr: 2 },
      () => {},
      () => {},
    );
    assert.ok(sys.calls.includes('capset e=0 p=0 i=0'));
    assert.equal(
      sys.calls.filter((c) => c.startsWith('prctl 24 ')).length,
      41,
      'every capability leaves the bounding set',
    );
    const amb = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
    amb.failOn('prctl', 'EPERM', 'prctl 47 2 5');
    const caps = { bounding: [5], effective: [5], permitted: [5], inheritable: [], ambient: [5] };
    const f = execProcess(
      amb,
      { ...base, capabilities: caps },
      { stdin: 0, stdout: 1, stderr: 2 },
      () => {},
      () => {},
    );
    assert.equal(f.message, 'EIO: execve returned', 'the launch goes on to execve');
    assert.ok(amb.calls.includes('prctl 47 2 5 = EPERM'));
  });

  it('loads the seccomp filter right before execve with no_new_privs, before the capabilities drop without', () => {
    const filter = {
      defaultAction: SECCOMP_ACTIONS.SCMP_ACT_ALLOW,
      architectures: ['x86_64'],
      flags: [],
      rules: [],
      skipped: 0,
    };
    const origin = { kind: 'added' as const, reason: 'test' };
    const late = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
    const op = { op: 'seccomp' as const, filter, beforeExecve: true, origin };
    execProcess(
      late,
      base,
      { stdin: 0, stdout: 1, stderr: 2 },
      () => {},
      () => {},
      op,
    );
    assert.deepEqual(late.calls.slice(-3), [
      'prctl 1 0',
      'seccomp_load default=SCMP_ACT_ALLOW arch=x86_64 rules=0',
      'execve /bin/sh ["sh","-c","true"] ["PATH=/usr/bin:/bin","A=1","HOME=/"]',
    ]);
    const early = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
    execProcess(
      early,
      { ...base, noNewPrivileges: false },
      { stdin: 0, stdout: 1, stderr: 2 },
      () => {},
      () => {},
      { ...op, beforeExecve: false },
    );
    assert.deepEqual(early.calls.slice(1, 4), [
      'prlimit 7 64 128',
      'close_range 3 4294967295 4',
      'seccomp_load default=SCMP_ACT_ALLOW arch=x86_64 rules=0',
    ]);
    const missing = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
    missing.failOn('seccomp_load', 'ENOSYS');
    const f = execProcess(
      missing,
      base,
      { stdin: 0, stdout: 1, stderr: 2 },
      () => {},
      () => {},
      op,
    );
    assert.match(f.hint, /libseccomp2/);
    assert.ok(!missing.calls.some((c) => c.startsWith('execve')), 'never runs unfiltered');
  });

  it('sets the scheduler, I/O priority and personality the plan reads, as root, before a seccomp filter and the capabilities drop', () => {
    const spec = {
      process: {
        scheduler: { policy: 'SCHED_RR', priority: 10, flags: ['SCHED_FLAG_RESET_ON_FORK'] },
        ioPriority: { class: 'IOPRIO_CLASS_RT', priority: 3 },
      },
      linux: { personality: { domain: 'LINUX32' } },
    };
    const attrs = planProcessAttrs(spec, () => ({ kind: 'added', reason: 'test' }));
    assert.deepEqual(attrs.map(renderProcessAttr), [
      'sched_setattr(0, {sched_policy=SCHED_RR, sched_flags=SCHED_FLAG_RESET_ON_FORK, sched_priority=10}, 0)',
      'ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(IOPRIO_CLASS_RT, 3))',
      'personality(PER_LINUX32)',
    ]);
    const filter = {
      defaultAction: SECCOMP_ACTIONS.SCMP_ACT_ALLOW,
      architectures: [],
      flags: [],
      rules: [],
      skipped: 0,
    };
    const seccomp = {
      op: 'seccomp' as const,
      filter,
      beforeExecve: false,
      origin: attrs[0].origin,
    };
    const sys = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
    execProcess(
      sys,
      { ...base, noNewPrivileges: false },
      { stdin: 0, stdout: 1, stderr: 2 },
      () => {},
      () => {},
      seccomp,
      attrs,
    );
    assert.deepEqual(sys.calls.slice(1, 7), [
      'prlimit 7 64 128',
      'sched_setattr policy=2 flags=1 nice=0 priority=10 runtime=0 deadline=0 period=0',
      'ioprio_set class=1 data=3',
      'personality 0x8',
      'close_range 3 4294967295 4',
      'seccomp_load default=SCMP_ACT_ALLOW arch= rules=0',
    ]);

    const refused = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
    refused.failOn('sched_setattr', 'EPERM');
    const f = execProcess(
      refused,
      base,
      { stdin: 0, stdout: 1, stderr: 2 },
      () => {},
      () => {},
      undefined,
      attrs,
    );
    assert.equal(f.message, 'EPERM: cannot set the scheduling policy SCHED_RR');
    assert.match(f.hint, /CAP_SYS_NICE/);
    assert.ok(!refused.calls.some((c) => c.startsWith('execve')), 'never runs without it');
  });

  it('stops before execve when the uid cannot be set, naming it', () => {
    const sys = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir' });
    sys.failOn('setresuid', 'EPERM');
    const f = execProcess(
      sys,
      base,
      { stdin: 0, stdout: 1, stderr: 2 },
      () => {},
      () => {},
    );
    assert.equal(f.message, 'EPERM: cannot switch to uid 1000');
    assert.ok(!sys.calls.some((c) => c.startsWith('execve')));
  });

  it('finds args[0] through the spec PATH, and says so when it cannot', () => {
    const sys = new RecordingSyscalls({ '/usr/local/bin/tool': 'file' });
    assert.equal(findExecutable(sys, 'tool', ['PATH=/bin:/usr/local/bin']), '/usr/local/bin/tool');
    assert.equal(findExecutable(sys, 'tool', ['PATH=/bin']), undefined);
    const f = execProcess(
      sys,
      { ...base, args: ['missing'], cwd: '/' },
      { stdin: 0, stdout: 1, stderr: 2 },
      () => {},
      () => {},
    );
    assert.equal(f.errno, 'ENOENT');
    assert.match(f.message, /missing not found in the PATH/);
  });
});

describe('execProcess: AppArmor and SELinux exec labels', () => {
  const origin = { kind: 'added' as const, reason: 'test' };
  const apparmor: ExecLabelOp = {
    op: 'exec-label',
    lsm: 'AppArmor',
    label: 'docker-default',
    paths: ['/proc/thread-self/attr/apparmor/exec', '/proc/thread-self/attr/exec'],
    content: 'exec docker-default',
    origin,
  };
  const selinux: ExecLabelOp = {
    op: 'exec-label',
    lsm: 'SELinux',
    label: 'system_u:system_r:container_t:s0',
    paths: ['/proc/thread-self/attr/exec'],
    content: 'system_u:system_r:container_t:s0',
    origin,
  };
  const EXECVE = 'execve /bin/sh ["sh","-c","true"] ["PATH=/usr/bin:/bin","A=1","HOME=/"]';
  const withProc = (tree: Record<string, 'file' | 'dir'>) => {
    const sys = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir', ...tree });
    sys.fsMagic.set('/proc', PROC_SUPER_MAGIC);
    return sys;
  };
  const run = (sys: RecordingSyscalls, labels: ExecLabelOp[], seccomp?: SeccompOp, p = base) =>
    execProcess(sys, p, { stdin: 0, stdout: 1, stderr: 2 }, () => {}, () => {}, seccomp, labels);

  it('writes the profile after every other step, right before execve, and closes the file', () => {
    const sys = withProc({ '/proc/thread-self/attr/apparmor/exec': 'file', '/proc/thread-self/attr/exec': 'file' });
    const f = run(sys, [apparmor]);
    assert.equal(f.message, 'EIO: execve returned');
    assert.deepEqual(sys.calls.slice(-3), [
      'prctl 1 0',
      'write fd:/proc/thread-self/attr/apparmor/exec "exec docker-default"',
      EXECVE,
    ]);
    assert.equal(sys.openFds(), 0);
  });

  it("falls back to the shared attr file on a kernel without AppArmor's own, writes SELinux's label there", () => {
    const sys = withProc({ '/proc/thread-self/attr/exec': 'file' });
    run(sys, [apparmor, selinux]);
    assert.deepEqual(sys.calls.slice(-3), [
      'write fd:/proc/thread-self/attr/exec "exec docker-default"',
      'write fd:/proc/thread-self/attr/exec "system_u:system_r:container_t:s0"',
      EXECVE,
    ]);
  });

  it('writes before the seccomp filter, wherever it is loaded', () => {
    const filter = { defaultAction: SECCOMP_ACTIONS.SCMP_ACT_ALLOW, architectures: ['x86_64'], flags: [], rules: [], skipped: 0 };
    const op: SeccompOp = { op: 'seccomp', filter, beforeExecve: true, origin };
    const late = withProc({ '/proc/thread-self/attr/exec': 'file' });
    run(late, [selinux], op);
    assert.deepEqual(late.calls.slice(-4), [
      'prctl 1 0',
      'write fd:/proc/thread-self/attr/exec "system_u:system_r:container_t:s0"',
      'seccomp_load default=SCMP_ACT_ALLOW arch=x86_64 rules=0',
      EXECVE,
    ]);
    const early = withProc({ '/proc/thread-self/attr/exec': 'file' });
    run(early, [selinux], { ...op, beforeExecve: false }, { ...base, noNewPrivileges: false });
    assert.deepEqual(early.calls.slice(2, 5), [
      'close_range 3 4294967295 4',
      'write fd:/proc/thread-self/attr/exec "system_u:system_r:container_t:s0"',
      'seccomp_load default=SCMP_ACT_ALLOW arch=x86_64 rules=0',
    ]);
    assert.equal(early.calls.filter((c) => c.startsWith('write fd:/proc')).length, 1, 'written once');
  });

  it('never execs unlabelled: a refused write, a missing file, a /proc that is not procfs', () => {
    const refused = withProc({ '/proc/thread-self/attr/exec': 'file' });
    refused.failOn('write', 'EINVAL', '/proc/thread-self/attr/exec');
    const f = run(refused, [selinux]);
    assert.equal(
      f.message,
      'EINVAL: the kernel refused the SELinux label "system_u:system_r:container_t:s0" (/proc/thread-self/attr/exec)',
    );
    assert.match(f.hint, /process\.selinuxLabel/);
    assert.ok(!refused.calls.some((c) => c.startsWith('execve')));
    assert.equal(refused.openFds(), 0);

    const none = withProc({});
    const g = run(none, [apparmor]);
    assert.equal(g.errno, 'ENOENT');
    assert.match(g.message, /none of \/proc\/thread-self\/attr\/apparmor\/exec, \/proc\/thread-self\/attr\/exec exists/);
    assert.ok(!none.calls.some((c) => c.startsWith('execve')));

    const fake = new RecordingSyscalls({ '/bin/sh': 'file', '/work': 'dir', '/proc/thread-self/attr/exec': 'file' });
    const h = run(fake, [selinux]);
    assert.equal(h.errno, 'EXDEV');
    assert.match(h.message, /is not on procfs/);
    assert.ok(!fake.calls.some((c) => c.startsWith('write fd:/proc') || c.startsWith('execve')));
    assert.equal(fake.openFds(), 0);
  });
});
