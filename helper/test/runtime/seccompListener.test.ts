// SCMP_ACT_NOTIFY's hand-off against the recording fake: the agent reached with the owner's
// rights, runc's container process state, and the fd sent right after the filter is loaded.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ProcessSetup, SeccompOp } from '@bindery/plan';
import { SECCOMP_ACTIONS } from '@bindery/plan';
import { execProcess } from '../../src/runtime/processSetup';
import { RecordingSyscalls } from '../../src/runtime/recordingSyscalls';
import { connectSeccompAgent } from '../../src/runtime/seccompListener';

const proc: ProcessSetup = {
  args: ['/bin/sh'],
  env: ['PATH=/bin'],
  cwd: '/',
  uid: 0,
  gid: 0,
  additionalGids: [],
  umask: 0o022,
  rlimits: [],
  noNewPrivileges: true,
};
const origin = { kind: 'added' as const, reason: 'test' };
const notifying: SeccompOp = {
  op: 'seccomp',
  filter: {
    defaultAction: SECCOMP_ACTIONS.SCMP_ACT_ALLOW,
    architectures: [],
    flags: [],
    rules: [{ syscall: 'mkdir', action: SECCOMP_ACTIONS.SCMP_ACT_NOTIFY, conditions: [] }],
    skipped: 0,
  },
  beforeExecve: true,
  listener: { path: '/run/agent.sock', metadata: 'm' },
  origin,
};
const subject = { id: 'c1', bundle: '/b', annotations: { z: '1', a: '2' } };
const ROOT = { uid: 0, gid: 0, groups: [] };
/** The container's own process, launched for root. */
const connectForRoot = (sys: RecordingSyscalls) =>
  connectSeccompAgent(sys, notifying, ROOT, subject, 'creating', 'self');

function fake(): RecordingSyscalls {
  const sys = new RecordingSyscalls({ '/bin/sh': 'file', '/proc/self': 'dir' });
  sys.setContent('/proc/self/status', 'Name:\tnode\nNSpid:\t4242\t1\n');
  return sys;
}

describe('seccomp listener', () => {
  it("connects with the owner's file rights and carries runc's container process state", () => {
    const sys = fake();
    const alice = { uid: 1000, gid: 1000, groups: [1000] };
    const agent = connectSeccompAgent(sys, notifying, alice, subject, 'creating', 'self');
    assert.ok(agent.ok && agent.value);
    assert.deepEqual(
      sys.calls.filter((c) => /setfsidentity|connect_unix/.test(c)),
      ['setfsidentity 1000:1000:1000', 'connect_unix /run/agent.sock', 'setfsidentity own'],
    );
    assert.deepEqual(JSON.parse(agent.value.message), {
      ociVersion: '1.1.0',
      fds: ['seccompFd'],
      pid: 4242,
      metadata: 'm',
      state: {
        ociVersion: '1.1.0',
        id: 'c1',
        status: 'creating',
        pid: 4242,
        bundle: '/b',
        annotations: { a: '2', z: '1' },
      },
    });
    // An exec'd process: its own pid, the container's in the state.
    const exec = connectSeccompAgent(fake(), notifying, alice, subject, 'running', 77);
    assert.ok(exec.ok && exec.value);
    const m = JSON.parse(exec.value.message);
    assert.deepEqual([m.pid, m.state.pid, m.state.status], [4242, 77, 'running']);
  });

  it('connects to nothing when the filter has no listener, and fails on a missing socket', () => {
    const sys = fake();
    const none = connectSeccompAgent(
      sys,
      { ...notifying, listener: undefined },
      { uid: 0, gid: 0, groups: [] },
      subject,
      'creating',
      'self',
    );
    assert.deepEqual(none, { ok: true, value: undefined });
    assert.equal(sys.calls.length, 0);
    sys.failOn('connect_unix', 'ECONNREFUSED');
    const refused = connectForRoot(sys);
    assert.equal(refused.ok, false);
    assert.ok(
      sys.calls.at(-1) === 'setfsidentity own',
      'root rights are back after a failed connect',
    );
  });

  it('sends the listener fd right after loading the filter, and closes both; a failed send never execs', () => {
    const run = (sys: RecordingSyscalls) => {
      const agent = connectForRoot(sys);
      assert.ok(agent.ok && agent.value);
      const opened = sys.openFds();
      const f = execProcess(
        sys,
        proc,
        { stdin: 0, stdout: 1, stderr: 2 },
        () => {},
        () => {},
        notifying,
        [],
        agent.value,
      );
      return { f, leaked: sys.openFds() - opened };
    };
    const sys = fake();
    const { f, leaked } = run(sys);
    assert.equal(f.message, 'EIO: execve returned', 'the fake execve returns');
    const at = sys.calls.findIndex((c) => c.startsWith('seccomp_load'));
    assert.match(
      sys.calls[at + 1],
      /^send_fd socket:\/run\/agent\.sock seccomp-listener \{"ociVersion"/,
    );
    assert.match(sys.calls[at + 2], /^execve /);
    assert.equal(
      leaked,
      -1,
      'the agent socket and the listener fd are closed (the socket was opened before)',
    );

    const broken = fake();
    broken.failOn('send_fd', 'EPIPE');
    const r = run(broken);
    assert.match(r.f.message, /cannot send the seccomp listener fd to the agent/);
    assert.ok(!broken.calls.some((c) => c.startsWith('execve')));
  });
});
