// The container init's whole launch sequence — namespaces, every planned operation, pivot_root,
// the process set-up, execve — against the recording fake, from a real plan: no root needed.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { planBundle, realHostView, type Plan } from '@bindery/plan';
import { initRequest } from '../../src/runtime/container';
import { redirectInitMessages, runInit } from '../../src/runtime/init';
import type { InitMessage } from '../../src/runtime/initProtocol';
import { RecordingSyscalls } from '../../src/runtime/recordingSyscalls';
import { baseSpec } from '../baseSpec';

const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-init-'));
after(() => fs.rmSync(bundle, { recursive: true, force: true }));
const rootfs = path.join(bundle, 'rootfs');
const ROOTFS_DIRS = ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp'];
for (const d of ROOTFS_DIRS) fs.mkdirSync(path.join(rootfs, d), { recursive: true });
fs.writeFileSync(path.join(rootfs, 'bin', 'sh'), '', { mode: 0o755 });
const STATE = '/run/bindery/init-test';

function planned(): Plan {
  const spec = baseSpec({ args: ['/bin/sh', '-c', 'true'] });
  const plan = planBundle({
    text: JSON.stringify(spec),
    bundleDir: bundle,
    host: realHostView(),
    stateDir: STATE,
  });
  assert.deepEqual(
    plan.findings.filter((f) => f.severity === 'error'),
    [],
  );
  return plan;
}

/** The host as the init sees it: the bundle's rootfs, the state directory, /dev/null. */
function kernel(): RecordingSyscalls {
  const sys = new RecordingSyscalls({
    ...Object.fromEntries(ROOTFS_DIRS.map((d) => [path.join(rootfs, d), 'dir' as const])),
    [path.join(rootfs, 'bin', 'sh')]: 'file',
    [STATE]: 'dir',
    [`${STATE}/stdout`]: 'file',
    [`${STATE}/stderr`]: 'file',
    '/dev/null': { chr: 0x103 },
    '/etc/resolv.conf': 'file',
  });
  return sys;
}

function launch(sys: RecordingSyscalls, plan: Plan): { code: number; messages: InitMessage[] } {
  const req = initRequest(
    { id: 'init-test', plan, owner: { uid: 0, gid: 0 }, bundleDir: '/bundles/init-test' },
    plan.launch!,
    STATE,
    {
      stdout: `${STATE}/stdout`,
      stderr: `${STATE}/stderr`,
    },
  );
  // The fake cannot move this process into a new mount namespace: the init's check that it
  // left the host's compares against a namespace this process is not in.
  req.hostMountNamespace = 'mnt:[host]';
  req.expectPid1 = false;
  const messages: InitMessage[] = [];
  redirectInitMessages((text) => {
    // Several whole lines at once: a run of operation lines leaves together.
    for (const line of text.split('\n').filter(Boolean)) messages.push(JSON.parse(line) as InitMessage);
  });
  const umask = process.umask();
  try {
    return { code: runInit(req, sys), messages };
  } finally {
    process.umask(umask);
  }
}

describe('the init’s launch sequence (recording fake)', () => {
  it('unshares first, performs every planned operation in order, pivots, and execs the process last', () => {
    const plan = planned();
    const sys = kernel();
    const { messages } = launch(sys, plan);
    const names = sys.calls.map((c) => c.split(' ')[0]);
    assert.equal(names[0], 'unshare', 'the namespaces come before any mount');
    const firstMount = names.indexOf('mount');
    const pivot = names.indexOf('pivot_root');
    const exec = names.indexOf('execve');
    assert.ok(firstMount > 0 && pivot > firstMount && exec > pivot, sys.calls.join('\n'));
    assert.equal(exec, names.length - 1, 'execve is the last call');
    assert.match(sys.calls[exec], /^execve \/bin\/sh \["\/bin\/sh","-c","true"\]/);
    assert.match(sys.calls[firstMount], /MS_REC\|MS_PRIVATE|MS_PRIVATE\|MS_REC/);
    // One event per planned operation, in the plan's order, each done (the seccomp filter is
    // loaded by the process set-up, without an event).
    const events = messages.flatMap((m) => (m.type === 'operation' ? [m.outcome] : []));
    assert.deepEqual(
      events.map((e) => e.index),
      plan.operations.flatMap((o, i) => (o.op === 'seccomp' ? [] : [i])),
    );
    assert.deepEqual(
      events.filter((e) => !e.ok).map((e) => e.message),
      [],
    );
    // 'exec' is said right before execve, after every operation (the fake's execve returns,
    // which a real one does only on failure).
    const execAt = messages.findIndex((m) => m.type === 'exec');
    assert.ok(execAt > messages.map((m) => m.type).lastIndexOf('operation'));
  });

  it('stops at a failed mount: reports the operation, and never pivots or execs', () => {
    const plan = planned();
    const sys = kernel();
    sys.failOn('mount', 'EPERM', '/proc');
    const { code, messages } = launch(sys, plan);
    assert.equal(code, 1);
    const failure = messages.find((m) => m.type === 'operation-failure');
    assert.ok(failure && failure.type === 'operation-failure');
    assert.equal(failure.failure.errno, 'EPERM');
    const names = sys.calls.map((c) => c.split(' ')[0]);
    assert.ok(!names.includes('pivot_root') && !names.includes('execve'), sys.calls.join('\n'));
  });

  it('stops before any mount when unshare fails', () => {
    const plan = planned();
    const sys = kernel();
    sys.failOn('unshare', 'EPERM');
    const { code, messages } = launch(sys, plan);
    assert.equal(code, 1);
    assert.ok(!sys.calls.some((c) => c.startsWith('mount')));
    const stage = messages.find((m) => m.type === 'stage-failure');
    assert.ok(stage && stage.type === 'stage-failure' && stage.failure.stage === 'namespaces');
  });
});

describe('the init’s terminal receiver (recording fake)', () => {
  function terminalLaunch(launcherConnects: boolean) {
    const spec = baseSpec({ args: ['/bin/sh'], terminal: true });
    const plan = planBundle({
      text: JSON.stringify(spec),
      bundleDir: bundle,
      host: realHostView(),
      stateDir: STATE,
    });
    const sys = kernel();
    const req = initRequest(
      { id: 'init-test', plan, owner: { uid: 0, gid: 0 }, bundleDir: '/bundles/init-test' },
      plan.launch!,
      STATE,
      { stdout: `${STATE}/stdout`, stderr: `${STATE}/stderr` },
      '/engine/console.sock',
    );
    req.hostMountNamespace = 'mnt:[host]';
    req.expectPid1 = false;
    // The launcher's connection, as the init inherits it (made before the init's calls are looked at).
    const connected = launcherConnects ? sys.connectUnix('/engine/console.sock') : undefined;
    if (connected?.ok) req.consoleSocketFd = connected.value;
    const before = sys.calls.length;
    const messages: InitMessage[] = [];
    redirectInitMessages((text) => {
      for (const line of text.split('\n').filter(Boolean)) messages.push(JSON.parse(line) as InitMessage);
    });
    const umask = process.umask();
    try {
      runInit(req, sys);
    } finally {
      process.umask(umask);
    }
    return { sys, calls: sys.calls.slice(before), messages, fd: req.consoleSocketFd };
  }

  it('connects to the console socket by its path when the launcher passed no connection', () => {
    const { calls } = terminalLaunch(false);
    assert.ok(
      calls.some((c) => c.startsWith('connect_unix /engine/console.sock')),
      calls.join('\n'),
    );
    assert.ok(
      calls.some((c) => /^send_fd socket:\/engine\/console\.sock ptmx:0 /.test(c)),
      calls.join('\n'),
    );
  });

  it('sends the master over the launcher’s connection, connecting to nothing (a mapped root may not reach the path)', () => {
    const { sys, calls, fd } = terminalLaunch(true);
    assert.ok(fd !== undefined);
    assert.ok(!calls.some((c) => c.startsWith('connect_unix')), calls.join('\n'));
    assert.ok(
      calls.some((c) => /^send_fd socket:\/engine\/console\.sock ptmx:0 /.test(c)),
      calls.join('\n'),
    );
    assert.equal(sys.close(fd).ok, false, 'the init closed the connection once the master went');
  });
});
