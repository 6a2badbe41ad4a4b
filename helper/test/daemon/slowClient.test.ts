// Clients that read slowly or not at all cannot make the daemon hold their messages: output
// for them is left out and counted (`dropped`), everything else still arrives, and a client
// that lets too much wait is disconnected. Real socket, fake runtime (no root needed).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HelperClient } from '../../src/client';
import {
  MAX_PENDING_WRITE_BYTES,
  MAX_QUEUED_OUTPUT_BYTES,
  MAX_QUEUED_OUTPUT_TOTAL_BYTES,
  MIN_QUEUED_OUTPUT_BYTES,
} from '../../src/daemon/limits';
import type { OutputEvent } from '../../src/protocol';
import { fakeRuntime, type FakeContainer } from './fakeRuntime';
import { RawClient, startDaemonWithHello, waitFor, type DaemonWithHello } from './harness';

const KiB = 1024;
const MiB = 1024 * KiB;
/** A chunk as the runtime emits it (one pipe read); an ASCII text, so characters are bytes. */
const CHUNK = 'y\n'.repeat(32 * KiB);

type Msg = Record<string, unknown> & { method?: string; params?: Record<string, unknown> };
const yieldToLoop = () => new Promise((r) => setImmediate(r));

describe('clients that do not read', () => {
  let started: DaemonWithHello;
  const rt = fakeRuntime({ hold: true });
  let launched = 0;

  before(async () => {
    started = await startDaemonWithHello(rt);
  });
  after(() => started.stop());

  /** A container launched by a raw client that has sent that one request and reads nothing. */
  async function silentLauncher(id: string): Promise<{ raw: RawClient; container: FakeContainer }> {
    const raw = await RawClient.connect(started.d.socketPath);
    raw.send({ id: 1, method: 'launch', params: { bundle: started.hello, id } });
    while (rt.launched.length === launched) await new Promise((r) => setTimeout(r, 10));
    launched++;
    const container = rt.launched[launched - 1];
    await yieldToLoop(); // the fake's greeting
    return { raw, container };
  }

  /** Every byte of `id`'s stdout is either in the data a client received or counted in `dropped`. */
  function account(messages: Msg[], id: string) {
    const out = messages
      .filter(
        (m) => m.method === 'container/output' && (m.params as unknown as OutputEvent).id === id,
      )
      .map((m) => m.params as unknown as OutputEvent);
    return {
      received: out.reduce((n, e) => n + Buffer.byteLength(e.data), 0),
      dropped: out.reduce((n, e) => n + (e.dropped ?? 0), 0),
      gaps: out.filter((e) => e.dropped).length,
    };
  }

  it('64 MiB of output to a client that does not read: what waits for it stays near 1 MiB, and every byte is delivered or counted', async (t) => {
    const { raw, container } = await silentLauncher('flood');
    let peak = 0;
    const total = 64 * MiB;
    for (let sent = 0; sent < total; sent += CHUNK.length) {
      container.emit('output', {
        id: 'flood',
        stream: 'stdout',
        data: CHUNK,
      } satisfies OutputEvent);
      peak = Math.max(peak, started.d.daemon.unsentBytes);
      await yieldToLoop();
    }
    container.finish(0);
    const watcher = await HelperClient.connect({ socketPath: started.d.socketPath });
    await watcher.teardown('flood');
    watcher.close();

    const messages: Msg[] = await raw.readUntil((m) => m.method === 'container/tornDown');
    assert.equal(raw.closed, false, 'the daemon kept the connection');
    raw.close();
    const a = account(messages, 'flood');
    t.diagnostic(
      `at most ${peak} bytes waited; the client got ${a.received} bytes and ${a.gaps} gaps totalling ${a.dropped} bytes`,
    );
    assert.ok(
      peak <= MAX_QUEUED_OUTPUT_BYTES + 6 * CHUNK.length,
      `${peak} bytes waited for the client`,
    );
    assert.equal(
      a.received + a.dropped,
      total + 'hello\n'.length,
      'every byte is either received or counted as dropped',
    );
    assert.ok(
      a.gaps > 0 && a.received < 8 * MiB,
      `received ${a.received}, dropped ${a.dropped} in ${a.gaps} gaps`,
    );
    // Nothing but output was left out, in order: the reply, then exited and tornDown after the last output.
    const methods = messages.map((m) => m.method ?? 'reply');
    assert.ok(methods.includes('reply'));
    const lastOutput = methods.lastIndexOf('container/output');
    assert.ok(
      methods.indexOf('container/exited') > lastOutput &&
        methods.indexOf('container/tornDown') > lastOutput,
    );
    assert.ok(!started.d.logs.some((l) => /does not read/.test(l)), started.d.logs.join('\n'));
  });

  it('a client that starts reading again is told what it missed before it gets anything newer', async () => {
    const { raw, container } = await silentLauncher('burst');
    for (let i = 0; i < 64; i++) {
      container.emit('output', { id: 'burst', stream: 'stderr', data: CHUNK });
      await yieldToLoop();
    }
    // The client drains everything; the gap is reported then, on an event of its own.
    const messages: Msg[] = await raw.readUntil(
      (m) => m.method === 'container/output' && !!(m.params as { dropped?: number }).dropped,
    );
    const marker = messages.find((m) => (m.params as { dropped?: number } | undefined)?.dropped)!
      .params as unknown as OutputEvent;
    assert.equal(marker.stream, 'stderr');
    assert.equal(marker.data, '');
    container.emit('output', { id: 'burst', stream: 'stderr', data: 'after the gap\n' });
    await raw.readUntil(
      (m) => (m.params as { data?: string } | undefined)?.data === 'after the gap\n',
    );
    const a = account(messages, 'burst');
    assert.equal(
      a.received + a.dropped,
      64 * CHUNK.length + 'hello\n'.length + 'after the gap\n'.length,
    );
    raw.close();
    container.finish(0);
  });

  it('a client that asks for replies and does not read them is disconnected; others are served', async () => {
    const { raw, container } = await silentLauncher('big-logs');
    // `logs` now holds 1 MiB; each reply to `logs` is about as large.
    for (let i = 0; i < 16; i++)
      container.emit('output', { id: 'big-logs', stream: 'stdout', data: CHUNK });
    const asks = Math.ceil(MAX_PENDING_WRITE_BYTES / MiB) + 4;
    for (let i = 0; i < asks; i++)
      raw.send({ id: 100 + i, method: 'logs', params: { id: 'big-logs' } });
    const messages = await raw.readUntil(() => false).catch(() => []);
    assert.equal(raw.closed, true, 'the daemon closed the connection');
    assert.ok(
      messages.filter((m) => m.id !== undefined && m.method === undefined).length < asks,
      'not every reply was sent',
    );
    assert.ok(started.d.logs.some((l) => /dropping a connection that does not read/.test(l)));
    const other = await HelperClient.connect({ socketPath: started.d.socketPath });
    assert.equal((await other.logs('big-logs')).chunks.length > 0, true);
    await other.teardown('big-logs');
    other.close();
  });

  it('many clients that do not read: together they hold about the shared allowance, and a client that reads still gets everything', async () => {
    const { raw, container } = await silentLauncher('shared');
    const clients = [raw];
    const n = Math.ceil(MAX_QUEUED_OUTPUT_TOTAL_BYTES / MAX_QUEUED_OUTPUT_BYTES) + 8;
    for (let i = 1; i < n; i++) {
      const c = await RawClient.connect(started.d.socketPath);
      c.send({ id: 1, method: 'version' });
      clients.push(c);
    }
    const reader = await HelperClient.connect({ socketPath: started.d.socketPath });
    let read = 0;
    let missed = 0;
    reader.onOutput((e) => {
      if (e.id !== 'shared') return;
      read += Buffer.byteLength(e.data);
      missed += e.dropped ?? 0;
    });
    const exited = waitFor(reader.onExited.bind(reader), (e) => e.id === 'shared', 'exited');
    await new Promise((r) => setTimeout(r, 100));
    let peak = 0;
    const chunks = 64 * 2;
    for (let i = 0; i < chunks; i++) {
      container.emit('output', { id: 'shared', stream: 'stdout', data: CHUNK });
      peak = Math.max(peak, started.d.daemon.unsentBytes);
      await yieldToLoop();
    }
    container.finish(0);
    await exited;
    assert.ok(
      peak > MAX_QUEUED_OUTPUT_TOTAL_BYTES - 2 * MiB,
      `the shared allowance was reached (${peak})`,
    );
    // Past the allowance, only clients with less than the minimum waiting get one more message.
    const message = 2 * CHUNK.length;
    assert.ok(
      peak <= MAX_QUEUED_OUTPUT_TOTAL_BYTES + (n + 1) * (MIN_QUEUED_OUTPUT_BYTES + message),
      `${peak} bytes waited for ${n} clients`,
    );
    assert.deepEqual(
      { read, missed },
      { read: chunks * CHUNK.length, missed: 0 },
      'the reading client missed nothing',
    );
    for (const c of clients) c.close();
    await reader.teardown('shared');
    reader.close();
  });
});

describe('a client closed halfway through a message', () => {
  it('lets its process exit (vscode-jsonrpc would re-arm a partial-message timer forever)', async () => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', path.join(__dirname, 'halfMessageClient.ts')],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout!.on('data', (d) => (out += d));
    // Bounds a hang only: without the fix the process never exits.
    const hang = setTimeout(() => child.kill('SIGKILL'), 60_000);
    const [code, signal] = await new Promise<[number | null, string | null]>((r) =>
      child.once('exit', (c, s) => r([c, s])),
    );
    clearTimeout(hang);
    assert.equal(out.trim(), 'closed');
    assert.deepEqual([code, signal], [0, null], 'it exited by itself');
  });
});
