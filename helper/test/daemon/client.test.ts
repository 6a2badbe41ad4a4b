// HelperClient, the one JSON-RPC client of binderyd (the CLI's and the editor's), against
// small servers on real unix sockets: every failure comes back as one HelperError.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  createMessageConnection,
  type MessageConnection,
  RequestType,
  ResponseError,
  StreamMessageReader,
  StreamMessageWriter,
} from 'vscode-jsonrpc/node';
import { HelperClient, HelperError } from '../../src/client';
import { ErrorCodes, type ErrorData, PROTOCOL_VERSION } from '../../src/protocol';

let dir: string;
before(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-client-'))));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A server on a fresh socket; `setup` answers on each connection (or does not). */
async function serve(name: string, setup: (conn: MessageConnection, socket: net.Socket) => void) {
  const socketPath = path.join(dir, name);
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    const conn = createMessageConnection(new StreamMessageReader(s), new StreamMessageWriter(s));
    setup(conn, s);
    conn.listen();
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  return {
    socketPath,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

const version = (protocol = PROTOCOL_VERSION) => ({ protocol, helper: '0.1.0', peerUid: 0 });

describe('HelperClient', () => {
  it('finds no helper: code no-helper with the socket errno', async () => {
    await assert.rejects(HelperClient.connect({ socketPath: path.join(dir, 'none.sock') }), (e) => {
      assert.ok(e instanceof HelperError);
      assert.equal(e.code, 'no-helper');
      assert.equal(e.errno, 'ENOENT');
      assert.equal(e.isConnectFailure, true);
      return true;
    });
  });

  it('gives up on a helper that never answers the version request, when asked to', async () => {
    // Accepts and reads, never writes back.
    const socketPath = path.join(dir, 'mute.sock');
    const held: net.Socket[] = [];
    const server = net.createServer((socket) => void held.push(socket.resume()));
    await new Promise<void>((r) => server.listen(socketPath, r));
    const s = { socketPath, close: () => (held.forEach((x) => x.destroy()), server.close()) };
    try {
      await assert.rejects(
        HelperClient.connect({ socketPath: s.socketPath, versionTimeoutMs: 100 }),
        (e) => {
          assert.ok(e instanceof HelperError);
          assert.equal(e.code, 'no-answer');
          assert.equal(e.errno, 'ETIMEDOUT');
          assert.match(e.message, /did not answer: no reply within 100 ms/);
          return true;
        },
      );
    } finally {
      s.close();
    }
  });

  it('refuses another protocol major unless the caller judges the version itself', async () => {
    const s = await serve('old.sock', (conn) => conn.onRequest('version', () => version('2.0.0')));
    try {
      await assert.rejects(
        HelperClient.connect({ socketPath: s.socketPath }),
        (e) => e instanceof HelperError && e.code === 'version-mismatch',
      );
      const c = await HelperClient.connect({ socketPath: s.socketPath, checkVersion: false });
      assert.equal(c.helper.protocol, '2.0.0');
      c.close();
    } finally {
      s.close();
    }
  });

  it('turns an error reply to any request type into a HelperError with its code and data', async () => {
    const s = await serve('refuses.sock', (conn) => {
      conn.onRequest('version', () => version());
      conn.onRequest('inspect', (p: { id: string }) => {
        throw new ResponseError<ErrorData>(ErrorCodes.NotFound, `no container ${p.id}`, {
          reason: 'not-found',
        });
      });
    });
    const c = await HelperClient.connect({ socketPath: s.socketPath });
    try {
      // A type of its own, as another bundle's copy of the protocol would build it.
      const inspect = new RequestType<{ id: string }, unknown, ErrorData>('inspect');
      await assert.rejects(c.request(inspect, { id: 'ghost' }), (e) => {
        assert.ok(e instanceof HelperError);
        assert.equal(e.code, ErrorCodes.NotFound);
        assert.equal(e.message, 'no container ghost');
        assert.equal(e.data?.reason, 'not-found');
        assert.equal(e.isConnectFailure, false);
        return true;
      });
    } finally {
      c.close();
      s.close();
    }
  });

  it('asks a helper of 1.3 or later for operation batches, not one of 1.2; its listeners hear each step from either', async () => {
    const sent = [
      { id: 'c', index: 0, text: 'mkdir("/a", 0755)', ok: true },
      { id: 'c', index: 1, text: 'mount(…)', ok: false, errno: 'ENOENT' },
    ];
    for (const [protocol, asked] of [
      ['1.2.0', false],
      ['1.3.0', true],
      ['1.9.1', true],
    ] as const) {
      let features: unknown;
      const s = await serve(`ops-${protocol}.sock`, (conn) => {
        conn.onRequest('version', () => version(protocol));
        conn.onRequest('features', (p: unknown) => {
          features = p;
          return { operationBatches: true };
        });
        // A helper of 1.2 sends one step a notification; a later one, to a client that asked, a batch.
        conn.onRequest('list', () => {
          if (features) void conn.sendNotification('container/operations', { id: 'c', operations: sent });
          else for (const e of sent) void conn.sendNotification('container/operation', e);
          return [];
        });
      });
      const c = await HelperClient.connect({ socketPath: s.socketPath });
      try {
        const steps: unknown[] = [];
        let batches = 0;
        c.onOperation((e) => steps.push(e));
        c.onOperations(() => batches++);
        await c.list();
        await c.version(); // the notifications before it have arrived
        assert.deepEqual(features, asked ? { operationBatches: true } : undefined, protocol);
        assert.deepEqual(steps, sent, protocol);
        assert.equal(batches, asked ? 1 : 2, protocol);
      } finally {
        c.close();
        s.close();
      }
    }
  });

  it('says unreachable when the helper goes away under a request', async () => {
    const s = await serve('dies.sock', (conn, socket) => {
      conn.onRequest('version', () => version());
      conn.onRequest('list', () => void socket.destroy());
    });
    const c = await HelperClient.connect({ socketPath: s.socketPath });
    try {
      await assert.rejects(c.list(), (e) => e instanceof HelperError && e.code === 'unreachable');
    } finally {
      c.close();
      s.close();
    }
  });
});
