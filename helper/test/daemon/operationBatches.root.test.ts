// Operation batches with the real init, as root: the init writes a run of steps at once and
// the daemon relays each read as one `container/operations`, so a launch with many binds is a
// handful of notifications, while a client of 1.2 still gets every step on its own. A
// failing step is still reported exactly: last, not ok, and the one the error names.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HelperClient, type HelperError } from '../../src/client';
import {
  ErrorCodes,
  type ExitedEvent,
  type OperationEvent,
  type OperationsEvent,
} from '../../src/protocol';
import { runtimeWith } from '../../src/runtime/container';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { makeBundle, startDaemon, waitFor, type TestDaemon } from './harness';
import { assertRoot, hostMountsUnder, isRoot, rootSkip } from './rootOnly';

const skip = rootSkip('operation batches with the real init');
const BINDS = 30;

describe('operation batches with the real init (root)', { skip }, () => {
  let d: TestDaemon;
  let work: string;
  let batching: HelperClient;
  let single: HelperClient;

  before(async () => {
    assertRoot('operation batches with the real init');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-batch-'));
    fs.chmodSync(work, 0o755);
    for (let i = 0; i < BINDS; i++) fs.mkdirSync(path.join(work, `d${i}`));
    d = await startDaemon(runtimeWith(koffiSyscalls()));
    batching = await HelperClient.connect({ socketPath: d.socketPath });
    single = await HelperClient.connect({ socketPath: d.socketPath, operationBatches: false });
  });
  after(async () => {
    if (!isRoot) return;
    batching?.close();
    single?.close();
    await d?.stop();
    assert.deepEqual(hostMountsUnder(work), [], 'nothing of the test stays mounted on the host');
    fs.rmSync(work, { recursive: true, force: true });
  });

  const binds = () =>
    Array.from({ length: BINDS }, (_, i) => ({
      destination: `/data/${i}`,
      type: 'bind',
      source: path.join(work, `d${i}`),
      options: ['rbind', 'ro'],
    }));

  /** What each client hears of container `id` while `run` runs. */
  async function heard(id: string, run: () => Promise<unknown>) {
    const batches: OperationsEvent[] = [];
    const fromSingle: OperationEvent[] = [];
    const singleBatches: OperationsEvent[] = [];
    const subs = [
      batching.onOperations((b) => b.id === id && batches.push(b)),
      single.onOperation((e) => e.id === id && fromSingle.push(e)),
      single.onOperations((b) => b.id === id && singleBatches.push(b)),
    ];
    try {
      const outcome = await run().then(
        () => undefined,
        (e: unknown) => e as HelperError,
      );
      // The other connection's notifications were sent before the reply here: a round trip on it lets them arrive.
      await single.version();
      return {
        batches,
        steps: batches.flatMap((b) => b.operations),
        fromSingle,
        singleBatches,
        outcome,
      };
    } finally {
      subs.forEach((s) => s.dispose());
    }
  }

  it(`relays a launch with ${BINDS} binds in a few notifications, every step in order, the same steps a 1.2 client gets one by one`, async () => {
    const bundle = makeBundle(work, 'many', { mounts: binds() });
    const exited = waitFor<ExitedEvent>(
      batching.onExited.bind(batching),
      (e) => e.id === 'many',
      'exited',
    );
    const h = await heard('many', () => batching.launch({ bundle, id: 'many' }));
    assert.equal(h.outcome, undefined, h.outcome?.message);
    assert.equal((await exited).exitCode, 0);
    const info = await batching.inspect('many');
    // At least the three steps of each bind, each once, in plan order, all applied.
    assert.ok(h.steps.length >= 3 * BINDS, `${h.steps.length} steps`);
    assert.ok(
      h.steps.every((s, i) => s.ok && (i === 0 || s.index > h.steps[i - 1].index)),
      'in order, all ok',
    );
    for (let i = 0; i < BINDS; i++)
      assert.ok(
        h.steps.some((s) => s.operation.op === 'mount' && s.operation.target === `/data/${i}`),
        `the mount of /data/${i} was reported`,
      );
    // One write per run of steps (split only every 50 ms); one read each would be ~130 here.
    assert.ok(
      h.batches.length <= h.steps.length / 20,
      `${h.batches.length} notifications for ${h.steps.length} steps`,
    );
    assert.deepEqual(h.fromSingle, h.steps);
    assert.equal(h.singleBatches.length, h.steps.length, 'a 1.2 client: one notification per step');
    assert.ok(
      info.mounts
        .filter((m) => m.destination.startsWith('/data/'))
        .every((m) => m.state === 'applied'),
      'the summary followed the batched steps',
    );
    await batching.teardown('many');
  });

  it('reports a failing step last, not ok, and the error names it', async () => {
    // The plan makes a missing cwd before the process starts; through /proc/self/fd it is refused (ELOOP).
    const bundle = makeBundle(work, 'fails', {
      process: {
        user: { uid: 0, gid: 0 },
        args: ['/bin/true'],
        cwd: '/proc/self/fd/3',
        env: ['PATH=/bin'],
      },
      mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, ...binds()],
    });
    const h = await heard('fails', () => batching.launch({ bundle, id: 'fails' }));
    assert.ok(h.outcome, 'the launch failed');
    assert.equal(h.outcome.code, ErrorCodes.LaunchFailed);
    const failure = h.outcome.data?.failure;
    assert.equal(failure?.errno, 'ELOOP');
    const last = h.steps[h.steps.length - 1];
    assert.equal(last.ok, false);
    assert.equal(last.index, failure?.index);
    assert.equal(last.errno, 'ELOOP');
    assert.ok(
      h.steps.slice(0, -1).every((s) => s.ok),
      'every step before it applied',
    );
    assert.ok(h.steps.length > 3 * BINDS, 'the binds before it were reported');
    assert.deepEqual(h.fromSingle, h.steps);
  });
});
