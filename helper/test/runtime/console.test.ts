// process.terminal against the recording fake: the console step after pivot_root (pty from
// the container's /dev/ptmx, size, master handed over and closed, /dev/console bound to
// the slave) and the process set-up making the slave its controlling terminal.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import type { ConsoleOp, Plan, ProcessSetup } from '@bindery/plan';
import { execProcess } from '../../src/runtime/processSetup';
import { RecordingSyscalls } from '../../src/runtime/recordingSyscalls';
import { setupRootfs } from '../../src/runtime/rootfs';
import { ADDED as added } from '../sampleOperations';

const R = '/bundle/rootfs';

const consoleOp: ConsoleOp = {
  op: 'console',
  ptmx: '/dev/ptmx',
  path: '/dev/console',
  size: { rows: 30, cols: 100 },
  origin: added,
};

function plan(): Plan {
  return {
    mounts: [],
    operations: [{ op: 'pivot-root', rootfs: R, origin: added }, consoleOp],
    findings: [],
    rootfs: R,
  };
}

function host(): RecordingSyscalls {
  return new RecordingSyscalls({
    [`${R}/dev/ptmx`]: { link: 'pts/ptmx' },
    [`${R}/dev/pts/ptmx`]: { chr: (5 << 8) | 2 },
    [`${R}/proc`]: 'dir',
  });
}

function run(sys: RecordingSyscalls, deliver?: (m: number) => ReturnType<RecordingSyscalls['sendFd']>) {
  let slave: number | undefined;
  const failure = setupRootfs(plan(), sys, {
    stateDir: '/run/bindery/c1',
    network: { hostname: 'box', ownNetworkNamespace: true },
    emit: () => {},
    ...(deliver ? { deliverMaster: deliver, keepTerminal: (fd: number) => (slave = fd) } : {}),
  });
  return { failure, slave };
}

describe('the console step', () => {
  it('opens the pty in the container, sizes it, hands the master over and binds the slave on /dev/console', () => {
    const sys = host();
    const sent: number[] = [];
    const { failure, slave } = run(sys, (m) => {
      sent.push(m);
      return sys.sendFd(99, m, '/dev/ptmx');
    });
    assert.equal(failure, undefined);
    assert.ok(slave !== undefined);
    const after = sys.calls.slice(sys.calls.findIndex((c) => c.startsWith('pivot_root')) + 1);
    const fromPty = after.slice(after.findIndex((c) => c.startsWith('open_pty')));
    assert.deepEqual(fromPty, [
      'open_pty /dev/ptmx',
      'set_window_size ptmx:0 30x100',
      'send_fd 99 ptmx:0 /dev/ptmx',
      `create ${R}/dev/console 666`,
      `mount fd:${R}/dev/pts/0 fd:${R}/dev/console NULL MS_BIND NULL`,
    ]);
    assert.equal(sent.length, 1, 'the master is sent once');
    // Open: the slave (kept for stdio); closed: the master, the root and the target.
    assert.equal(sys.openFds(), 1, 'only the slave is left open');
  });

  it('fails with words about devpts when the container has no /dev/ptmx, and leaves nothing open', () => {
    const sys = new RecordingSyscalls({ [`${R}/proc`]: 'dir', [`${R}/dev`]: 'dir' });
    const { failure } = run(sys, (m) => sys.sendFd(99, m, 'x'));
    assert.ok(failure);
    assert.equal(failure.errno, 'ENOENT');
    assert.match(failure.message, /cannot open a terminal through \/dev\/ptmx/);
    assert.match(failure.hint, /devpts at \/dev\/pts/);
    assert.equal(sys.openFds(), 0);
  });

  it('closes both ends when the master cannot be handed over', () => {
    const sys = host();
    sys.failOn('send_fd', 'ECONNRESET');
    const { failure } = run(sys, (m) => sys.sendFd(99, m, '/dev/ptmx'));
    assert.ok(failure);
    assert.equal(failure.errno, 'ECONNRESET');
    assert.match(failure.hint, /console socket/);
    assert.equal(sys.openFds(), 0);
  });

  it('refuses to run without a receiver for the master (a launcher fault)', () => {
    const sys = host();
    const { failure } = run(sys);
    assert.ok(failure);
    assert.equal(failure.errno, 'EINVAL');
    assert.ok(!sys.calls.some((c) => c.startsWith('open_pty')));
  });
});

describe('a process with a terminal', () => {
  const p: ProcessSetup = {
    args: ['/bin/sh'],
    env: ['PATH=/bin'],
    cwd: '/',
    uid: 1000,
    gid: 1000,
    additionalGids: [],
    umask: 0o022,
    rlimits: [],
    noNewPrivileges: true,
  };

  it('makes the slave its controlling terminal right after setsid and gives it to the user (runc)', () => {
    const sys = new RecordingSyscalls({ '/bin/sh': 'file', '/dev/ptmx': { chr: (5 << 8) | 2 } });
    const pty = sys.openPty('/dev/ptmx');
    assert.ok(pty.ok);
    const { slave } = pty.value;
    execProcess(sys, p, { stdin: slave, stdout: slave, stderr: slave, terminal: true }, () => {}, () => {});
    const calls = sys.calls.slice(1); // after open_pty
    assert.deepEqual(calls.slice(0, 3), ['setsid', 'set_controlling_terminal /dev/pts/0', 'fchown /dev/pts/0 1000:0']);
    assert.ok(calls.indexOf('fchown /dev/pts/0 1000:0') < calls.indexOf('setresuid 1000'), 'while still root');
    assert.deepEqual(
      calls.filter((c) => c.startsWith('dup3')),
      [`dup3 ${slave} 0 0`, `dup3 ${slave} 1 0`, `dup3 ${slave} 2 0`],
    );
  });

  it('without a terminal, no controlling terminal is set', () => {
    const sys = new RecordingSyscalls({ '/bin/sh': 'file' });
    execProcess(sys, p, { stdin: 20, stdout: 21, stderr: 22 }, () => {}, () => {});
    assert.ok(!sys.calls.some((c) => c.startsWith('set_controlling_terminal') || c.startsWith('fchown')));
  });
});
