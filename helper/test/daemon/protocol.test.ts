// The daemon's protocol over a real unix socket, with a runtime that mounts nothing: every
// request, events without polling, and hostile input that must not disturb other clients.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HelperClient, HelperError } from '../../src/client';
import { MAX_MESSAGE_BYTES } from '../../src/daemon/limits';
import { ErrorCodes, PROTOCOL_VERSION, type ContainerInfo, type OperationEvent } from '../../src/protocol';
import { fakeRuntime } from './fakeRuntime';
import { bodies, frame, makeBundle, rawExchange, startDaemon, startDaemonWithHello, waitFor, type DaemonWithHello, type TestDaemon } from './harness';

describe('binderyd protocol (fake runtime)', () => {
  let started: DaemonWithHello;
  let d: TestDaemon;
  let bundles: string;
  let hello: string;
  const rt = fakeRuntime({ hold: true });

  before(async () => {
    started = await startDaemonWithHello(rt, { env: ['PATH=/bin'] });
    ({ d, bundles, hello } = started);
  });
  after(() => started.stop());

  it('answers version with the protocol version and the uid it sees', async () => {
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      const v = await c.version();
      assert.equal(v.protocol, PROTOCOL_VERSION);
      assert.equal(v.peerUid, process.getuid!());
    } finally {
      c.close();
    }
  });

  it('creates the socket owner-only when the group does not exist, and says why', () => {
    assert.equal(fs.statSync(d.socketPath).mode & 0o777, 0o600);
    assert.ok(d.logs.some((l) => /no group "bindery-no-such-group"/.test(l)), d.logs.join('\n'));
  });

  it('validates a bundle and returns its plan', async () => {
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      const r = await c.validate(hello);
      assert.equal(r.findings.filter((f) => f.severity === 'error').length, 0, JSON.stringify(r.findings));
      assert.ok(r.plan.operations.some((o) => o.op === 'pivot-root'));
      await assert.rejects(c.validate('relative/path'), (e: HelperError) => e.code === ErrorCodes.InvalidParams && /absolute/.test(e.message));
      await assert.rejects(c.validate('/nonexistent/bundle'), (e: HelperError) => e.code === ErrorCodes.InvalidParams && /does not exist/.test(e.message));
    } finally {
      c.close();
    }
  });

  it('launches, streams events without polling, lists, inspects, logs, stops and tears down', async () => {
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    const watcher = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      const ops: OperationEvent[] = [];
      c.onOperation((e) => ops.push(e));
      const started = waitFor(c.onStarted.bind(c), (e) => e.id === 'lc1', 'started');
      const output = waitFor(c.onOutput.bind(c), (e) => e.id === 'lc1', 'output');
      const seenByOther = waitFor<ContainerInfo>(watcher.onChanged.bind(watcher), (e) => e.id === 'lc1', 'changed on a second connection');
      const info = await c.launch({ bundle: hello, id: 'lc1' });
      assert.equal(info.id, 'lc1');
      assert.equal(info.owner, process.getuid!());
      assert.equal((await started).pid, 4242);
      assert.equal((await output).data, 'hello\n');
      await seenByOther;
      assert.ok(ops.length > 0 && ops.every((o) => o.id === 'lc1'));
      // The runtime got the plan, the owner and the state root.
      assert.equal(rt.lastOptions?.owner.uid, process.getuid!());
      assert.equal(rt.lastOptions?.stateRoot, d.stateDir);

      assert.deepEqual(
        (await c.list()).map((x) => x.id),
        ['lc1'],
      );
      const ins = await c.inspect('lc1');
      assert.equal(ins.status, 'running');
      assert.ok(ins.plan.operations.length > 0);
      assert.deepEqual(
        (await c.logs('lc1')).chunks.map((x) => x.data),
        ['hello\n'],
      );

      const exited = waitFor(c.onExited.bind(c), (e) => e.id === 'lc1', 'exited');
      const stopped = await c.stop({ id: 'lc1', timeoutMs: 100 });
      assert.equal(stopped.status, 'stopped');
      assert.equal((await exited).signal, 'SIGTERM');

      const gone = waitFor(c.onTornDown.bind(c), (e) => e.id === 'lc1', 'tornDown');
      await c.teardown('lc1');
      await gone;
      assert.deepEqual(await c.list(), []);
      assert.equal(fs.existsSync(path.join(d.stateDir, 'lc1')), false);
      await assert.rejects(c.inspect('lc1'), (e: HelperError) => e.code === ErrorCodes.NotFound);
    } finally {
      c.close();
      watcher.close();
    }
  });

  it('refuses a second container with the same id, and bad ids', async () => {
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      await c.launch({ bundle: hello, id: 'dup' });
      await assert.rejects(c.launch({ bundle: hello, id: 'dup' }), (e: HelperError) => e.code === ErrorCodes.AlreadyExists);
      for (const id of ['..', 'a/b', '', 'x'.repeat(65), 'bindery.sock'])
        await assert.rejects(c.launch({ bundle: hello, id }), (e: HelperError) => e.code === ErrorCodes.InvalidParams, id);
      await c.teardown('dup');
    } finally {
      c.close();
    }
  });

  it('refuses to launch a plan with errors and returns the findings', async () => {
    const bad = makeBundle(bundles, 'bad', { mounts: [{ destination: '/x', type: 'tmpfs', source: 'tmpfs', options: ['sizee=1m'] }], root: { path: 'nope' } });
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      await assert.rejects(c.launch({ bundle: bad, id: 'bad1' }), (e: HelperError) => {
        assert.equal(e.code, ErrorCodes.PlanHasErrors);
        assert.equal(e.data?.reason, 'plan-has-errors');
        assert.ok(e.data?.findings && e.data.findings.length > 0 && e.data.findings.every((f) => f.severity === 'error'));
        return true;
      });
      assert.deepEqual(await c.list(), []);
    } finally {
      c.close();
    }
  });

  it('answers an unknown method with MethodNotFound and keeps the connection', async () => {
    const r = await rawExchange(
      d.socketPath,
      frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'nope' })) + frame(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'version' })),
      { waitMs: 1000 },
    );
    const replies = bodies(r.text);
    assert.equal((replies[0].error as { code: number }).code, -32601);
    assert.equal((replies[1].result as { protocol: string }).protocol, PROTOCOL_VERSION);
    assert.equal(r.closed, false);
  });

  describe('hostile input: error reply, connection closed, others still served', () => {
    let other: HelperClient;
    before(async () => {
      other = await HelperClient.connect({ socketPath: d.socketPath });
    });
    after(() => other.close());
    const stillServing = async () => assert.equal((await other.version()).protocol, PROTOCOL_VERSION);

    it('malformed JSON', async () => {
      const r = await rawExchange(d.socketPath, frame('{"jsonrpc":"2.0","id":1,"method":'));
      const [reply] = bodies(r.text);
      assert.equal(reply.id, null);
      assert.equal((reply.error as { code: number }).code, -32700);
      assert.ok(r.closed);
      await stillServing();
    });

    it('a message over the size limit, refused from its header before the body is read', async () => {
      const big = MAX_MESSAGE_BYTES + 1;
      const r = await rawExchange(d.socketPath, `Content-Length: ${big}\r\n\r\n{"jsonrpc":"2.0"`);
      const [reply] = bodies(r.text);
      assert.equal((reply.error as { code: number }).code, ErrorCodes.RequestTooLarge);
      assert.ok(r.closed);
      await stillServing();
    });

    it('a header without Content-Length, and an endless header', async () => {
      let r = await rawExchange(d.socketPath, 'Content-Type: x\r\n\r\n{}');
      assert.ok(r.closed);
      assert.equal((bodies(r.text)[0].error as { code: number }).code, -32700);
      r = await rawExchange(d.socketPath, 'X'.repeat(10000));
      assert.ok(r.closed);
      await stillServing();
    });

    it('a second, padded Content-Length cannot make the reader buffer past the limit', async () => {
      // The reader keys headers untrimmed: it would wait for the first length, the guard counted the second.
      for (const head of [`content-length: ${MAX_MESSAGE_BYTES + 1}\r\nContent-Length : 2`, 'Content-Length: 2\r\nContent-Length: 2']) {
        const r = await rawExchange(d.socketPath, `${head}\r\n\r\n{}`);
        assert.ok(r.closed, head);
        assert.equal((bodies(r.text)[0].error as { code: number }).code, -32700, head);
      }
      await stillServing();
    });

    it('messages that are JSON but not JSON-RPC', async () => {
      for (const body of ['[{"jsonrpc":"2.0","id":1,"method":"version"}]', '42', '{"jsonrpc":"1.0","id":1,"method":"version"}', '{"id":1}']) {
        const r = await rawExchange(d.socketPath, frame(body));
        assert.ok(r.closed, body);
        assert.equal((bodies(r.text)[0].error as { code: number }).code, -32600, body);
      }
      await stillServing();
    });

    it('a response when the helper asked nothing (out of order)', async () => {
      const r = await rawExchange(d.socketPath, frame(JSON.stringify({ jsonrpc: '2.0', id: 5, result: { ok: true } })));
      assert.ok(r.closed);
      const [reply] = bodies(r.text);
      assert.equal((reply.error as { code: number }).code, -32600);
      assert.equal(reply.id, 5);
      await stillServing();
    });

    it('bad params are an error reply, not a closed connection', async () => {
      const r = await rawExchange(
        d.socketPath,
        frame(JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'inspect', params: { id: 7 } })) +
          frame(JSON.stringify({ jsonrpc: '2.0', id: 2, method: 'launch', params: { bundle: '/x', extra: 1 } })),
        { waitMs: 1000 },
      );
      const replies = bodies(r.text);
      assert.equal((replies[0].error as { code: number }).code, ErrorCodes.InvalidParams);
      assert.equal((replies[1].error as { code: number }).code, ErrorCodes.InvalidParams);
      assert.equal(r.closed, false);
    });

    it('a request followed at once by close, and a request on a closed connection', async () => {
      const c = await HelperClient.connect({ socketPath: d.socketPath });
      const pending = c.validate(hello);
      c.close();
      await assert.rejects(pending);
      await assert.rejects(c.version());
      await stillServing();
    });
  });

  it('passes a failed launch step on: entry, errno and hint, and forgets the container', async () => {
    const failing = fakeRuntime();
    failing.launchContainer = async (o) => {
      const operation = o.plan.operations.find((op) => op.op === 'pivot-root')!;
      throw { code: ErrorCodes.LaunchFailed, reason: 'mount-failed', message: 'EINVAL: pivot_root failed', failure: { index: 3, operation, errno: 'EINVAL', message: 'pivot_root failed', hint: 'the rootfs must be a mount point' } };
    };
    const d2 = await startDaemon(failing);
    const c = await HelperClient.connect({ socketPath: d2.socketPath });
    try {
      await assert.rejects(c.launch({ bundle: hello, id: 'f1' }), (e: HelperError) => {
        assert.equal(e.code, ErrorCodes.LaunchFailed);
        assert.equal(e.data?.reason, 'mount-failed');
        assert.equal(e.data?.failure?.errno, 'EINVAL');
        assert.equal(e.data?.failure?.operation.op, 'pivot-root');
        assert.equal(e.data?.failure?.hint, 'the rootfs must be a mount point');
        return true;
      });
      assert.deepEqual(await c.list(), []);
      // The id is free again.
      await assert.rejects(c.launch({ bundle: hello, id: 'f1' }), (e: HelperError) => e.code === ErrorCodes.LaunchFailed);
    } finally {
      c.close();
      await d2.stop();
    }
  });

  it('a client finds no helper, with a message that says how to start one', async () => {
    await assert.rejects(HelperClient.connect({ socketPath: path.join(bundles, 'none.sock') }), (e: HelperError) => {
      assert.equal(e.code, 'no-helper');
      assert.match(e.message, /no helper listening on .*none\.sock: start it with `sudo bindery daemon`/);
      return true;
    });
  });
});
