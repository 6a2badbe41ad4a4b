// linux.seccomp read into the filter the runtime loads.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { planBundle } from '../src';
import { notifies, readSeccomp, renderAction } from '../src/seccompPlan';
import { renderOperation } from '../src/render';
import { requesterInvariantViolations } from '../src/requesterInvariant';
import { baseSpec } from '../../test/baseSpec';
import { engineSpec } from '../../test/engineSpecs';
import { fakeHost } from './fakeHost';

const podman = () => engineSpec('podman');

describe('readSeccomp', () => {
  it("reads podman's profile: default ERRNO(ENOSYS), three architectures, one rule per syscall", () => {
    const spec = podman();
    const f = readSeccomp(spec)!;
    assert.equal(renderAction(f.defaultAction), 'SCMP_ACT_ERRNO(38)');
    assert.deepEqual(f.architectures, ['x86_64', 'x86', 'x32']);
    const names = spec.linux.seccomp.syscalls.flatMap((s: { names: string[] }) => s.names).length;
    assert.equal(f.rules.length + f.skipped, names, 'every name is a rule or skipped');
    assert.ok(f.rules.length > 300, `${f.rules.length} rules`);
    const personality = f.rules.filter((r) => r.syscall === 'personality');
    assert.deepEqual(
      personality.map((r) => r.conditions.map((c) => `arg${c.index} == ${c.value}`).join()),
      ['arg0 == 0', 'arg0 == 8', 'arg0 == 131072', 'arg0 == 131080', 'arg0 == 4294967295'],
    );
  });

  it('takes errnoRet (EPERM without one), splits conditions on one argument, keeps different arguments together, skips default-action rules', () => {
    const f = readSeccomp({
      linux: {
        seccomp: {
          defaultAction: 'SCMP_ACT_ALLOW',
          flags: ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
          syscalls: [
            { names: ['mkdir'], action: 'SCMP_ACT_ERRNO', errnoRet: 18 },
            { names: ['rmdir'], action: 'SCMP_ACT_ERRNO' },
            { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
            {
              names: ['clone'],
              action: 'SCMP_ACT_KILL_PROCESS',
              args: [
                { index: 0, value: 1, op: 'SCMP_CMP_EQ' },
                { index: 0, value: 2, op: 'SCMP_CMP_EQ' },
              ],
            },
            {
              names: ['socket'],
              action: 'SCMP_ACT_LOG',
              args: [
                { index: 0, value: 16, op: 'SCMP_CMP_EQ' },
                { index: 2, value: 9, valueTwo: 9, op: 'SCMP_CMP_MASKED_EQ' },
              ],
            },
            { names: ['ptrace'], action: 'SCMP_ACT_TRACE', errnoRet: 7 },
            { names: ['kill'], action: 'SCMP_ACT_TRAP' },
          ],
        },
      },
    })!;
    assert.deepEqual(f.flags, ['SECCOMP_FILTER_FLAG_LOG', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW']);
    assert.equal(f.skipped, 1);
    assert.deepEqual(
      f.rules.map(
        (r) =>
          `${r.syscall} ${renderAction(r.action)} ${r.conditions.map((c) => `${c.index}:${c.op}:${c.value}:${c.valueTwo}`).join('&')}`,
      ),
      [
        'mkdir SCMP_ACT_ERRNO(18) ',
        'rmdir SCMP_ACT_ERRNO(1) ',
        'clone SCMP_ACT_KILL_PROCESS 0:4:1:0',
        'clone SCMP_ACT_KILL_PROCESS 0:4:2:0',
        'socket SCMP_ACT_LOG 0:4:16:0&2:7:9:9',
        'ptrace SCMP_ACT_TRACE(7) ',
        'kill SCMP_ACT_TRAP ',
      ],
    );
  });

  it('is a readable last step of the plan, without a feature-not-applied warning', () => {
    const spec = baseSpec({ process: { noNewPrivileges: true } });
    spec.linux.seccomp = podman().linux.seccomp;
    const plan = planBundle({ text: JSON.stringify(spec), bundleDir: '/b', host: fakeHost({}) });
    const last = plan.operations.at(-1)!;
    assert.equal(last.op, 'seccomp');
    assert.match(
      renderOperation(last),
      /^seccomp_load\(\d+ rules, default SCMP_ACT_ERRNO\(38\), arch x86_64\|x86\|x32\) right before execve$/,
    );
    assert.deepEqual(
      plan.findings.filter((f) => f.code === 'feature-not-applied'),
      [],
    );
  });
});

describe('seccomp notify', () => {
  const withNotify = (listener: Record<string, unknown>) => {
    const spec = baseSpec({ process: { noNewPrivileges: true } });
    spec.linux.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      ...listener,
      syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
    };
    return planBundle({
      text: JSON.stringify(spec),
      bundleDir: '/b',
      host: fakeHost({ '/b/rootfs': 'dir' }),
    });
  };

  it('names the listener (a relative path from the bundle, as runc dials it) and says so in the plan', () => {
    const plan = withNotify({ listenerPath: 'agent.sock', listenerMetadata: 'mkdir-policy' });
    const op = plan.operations.at(-1)!;
    assert.equal(op.op, 'seccomp');
    if (op.op !== 'seccomp') return;
    assert.deepEqual(op.listener, { path: '/b/agent.sock', metadata: 'mkdir-policy' });
    assert.equal(notifies(op.filter), true);
    assert.deepEqual(
      op.filter.rules.map((r) => `${r.syscall} ${renderAction(r.action)}`),
      ['mkdir SCMP_ACT_NOTIFY', 'mkdirat SCMP_ACT_NOTIFY'],
    );
    assert.match(
      renderOperation(op),
      /right before execve; the listener fd and the container state sent to "\/b\/agent\.sock" \(SCM_RIGHTS\)$/,
    );
    assert.ok(plan.launch, plan.findings.map((f) => `${f.code}: ${f.message}`).join('\n'));
  });

  it('has no listener when nothing notifies (runc sends nothing then)', () => {
    const spec = baseSpec({});
    spec.linux.seccomp = {
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/a.sock',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }],
    };
    const plan = planBundle({ text: JSON.stringify(spec), bundleDir: '/b', host: fakeHost({}) });
    const op = plan.operations.at(-1)!;
    assert.ok(op.op === 'seccomp' && op.listener === undefined && !notifies(op.filter));
  });
});

describe('seccomp for a non-root requester', () => {
  const alice = { uid: 1000, gid: 1000, groups: [1000] };
  /** Alice's plan of a spec with `seccomp`, and what the runtime's last check finds in it. */
  const planForAlice = (seccomp: unknown) => {
    const spec = baseSpec({
      user: { uid: 1000, gid: 1000 },
      readonlyRoot: true,
      process: { noNewPrivileges: true },
    });
    spec.linux.seccomp = seccomp;
    const plan = planBundle({
      text: JSON.stringify(spec),
      bundleDir: '/b',
      host: fakeHost({ '/b/rootfs': 'dir' }),
      stateDir: '/run/bindery/x',
      requester: alice,
    });
    assert.ok(plan.launch, plan.findings.map((f) => f.code).join());
    const violations = requesterInvariantViolations(plan, {
      owner: alice,
      stateDir: '/run/bindery/x',
      launch: plan.launch,
    });
    return { plan, violations };
  };

  it('is allowed: the filter only takes syscalls away, and passes the runtime’s last check', () => {
    const { plan, violations } = planForAlice(podman().linux.seccomp);
    assert.equal(plan.operations.at(-1)?.op, 'seccomp');
    assert.deepEqual(violations, []);
  });

  it('may hand notified calls to its own agent: the runtime connects with its file rights (seccompListener.ts)', () => {
    const { plan, violations } = planForAlice({
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/home/alice/agent.sock',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
    });
    const op = plan.operations.at(-1);
    assert.ok(op?.op === 'seccomp' && op.listener?.path === '/home/alice/agent.sock');
    assert.deepEqual(violations, []);
  });
});
