// The spec's hooks in the plan: one operation per hook, where runc runs it, shown in words;
// no "not applied" warning for root; refused (and never in a runnable plan) for anyone else.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBundle } from '../src/planBundle';
import { launchRefusals } from '../src/refusals';
import { renderOperation } from '../src/render';
import { requesterInvariantViolations } from '../src/requesterInvariant';
import type { HookOp, Operation } from '../src/types';
import { BUNDLE, check, spec, usualHost } from './rules/harness';

const HOOKS = {
  poststop: [{ path: '/usr/bin/cleanup', args: ['cleanup', '-f'] }],
  prestart: [{ path: '/usr/bin/net-setup' }, { path: '/usr/bin/second' }],
  startContainer: [{ path: '/bin/ready', env: ['A=1'], timeout: 3 }],
  createContainer: [{ path: '/usr/bin/in-ns' }],
  poststart: [{ path: '/usr/bin/announce' }],
  createRuntime: [{ path: '/usr/bin/cni', args: ['cni', 'add'], env: [], timeout: 10 }],
};

const planOf = (text: string) => planBundle({ text, bundleDir: BUNDLE, host: usualHost() });
const hooksIn = (ops: Operation[]) => ops.filter((o): o is HookOp => o.op === 'hook');

describe('hooks in the plan (plan/hooksPlan.ts)', () => {
  it('one operation per hook, in runc’s order, each at its place among the steps', () => {
    const plan = planOf(spec((s) => (s.hooks = HOOKS)));
    const ops = plan.operations;
    assert.deepEqual(
      hooksIn(ops).map((h) => `${h.kind}[${h.index}] ${h.path} ${h.runsIn}${h.fatal ? ' fatal' : ''}`),
      [
        'prestart[0] /usr/bin/net-setup runtime fatal',
        'prestart[1] /usr/bin/second runtime fatal',
        'createRuntime[0] /usr/bin/cni runtime fatal',
        'createContainer[0] /usr/bin/in-ns container fatal',
        'startContainer[0] /bin/ready container fatal',
        'poststart[0] /usr/bin/announce runtime',
        'poststop[0] /usr/bin/cleanup runtime',
      ],
    );
    const at = (pred: (o: Operation) => boolean) => ops.findIndex(pred);
    const pivot = at((o) => o.op === 'pivot-root');
    const lastDeviceStep = ops.length - 1 - [...ops].reverse().findIndex((o) => o.op === 'symlink' || o.op === 'mknod');
    const createContainer = at((o) => o.op === 'hook' && o.kind === 'createContainer');
    const prestart = at((o) => o.op === 'hook' && o.kind === 'prestart');
    assert.ok(lastDeviceStep < prestart, 'after every mount and device (runc signals procHooks there)');
    assert.equal(createContainer, pivot - 1, 'createContainer right before pivot_root');
    const firstAfter = ops.findIndex((o, i) => i > pivot && o.op === 'hook');
    assert.ok(
      ops.slice(pivot + 1, firstAfter).every((o) => o.op !== 'hook'),
      'startContainer, poststart and poststop come after every step of the container',
    );
    assert.equal(firstAfter, ops.length - 3);
  });

  it('args, env and timeout as written; no env means the runtime’s', () => {
    const hooks = hooksIn(planOf(spec((s) => (s.hooks = HOOKS))).operations);
    const cni = hooks.find((h) => h.kind === 'createRuntime')!;
    assert.deepEqual([cni.args, cni.env, cni.timeoutSeconds], [['cni', 'add'], [], 10]);
    const pre = hooks.find((h) => h.kind === 'prestart')!;
    assert.deepEqual([pre.args, pre.env, pre.timeoutSeconds], [[], undefined, undefined]);
    assert.deepEqual(cni.origin.kind === 'spec' && cni.origin.path, ['hooks', 'createRuntime', 0]);
  });

  it('renders each hook with where it runs and what a failure does', () => {
    const hooks = hooksIn(planOf(spec((s) => (s.hooks = HOOKS))).operations);
    const text = (kind: string) => renderOperation(hooks.find((h) => h.kind === kind)!);
    assert.equal(
      text('createRuntime'),
      'run createRuntime hook "/usr/bin/cni" argv ["cni", "add"] with the state on stdin, by the runtime on the host, before pivot_root (timeout 10 s, env 0 vars, failure aborts the launch)',
    );
    assert.match(text('startContainer'), /in the container, as the process user, right before execve/);
    assert.match(text('poststop'), /argv \["cleanup", "-f"\].*when the container is deleted \(no timeout, the runtime's env, failure warns\)/);
    assert.match(text('prestart'), /argv \["\/usr\/bin\/net-setup"\]/);
  });

  it('no warning for root: the hooks run', () => {
    const c = check(spec((s) => (s.hooks = HOOKS)));
    assert.deepEqual(
      c.findings.filter((f) => f.path[0] === 'hooks').map((f) => f.code),
      [],
    );
    assert.deepEqual(launchRefusals(planOf(spec((s) => (s.hooks = HOOKS)))), []);
  });

  it('a malformed hook is the schema’s error and no operation', () => {
    const text = spec((s) => (s.hooks = { prestart: [{ path: 'relative/hook' }, { args: ['x'] }] }));
    assert.deepEqual(hooksIn(planOf(text).operations), []);
    assert.ok(check(text).findings.some((f) => f.severity === 'error' && f.path[0] === 'hooks'));
  });

  it('a non-root requester is refused hooks, and a plan with one does not pass the runtime’s check', () => {
    const alice = { uid: 1000, gid: 1000, groups: [] };
    const text = spec((s) => {
      s.hooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'touch /etc/owned'] }] };
      s.process.user = { uid: 1000, gid: 1000 };
    });
    const plan = planBundle({ text, bundleDir: BUNDLE, host: usualHost(), requester: alice, stateDir: '/run/bindery/x' });
    const refusals = launchRefusals(plan);
    assert.ok(refusals.some((f) => f.code === 'peer-hooks' && f.path[0] === 'hooks'), 'peer-hooks blocks the launch');
    const violations = requesterInvariantViolations(plan, {
      owner: alice,
      stateDir: '/run/bindery/x',
      launch: plan.launch ?? planOf(spec()).launch!,
    });
    assert.ok(
      violations.some((v) => /runs the createRuntime hook \/bin\/sh, which only root may/.test(v)),
      violations.join('\n'),
    );
  });
});
