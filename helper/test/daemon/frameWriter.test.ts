// The daemon frames a notification once for all the clients it goes to (frameWriter.ts):
// every client must still read exactly the message it was sent, frames written in one turn
// must arrive whole and in order, and a payload sent again after it changed must arrive
// changed. Real unix sockets, read as raw bytes.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SocketFrameWriter, WriteBudget } from '../../src/daemon/frameWriter';

/** The messages in `bytes`, each checked against its Content-Length header. */
function frames(bytes: Buffer): unknown[] {
  const out: unknown[] = [];
  let at = 0;
  while (at < bytes.length) {
    const end = bytes.indexOf('\r\n\r\n', at);
    assert.ok(end > at, `a header at byte ${at}`);
    const m = /^Content-Length: (\d+)$/.exec(bytes.subarray(at, end).toString('ascii'));
    assert.ok(m, `a Content-Length header at byte ${at}`);
    const start = end + 4;
    const body = bytes.subarray(start, start + Number(m[1]));
    assert.equal(body.length, Number(m[1]), 'the body is as long as its header says');
    out.push(JSON.parse(body.toString('utf8')));
    at = start + body.length;
  }
  return out;
}

describe('socket frame writer', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-frames-'));
  const socketPath = path.join(dir, 's.sock');
  let server: net.Server;
  const received: Buffer[][] = [];
  const writers: SocketFrameWriter[] = [];
  const clients: net.Socket[] = [];

  before(async () => {
    const budget = new WriteBudget();
    const accepted: net.Socket[] = [];
    server = net.createServer((s) => accepted.push(s));
    await new Promise<void>((r) => server.listen(socketPath, r));
    for (let i = 0; i < 3; i++) {
      const c = net.connect(socketPath);
      const got: Buffer[] = [];
      c.on('data', (d) => got.push(d));
      received.push(got);
      clients.push(c);
      await new Promise((r) => c.once('connect', r));
    }
    while (accepted.length < 3) await new Promise((r) => setImmediate(r));
    for (const s of accepted) writers.push(new SocketFrameWriter(s, budget, 1 << 30, () => assert.fail('overflow')));
  });
  after(async () => {
    for (const c of clients) c.destroy();
    await new Promise((r) => server.close(r));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  const read = async (i: number, count: number): Promise<unknown[]> => {
    for (let k = 0; k < 200 && frames(Buffer.concat(received[i])).length < count; k++)
      await new Promise((r) => setTimeout(r, 10));
    const all = frames(Buffer.concat(received[i]));
    received[i].length = 0;
    return all;
  };

  it('sends every client the same notifications, whole and in order, and a changed payload changed', async () => {
    const payload = { id: 'c1', text: 'µ — non-ASCII counts in bytes', n: 0 };
    const notify = (params: unknown) => ({ jsonrpc: '2.0', method: 'container/operation', params });
    // One turn: a reply and several notifications, so several frames leave in one write,
    // the last one the same payload object to every client (as the daemon's forward loop).
    const written: Promise<void>[] = [];
    written.push(writers[0].write({ jsonrpc: '2.0', id: 7, result: { ok: true } } as never));
    for (let k = 1; k <= 5; k++) for (const w of writers) written.push(w.write(notify({ ...payload, n: k })));
    for (const w of writers) written.push(w.write(notify(payload)));
    await Promise.all(written);
    const expected = [1, 2, 3, 4, 5, 0].map((n) => notify({ ...payload, n }));
    assert.deepEqual(await read(0, 7), [{ jsonrpc: '2.0', id: 7, result: { ok: true } }, ...expected]);
    assert.deepEqual(await read(1, 6), expected);
    assert.deepEqual(await read(2, 6), expected);

    // A later turn: the very same object, changed meanwhile, must not be sent as it was.
    payload.n = 42;
    payload.text = 'changed';
    await Promise.all(writers.map((w) => w.write(notify(payload))));
    for (let i = 0; i < 3; i++) assert.deepEqual(await read(i, 1), [notify({ ...payload })]);
    assert.equal(writers.reduce((s, w) => s + w.queued, 0), 0, 'every write completed and was counted back');
  });
});
