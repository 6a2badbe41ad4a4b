// Connections that hold a slot without speaking are closed: no first message soon after
// connecting, or a message that trickles in a byte at a time. A client that has spoken may
// then wait as long as it likes (the editor listens for notifications for hours).
import assert from 'node:assert/strict';
import * as net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { HelperClient } from '../../src/client';
import { FIRST_MESSAGE_TIMEOUT_MS, MESSAGE_TIMEOUT_MS } from '../../src/daemon/limits';
import type { ContainerInfo } from '../../src/protocol';
import { fakeRuntime } from './fakeRuntime';
import { bodies, frame, startDaemonWithHello, waitFor, type DaemonWithHello } from './harness';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** Bounds a hang only; every assertion is about what happened, not when. */
const HANG = 4 * Math.max(FIRST_MESSAGE_TIMEOUT_MS, MESSAGE_TIMEOUT_MS);

/** Connects and sends `text` a byte every `everyMs` until the daemon closes; what it answered. */
function trickle(
  socketPath: string,
  text: string,
  everyMs: number,
): Promise<{ reply: Record<string, unknown> | undefined; bytesSent: number; closed: boolean }> {
  return new Promise((resolve) => {
    const s = net.connect(socketPath);
    let received = '';
    let sent = 0;
    let timer: NodeJS.Timeout | undefined;
    const finish = (closed: boolean) => {
      clearTimeout(timer);
      clearTimeout(hang);
      s.destroy();
      resolve({ reply: bodies(received)[0], bytesSent: sent, closed });
    };
    const hang = setTimeout(() => finish(false), HANG);
    s.on('data', (d) => (received += d.toString()));
    s.on('error', () => {});
    s.on('close', () => finish(true));
    const next = () => {
      if (sent >= text.length || s.destroyed) return;
      s.write(text[sent++]);
      timer = setTimeout(next, everyMs);
    };
    s.once('connect', next);
  });
}

describe('slow connections', { concurrency: true }, () => {
  let started: DaemonWithHello;
  const version = frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'version' }));

  before(async () => {
    started = await startDaemonWithHello(fakeRuntime({ hold: true }));
  });
  after(() => started.stop());

  it('a connection that sends nothing is closed with a reply saying why', async () => {
    const r = await trickle(started.d.socketPath, '', 500);
    assert.ok(r.closed, 'the daemon closed it');
    assert.equal((r.reply?.error as { code: number }).code, -32600);
    assert.equal(
      (r.reply?.error as { data: { reason: string } }).data.reason,
      'first-message-timeout',
    );
  });

  it('a request sent a byte every 500 ms is closed before it is complete', async () => {
    const r = await trickle(started.d.socketPath, version, 500);
    assert.ok(r.closed);
    assert.ok(r.bytesSent < version.length, `${r.bytesSent} of ${version.length} bytes were sent`);
    assert.match(
      (r.reply?.error as { data: { reason: string } }).data.reason,
      /^(first-)?message-timeout$/,
    );
  });

  it('after a whole first message, a second one that trickles is closed too', async () => {
    // Whole first message, then the second a byte at a time.
    const mixed = await new Promise<{ reason?: string; bytes: number }>((resolve) => {
      const c = net.connect(started.d.socketPath);
      let text = '';
      let i = 0;
      c.on('data', (d) => (text += d.toString()));
      c.on('error', () => {});
      c.on('close', () =>
        resolve({
          reason: bodies(text)
            .map((b) => (b.error as { data?: { reason: string } } | undefined)?.data?.reason)
            .find(Boolean),
          bytes: i,
        }),
      );
      c.once('connect', () => {
        c.write(version);
        const timer = setInterval(
          () => (i < version.length ? c.write(version[i++]) : clearInterval(timer)),
          500,
        );
        c.once('close', () => clearInterval(timer));
      });
    });
    assert.equal(mixed.reason, 'message-timeout');
    assert.ok(mixed.bytes < version.length);
  });

  it('a client that has spoken stays connected while idle, and still gets answers and notifications', async () => {
    const c = await HelperClient.connect({ socketPath: started.d.socketPath });
    try {
      await sleep(FIRST_MESSAGE_TIMEOUT_MS + MESSAGE_TIMEOUT_MS + 1000);
      assert.equal((await c.version()).peerUid, process.getuid!());
      const seen = waitFor<ContainerInfo>(
        c.onChanged.bind(c),
        (e) => e.id === 'idle-then',
        'changed',
      );
      const other = await HelperClient.connect({ socketPath: started.d.socketPath });
      await other.launch({ bundle: started.hello, id: 'idle-then' });
      await seen;
      await other.teardown('idle-then');
      other.close();
    } finally {
      c.close();
    }
  });
});
