// Protocol 1.3's operation batches over a real socket, with the fake runtime (every step of
// a launch reported in one turn, as the init's lines of one read are): a client that asks
// gets them in one `container/operations`; a client of 1.2, which does not ask, still gets
// one `container/operation` per step; HelperClient's listeners see the same steps either way.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HelperClient, HelperError } from '../../src/client';
import {
  ErrorCodes,
  FeaturesRequest,
  type OperationEvent,
  type OperationsEvent,
} from '../../src/protocol';
import { fakeRuntime } from './fakeRuntime';
import { RawClient, startDaemonWithHello, waitFor, type DaemonWithHello } from './harness';

type Msg = Record<string, unknown> & {
  method?: string;
  params?: Record<string, unknown>;
  id?: number;
};

describe('operation batches (protocol 1.3, fake runtime)', () => {
  let started: DaemonWithHello;
  const rt = fakeRuntime({ hold: true });
  let launched = 0;

  before(async () => {
    started = await startDaemonWithHello(rt);
  });
  after(() => started.stop());

  const teardown = async (id: string) => {
    const c = await HelperClient.connect({ socketPath: started.d.socketPath });
    try {
      await c.teardown(id);
    } finally {
      c.close();
    }
  };

  const startedOf = (id: string) => (m: Msg) =>
    m.method === 'container/started' && m.params?.id === id;
  const ofContainer = (id: string) => (m: Msg) => m.params?.id === id;

  it('sends a client that asked one container/operations with every step in order; a 1.2 client one container/operation each', async () => {
    const batching = await RawClient.connect(started.d.socketPath);
    const old = await RawClient.connect(started.d.socketPath);
    const id = `b${++launched}`;
    try {
      batching.send({ id: 1, method: 'features', params: { operationBatches: true } });
      batching.send({ id: 2, method: 'launch', params: { bundle: started.hello, id } });
      // The 1.2 client only watches: it gets the other's container's steps too (same uid).
      const fromBatching = (await batching.readUntil(startedOf(id))) as Msg[];
      const fromOld = (await old.readUntil(startedOf(id))) as Msg[];
      const planned = rt.lastOptions!.plan.operations.length;
      assert.ok(planned > 5, `the hello plan has steps (${planned})`);

      assert.deepEqual(fromBatching.find((m) => m.id === 1)?.result, { operationBatches: true });
      const events = fromBatching.filter(ofContainer(id)).map((m) => m.method);
      assert.equal(events.filter((m) => m === 'container/operations').length, 1, events.join(' '));
      assert.equal(events.filter((m) => m === 'container/operation').length, 0, events.join(' '));
      assert.ok(
        events.indexOf('container/operations') < events.indexOf('container/started'),
        events.join(' '),
      );
      const batch = fromBatching.find((m) => m.method === 'container/operations')!
        .params as unknown as OperationsEvent;
      assert.equal(batch.id, id);
      assert.deepEqual(
        batch.operations.map((o) => [o.id, o.index, o.operation.op]),
        rt.lastOptions!.plan.operations.map((o, i) => [id, i, o.op]),
      );

      const singles = fromOld.filter((m) => m.method === 'container/operation');
      assert.equal(fromOld.filter((m) => m.method === 'container/operations').length, 0);
      assert.deepEqual(
        singles.map((m) => m.params),
        batch.operations,
        'the same steps, one notification each',
      );
      const oldEvents = fromOld.filter(ofContainer(id)).map((m) => m.method);
      assert.equal(
        oldEvents.lastIndexOf('container/operation') + 1,
        oldEvents.indexOf('container/started'),
        'every step before started',
      );
    } finally {
      batching.close();
      old.close();
      await teardown(id);
    }
  });

  it('HelperClient asks for batches by default; its onOperation sees what a 1.2-style client sees', async () => {
    const batching = await HelperClient.connect({ socketPath: started.d.socketPath });
    const single = await HelperClient.connect({
      socketPath: started.d.socketPath,
      operationBatches: false,
    });
    const id = `b${++launched}`;
    try {
      const seen = { batching: [] as OperationEvent[], single: [] as OperationEvent[] };
      const batches = { batching: 0, single: 0 };
      batching.onOperation((e) => e.id === id && seen.batching.push(e));
      single.onOperation((e) => e.id === id && seen.single.push(e));
      batching.onOperations((b) => b.id === id && batches.batching++);
      single.onOperations((b) => b.id === id && batches.single++);
      const startedOnBoth = Promise.all(
        [batching, single].map((c) => waitFor(c.onStarted.bind(c), (e) => e.id === id, 'started')),
      );
      // The launch goes through the client that did not ask: batching is per connection.
      await single.launch({ bundle: started.hello, id });
      await startedOnBoth;
      const planned = rt.lastOptions!.plan.operations.length;
      assert.equal(seen.batching.length, planned);
      assert.deepEqual(seen.single, seen.batching);
      assert.deepEqual(
        seen.batching.map((e) => e.index),
        [...Array(planned).keys()],
      );
      assert.equal(batches.batching, 1, 'one notification for the whole run of steps');
      assert.equal(batches.single, planned, 'one notification per step');
    } finally {
      batching.close();
      single.close();
      await teardown(id);
    }
  });

  it('features: a wrong value is InvalidParams; unknown features are ignored; batches can be turned off again', async () => {
    const c = await HelperClient.connect({
      socketPath: started.d.socketPath,
      operationBatches: false,
    });
    try {
      await assert.rejects(
        c.request(FeaturesRequest, { operationBatches: 'yes' } as never),
        (e: HelperError) =>
          e.code === ErrorCodes.InvalidParams &&
          /operationBatches must be true or false/.test(e.message),
      );
      await assert.rejects(
        c.request(FeaturesRequest, 'all' as never),
        (e: HelperError) => e.code === ErrorCodes.InvalidParams,
      );
      assert.deepEqual(await c.request(FeaturesRequest, { fromTheFuture: 1 } as never), {
        operationBatches: false,
      });
      assert.deepEqual(await c.request(FeaturesRequest, { operationBatches: true }), {
        operationBatches: true,
      });
      assert.deepEqual(await c.request(FeaturesRequest, { operationBatches: false }), {
        operationBatches: false,
      });
      // The connection still serves.
      assert.equal((await c.version()).peerUid, process.getuid!());
    } finally {
      c.close();
    }
  });
});
