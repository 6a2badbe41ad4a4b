// containerd runs containers through `bindery` (`ctr run --runc-binary`, which its runc shim
// calls as it would call runc). containerd is the test's own: started with a config in a
// scratch folder (root, state, sockets) and stopped at the end; the runtime's state
// (--runc-root) and the I/O fifos (--fifo-dir) are there too.
import { strict as assert } from 'node:assert';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { after, describe, it, type TestContext } from 'node:test';
import { FAILURES_DIR } from '../../src/runtime/ociFailures';
import { BINDERY, needsEngine, Podman, run, Scratch } from './engineHarness';

const IMAGE = 'localhost/bindery-busybox:latest';
const NS = 'bindery-test';

interface Env {
  scratch: Scratch;
  containerd: ChildProcess;
  ctr(args: string[], timeoutMs?: number): ReturnType<typeof run>;
  /** ctr's flags for a container run through bindery. */
  runFlags: string[];
}

let env: Env | undefined;
/** /run/containerd existed before: containerd's shims keep their sockets there (not configurable in 1.6). */
const runContainerdExisted = fs.existsSync('/run/containerd');

async function start(): Promise<Env> {
  const scratch = new Scratch();
  const sock = scratch.path('containerd.sock');
  const config = scratch.path('config.toml');
  fs.writeFileSync(
    config,
    [
      'version = 2',
      `root = "${scratch.path('containerd', 'root')}"`,
      `state = "${scratch.path('containerd', 'state')}"`,
      // The CRI plugin would set up networking (CNI) on the host.
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${sock}"`,
      '[ttrpc]',
      `  address = "${sock}.ttrpc"`,
      '',
    ].join('\n'),
  );
  const containerd = scratch.spawnDaemon(
    'containerd',
    ['--config', config],
    scratch.path('containerd.log'),
  );
  const ctr = (args: string[], timeoutMs = 60_000) =>
    run('ctr', ['--address', sock, '--namespace', NS, ...args], { timeout: timeoutMs });
  for (let i = 0; ; i++) {
    if (ctr(['version']).status === 0) break;
    if (i > 100 || containerd.exitCode !== null)
      throw new Error(
        `containerd did not start: ${fs.readFileSync(scratch.path('containerd.log'), 'utf8')}`,
      );
    await new Promise((r) => setTimeout(r, 200));
  }
  // The image: busybox imported into podman (from a rootfs tarball), saved, imported here.
  const podman = new Podman(scratch);
  podman.importBusybox(IMAGE);
  const archive = scratch.path('image.tar');
  const saved = podman.run(['save', '--output', archive, IMAGE]);
  if (saved.status !== 0) throw new Error(`podman save: ${saved.stderr}`);
  const imported = ctr(['image', 'import', archive]);
  if (imported.status !== 0) throw new Error(`ctr image import: ${imported.stderr}`);
  podman.cleanup();
  fs.mkdirSync(scratch.path('fifo'));
  return {
    scratch,
    containerd,
    ctr,
    runFlags: [
      '--runc-binary',
      BINDERY,
      '--runc-root',
      scratch.path('runtime-state'),
      '--fifo-dir',
      scratch.path('fifo'),
    ],
  };
}

let starting: Promise<Env> | undefined;
async function engine(t: TestContext): Promise<Env | undefined> {
  if (!needsEngine(t, 'containerd', 'ctr', 'containerd-shim-runc-v2', 'podman')) return undefined;
  env ??= await (starting ??= start());
  return env;
}

describe('containerd with ctr --runc-binary bindery (root)', () => {
  after(async () => {
    if (env) {
      for (const id of ['once', 'detached', 'status']) {
        env.ctr(['task', 'delete', '--force', id], 20_000);
        env.ctr(['container', 'delete', id], 20_000);
      }
      await env.scratch.cleanup();
    }
    // What the shims made under /run/containerd, when the test made it (empty by now).
    if (!runContainerdExisted) fs.rmSync('/run/containerd', { recursive: true, force: true });
  });

  it('run --rm prints the output and passes the exit status', async (t: TestContext) => {
    const e = await engine(t);
    if (!e) return;
    const r = e.ctr([
      'run',
      '--rm',
      ...e.runFlags,
      IMAGE,
      'once',
      '/bin/echo',
      'hello from containerd',
    ]);
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stdout, 'hello from containerd\n');
    const s = e.ctr(['run', '--rm', ...e.runFlags, IMAGE, 'status', '/bin/sh', '-c', 'exit 3']);
    assert.equal(s.status, 3, s.stderr);
    assert.deepEqual(
      fs.readdirSync(e.scratch.path('runtime-state', NS)).filter((n) => n !== FAILURES_DIR),
      [],
    );
  });

  it('detached: task exec, task kill and task delete without hanging', async (t: TestContext) => {
    const e = await engine(t);
    if (!e) return;
    const d = e.ctr(['run', '--detach', ...e.runFlags, IMAGE, 'detached', '/bin/sleep', '300']);
    assert.equal(d.status, 0, d.stderr);
    assert.match(e.ctr(['task', 'ls']).stdout, /^detached\s+\d+\s+RUNNING$/m);
    const x = e.ctr([
      'task',
      'exec',
      '--exec-id',
      'x1',
      '--fifo-dir',
      e.scratch.path('fifo'),
      'detached',
      '/bin/sh',
      '-c',
      'echo in-exec; cat /proc/1/comm',
    ]);
    assert.equal(x.status, 0, x.stderr);
    assert.equal(x.stdout, 'in-exec\nsleep\n');
    // The shim learns of the exit only by reaping the init it was handed by `create`.
    const k = e.ctr(['task', 'kill', '--signal', 'SIGKILL', 'detached']);
    assert.equal(k.status, 0, k.stderr);
    let listed = '';
    for (let i = 0; i < 50 && !/STOPPED/.test(listed); i++) {
      await new Promise((r) => setTimeout(r, 200));
      listed = e.ctr(['task', 'ls']).stdout;
    }
    assert.match(listed, /^detached\s+\d+\s+STOPPED$/m);
    const del = e.ctr(['task', 'delete', 'detached'], 30_000);
    assert.equal(del.status, 0, `task delete: ${del.stderr}`);
    assert.equal(e.ctr(['container', 'delete', 'detached']).status, 0);
    assert.deepEqual(
      fs.readdirSync(e.scratch.path('runtime-state', NS)).filter((n) => n !== FAILURES_DIR),
      [],
    );
  });
});
