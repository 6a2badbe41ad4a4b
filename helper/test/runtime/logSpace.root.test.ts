// A container's output goes through a FIFO: every byte reaches the listener and nothing is
// kept on disk (the state root is a tmpfs: memory); while no helper reads, the process
// waits instead of filling anything, and a helper that adopts it reads on from there.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { OutputEvent } from '../../src/protocol';
import { runtimeWith } from '../../src/runtime/container';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { readState } from '../../src/runtime/stateFile';
import { allocatedUnder, pipeWriteWait } from '../daemon/rootOnly';
import { cleanupTemp, hostMountinfo, launch, makeBundle, needsRoot, tempDir } from './rootHarness';

const { adoptContainer } = runtimeWith(koffiSyscalls());

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;
const cli = path.join(__dirname, '..', '..', 'src', 'cli.ts');

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('container output (root)', () => {
  after(cleanupTemp);

  it('64 MiB of stdout: all of it arrives, in order, and none of it is kept on disk', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const before = hostMountinfo();
    const stateRoot = tempDir('logstate');
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', `yes 0123456789abcdef | head -c ${TOTAL}`],
      prepare: (rootfs) => fs.symlinkSync('busybox', path.join(rootfs, 'bin', 'yes')),
    });
    const dir = path.join(stateRoot, 'chatty');
    const l = await launch(bundle, stateRoot, 'chatty');
    let bytes = 0;
    let wrong = 0;
    let peakAllocated = 0;
    let samples = 0;
    l.container.on('output', (o: OutputEvent) => {
      if (o.stream !== 'stdout') return;
      bytes += Buffer.byteLength(o.data);
      // Every byte is the container's own text, and the lines stay whole across chunks.
      if (!/^[0-9a-f\n]*$/.test(o.data)) wrong++;
      if (samples++ % 16 === 0) peakAllocated = Math.max(peakAllocated, allocatedUnder(dir));
    });
    const exit = await l.container.exited;
    const pipe = fs.lstatSync(path.join(dir, 'stdout.pipe'));
    t.diagnostic(
      `state directory while 64 MiB went through: at most ${peakAllocated} bytes allocated (state.json and network files)`,
    );
    await l.container.teardown();

    assert.equal(exit.exitCode, 0, `the writer failed (stderr: ${l.out.stderr})`);
    assert.equal(bytes, TOTAL, 'every byte reaches the listener');
    assert.equal(wrong, 0);
    assert.equal(l.out.stdout, '0123456789abcdef\n'.repeat(TOTAL / 17 + 1).slice(0, TOTAL));
    assert.ok(pipe.isFIFO() && pipe.blocks === 0, 'stdout is a FIFO, which keeps nothing on disk');
    assert.ok(peakAllocated < 256 * 1024, `the state directory held ${peakAllocated} bytes`);
    assert.equal(hostMountinfo(), before);
  });

  it('with its helper killed the process waits, nothing grows, and an adopting helper reads on from there', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    const LINES = 400_000;
    const expected = Array.from({ length: LINES }, (_, i) => `${i + 1}\n`).join('');
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', `seq 1 ${LINES}`],
      prepare: (rootfs) => fs.symlinkSync('busybox', path.join(rootfs, 'bin', 'seq')),
    });
    // `bindery run` without a daemon is the helper here; it dies with SIGKILL mid-output.
    const run = spawn(process.execPath, ['--import', 'tsx', cli, 'run', bundle, '--id', 'orphan'], {
      env: {
        ...process.env,
        BINDERY_SOCKET: path.join(stateRoot, 'no-daemon.sock'),
        BINDERY_STATE_ROOT: stateRoot,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let first = '';
    run.stdout!.setEncoding('utf8');
    await new Promise<void>((resolve, reject) => {
      run.stdout!.on('data', (d: string) => {
        first += d;
        if (first.length > 100_000) resolve();
      });
      run.once('exit', (code) =>
        reject(new Error(`bindery run exited (${code}) before printing 100 kB`)),
      );
    });
    const dead = new Promise((r) => run.once('exit', r));
    run.kill('SIGKILL');
    await dead;

    const dir = path.join(stateRoot, 'orphan');
    const pid = readState(dir)?.pid;
    assert.ok(pid, 'state.json names the process');
    // Nobody reads: once the pipe is full the process sleeps in the pipe write.
    const wchan = await pipeWriteWait(pid);
    assert.match(wchan, /pipe_write/, 'the container waits for a reader');
    const held = allocatedUnder(dir);
    await sleep(1000);
    assert.equal(allocatedUnder(dir), held, 'nothing grows while no helper reads');
    t.diagnostic(
      `without a helper: the process waits in ${wchan}, the state directory holds ${held} bytes`,
    );

    const c = adoptContainer(dir);
    assert.equal(c?.status, 'running');
    let rest = '';
    c.on('output', (o: OutputEvent) => o.stream === 'stdout' && (rest += o.data));
    await c.exited;
    await c.teardown();
    // Ran to its end (no SIGPIPE, no write error), and the adopting helper read a piece that
    // ends the sequence and does not repeat what the first helper had passed on.
    assert.ok(expected.startsWith(first), 'the first helper passed on the start of the sequence');
    assert.ok(
      rest.length > 0 && expected.endsWith(rest),
      `adopted output is the rest of the sequence (got ${rest.length} bytes)`,
    );
    assert.ok(first.length + rest.length <= expected.length, 'nothing was read twice');
    assert.equal(fs.existsSync(dir), false);
  });
});
