// A container printing as fast as it can (`yes`) to a client that never reads, for 30 s,
// against binderyd in a process of its own: the helper's memory (its peak RSS, VmHWM) and
// the container's state on disk stay bounded, other clients are served, everything is torn
// down. Then the same with the helper killed (SIGKILL) mid-flood: the container waits, the
// disk does not grow, and a restarted helper adopts it and tears it down.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HelperClient } from '../../src/client';
import type { ContainerInfo, ExitedEvent, OutputEvent } from '../../src/protocol';
import { readState } from '../../src/runtime/stateFile';
import { makeBundle, RawClient, spawnHelper, waitFor } from './harness';
import { allocatedUnder, assertRoot, hostMountsUnder, isRoot, pipeWriteWait, rootSkip } from './rootOnly';

const MiB = 1024 * 1024;
const FLOOD_MS = 30_000;
/** The aim for the helper's memory, whatever a container writes. */
const RSS_LIMIT = 256 * MiB;
/** state.json, the network files and two FIFOs (which never hold data on disk). */
const STATE_DIR_LIMIT = 256 * 1024;

const skip = rootSkip('flood tests');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mib = (n: number) => `${(n / MiB).toFixed(1)} MiB`;

/** VmRSS and VmHWM (the kernel's record of the peak) of a process, in bytes. */
function memoryOf(pid: number): { rss: number; peak: number } {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (key: string) =>
    Number(new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status)?.[1]) * 1024;
  return { rss: kB('VmRSS'), peak: kB('VmHWM') };
}

describe('binderyd under an output flood (root, helper in its own process)', { skip }, () => {
  let work: string;
  let helper: (ChildProcess & { log(): string }) | undefined;
  const socket = () => path.join(work, 'bindery.sock');
  const stateRoot = () => path.join(work, 'state');

  const bundle = (name: string, args: string[]) => {
    const dir = path.join(work, name);
    return fs.existsSync(dir)
      ? dir
      : makeBundle(work, name, {
          process: { user: { uid: 0, gid: 0 }, args, cwd: '/', env: ['PATH=/bin'] },
        });
  };
  // busybox's yes as the container's PID 1, writing to its stdout as fast as it can.
  const yes = () => bundle('flood-bundle', ['/bin/busybox', 'yes']);
  const hello = () => bundle('hello-bundle', ['/bin/echo', 'hi']);

  /** A raw client that launches the flood, then never reads a byte. */
  async function silentFlood(id: string): Promise<RawClient> {
    const raw = await RawClient.connect(socket());
    raw.send({ id: 1, method: 'launch', params: { bundle: yes(), id } });
    const dir = path.join(stateRoot(), id);
    // Not through a client: any client that reads would be flooded as well.
    while (readState(dir)?.status !== 'running') await sleep(50);
    return raw;
  }

  async function stopHelper(): Promise<void> {
    if (!helper || helper.exitCode !== null) return;
    const exited = new Promise((r) => helper!.once('exit', r));
    helper.kill('SIGTERM');
    await exited;
  }

  before(() => {
    assertRoot('flood tests');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-flood-'));
    fs.chmodSync(work, 0o755);
  });
  after(async () => {
    if (!isRoot) return;
    await stopHelper();
    assert.deepEqual(hostMountsUnder(work), [], 'nothing of the test stays mounted on the host');
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('30 s of `yes` to a client that never reads: the helper stays under 256 MiB, nothing grows on disk, others are served', async (t) => {
    helper = await spawnHelper(socket(), stateRoot());
    const idle = memoryOf(helper.pid!).rss;
    const silent = await silentFlood('flood');
    const floodDir = path.join(stateRoot(), 'flood');
    let maxRss = 0;
    let maxOnDisk = 0;
    for (const end = Date.now() + FLOOD_MS; Date.now() < end;) {
      maxRss = Math.max(maxRss, memoryOf(helper.pid!).rss);
      maxOnDisk = Math.max(maxOnDisk, allocatedUnder(floodDir));
      await sleep(200);
    }
    const { peak } = memoryOf(helper.pid!);

    // Another client, while the flood goes on: a normal launch works.
    const c = await HelperClient.connect({ socketPath: socket() });
    try {
      const exited = waitFor<ExitedEvent>(
        c.onExited.bind(c),
        (e) => e.id === 'hello',
        'exit of hello',
        60000,
      );
      await c.launch({ bundle: hello(), id: 'hello' });
      assert.equal((await exited).exitCode, 0);
      assert.deepEqual(
        (await c.logs('hello')).chunks.map((x) => x.data),
        ['hi\n'],
      );
      await c.teardown('hello');
      assert.equal((await c.inspect('flood')).status, 'running', 'the flood is still going');
      await c.stop({ id: 'flood', timeoutMs: 0 });
      await c.teardown('flood');
    } finally {
      c.close();
    }

    // The silent client was never dropped: it gets the rest, told what it missed.
    const messages = await silent.readUntil((m) => m.method === 'container/tornDown');
    silent.close();
    const outputs = messages
      .filter((m) => m.method === 'container/output')
      .map((m) => m.params as unknown as OutputEvent);
    const received = outputs.reduce((n, e) => n + Buffer.byteLength(e.data), 0);
    const dropped = outputs.reduce((n, e) => n + (e.dropped ?? 0), 0);
    t.diagnostic(
      `flood: ${mib(received + dropped)} of output read by the helper in ${FLOOD_MS / 1000} s; the silent client got ${mib(received)} of it and ${mib(dropped)} reported as dropped`,
    );
    t.diagnostic(
      `flood: helper peak RSS (VmHWM) ${mib(peak)}, highest sampled RSS ${mib(maxRss)}, ${mib(idle)} before the flood; limit ${mib(RSS_LIMIT)}`,
    );
    t.diagnostic(
      `flood: largest the container's state directory got on disk: ${maxOnDisk} bytes (output goes through FIFOs; nothing of it is kept on disk)`,
    );

    assert.ok(peak < RSS_LIMIT, `peak RSS ${mib(peak)}`);
    assert.ok(maxOnDisk <= STATE_DIR_LIMIT, `the state directory held ${maxOnDisk} bytes`);
    assert.ok(
      dropped > 0 && received + dropped > 100 * MiB,
      'the container really flooded, and the gap was reported',
    );
    assert.ok(
      messages.some((m) => m.method === 'container/exited'),
      'exited reached the silent client',
    );
    assert.ok(!/does not read/.test(helper.log()), helper.log());

    await stopHelper();
    assert.equal(helper.exitCode, 0);
    assert.deepEqual(fs.readdirSync(stateRoot()), []);
    assert.deepEqual(hostMountsUnder(work), []);
  });

  it('the helper killed with SIGKILL mid-flood: the container waits, nothing grows, a restarted helper adopts and tears it down', async (t) => {
    helper = await spawnHelper(socket(), stateRoot());
    const silent = await silentFlood('orphan');
    const dir = path.join(stateRoot(), 'orphan');
    const pid = readState(dir)!.pid!;
    await sleep(3000);
    const killed = new Promise((r) => helper!.once('exit', r));
    helper.kill('SIGKILL');
    await killed;
    silent.close();

    // No helper: the container sleeps in its write; the state directory does not grow.
    const wchan = await pipeWriteWait(pid);
    assert.match(wchan, /pipe_write/, 'the container waits for a reader');
    const held = allocatedUnder(dir);
    let maxOnDisk = held;
    for (let i = 0; i < 50; i++) {
      await sleep(200);
      maxOnDisk = Math.max(maxOnDisk, allocatedUnder(dir));
    }
    t.diagnostic(
      `after SIGKILL: the container waits in ${wchan}; its state directory holds ${held} bytes and at most ${maxOnDisk} bytes over 10 s`,
    );
    assert.equal(maxOnDisk, held, 'nothing grew while no helper ran');
    assert.ok(maxOnDisk <= STATE_DIR_LIMIT);

    helper = await spawnHelper(socket(), stateRoot());
    const c = await HelperClient.connect({ socketPath: socket() });
    try {
      const adopted = (await c.list()).find((x: ContainerInfo) => x.id === 'orphan');
      assert.equal(adopted?.status, 'running');
      assert.equal(adopted?.pid, pid);
      // The flood goes on through the new helper.
      await waitFor<OutputEvent>(
        c.onOutput.bind(c),
        (e) => e.id === 'orphan' && e.data.length > 0,
        'output after adoption',
      );
      await c.stop({ id: 'orphan', timeoutMs: 0 });
      await c.teardown('orphan');
    } finally {
      c.close();
    }
    const { peak } = memoryOf(helper.pid!);
    t.diagnostic(`after the restart: the adopting helper's peak RSS (VmHWM) ${mib(peak)}`);
    assert.ok(peak < RSS_LIMIT);
    await stopHelper();
    assert.equal(fs.existsSync(dir), false);
    const alive =
      fs.existsSync(`/proc/${pid}`) &&
      !fs.readFileSync(`/proc/${pid}/stat`, 'utf8').includes(') Z ');
    assert.equal(alive, false, 'the container process is gone');
    assert.deepEqual(hostMountsUnder(work), []);
  });
});
