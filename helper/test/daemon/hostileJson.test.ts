// Deeply nested JSON, in config.json or in a request, gets a one-line error, never a stack
// trace, and the daemon goes on serving.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HelperClient, type HelperError } from '../../src/client';
import { MAX_MESSAGE_BYTES } from '../../src/daemon/limits';
import { ErrorCodes } from '../../src/protocol';
import { fakeRuntime } from './fakeRuntime';
import {
  bodies,
  frame,
  makeBundle,
  rawExchange,
  startDaemonWithHello,
  type DaemonWithHello,
} from './harness';

describe('deeply nested JSON', () => {
  let started: DaemonWithHello;
  let c: HelperClient;
  let deep: string;

  before(async () => {
    started = await startDaemonWithHello(fakeRuntime({ hold: true }));
    c = await HelperClient.connect({ socketPath: started.d.socketPath });
    deep = makeBundle(started.bundles, 'deep');
    fs.writeFileSync(path.join(deep, 'config.json'), '['.repeat(100_000));
  });
  after(async () => {
    c.close();
    await started.stop();
  });

  const noStackTrace = () =>
    assert.ok(
      !started.d.logs.some((l) => /\n\s+at /.test(l) || /RangeError|Maximum call stack/.test(l)),
      started.d.logs.join('\n'),
    );

  it('validate of a config.json of 100,000 `[`: one error finding, one line', async () => {
    const r = await c.validate(deep);
    const found = r.findings.filter((f) => f.code === 'json-too-deep');
    assert.equal(found.length, 1, JSON.stringify(r.findings.slice(0, 3)));
    assert.equal(found[0].severity, 'error');
    assert.doesNotMatch(found[0].message, /\n/);
    noStackTrace();
  });

  it('launch of it is refused with that finding, and nothing is launched', async () => {
    await assert.rejects(c.launch({ bundle: deep, id: 'deep' }), (e: HelperError) => {
      assert.equal(e.code, ErrorCodes.PlanHasErrors);
      assert.ok(e.data?.findings?.some((f) => f.code === 'json-too-deep'));
      assert.doesNotMatch(e.message, /\n/);
      return true;
    });
    assert.deepEqual(await c.list(), []);
    noStackTrace();
  });

  it('request params nested as deep as a 1 MiB message allows: InvalidParams, and the connection keeps serving', async () => {
    const depth = Math.floor((MAX_MESSAGE_BYTES - 200) / 2);
    const params = `{"id":${'['.repeat(depth)}${']'.repeat(depth)}}`;
    const requests = ['inspect', 'stop', 'teardown', 'logs', 'launch', 'validate'].map(
      (method, i) => frame(`{"jsonrpc":"2.0","id":${i},"method":"${method}","params":${params}}`),
    );
    const r = await rawExchange(
      started.d.socketPath,
      requests.join('') + frame('{"jsonrpc":"2.0","id":99,"method":"version"}'),
      // Six 1 MiB messages take a while on a loaded machine; the last reply ends the wait.
      { waitMs: 60_000, until: (text) => text.includes('"id":99') },
    );
    const replies = bodies(r.text);
    assert.equal(replies.length, 7, r.text.slice(0, 500));
    for (const reply of replies.slice(0, 6)) {
      const e = reply.error as { code: number; message: string };
      assert.equal(e.code, ErrorCodes.InvalidParams, JSON.stringify(reply));
      assert.doesNotMatch(e.message, /\n/);
    }
    assert.ok(replies[6].result, 'version is answered on the same connection afterwards');
    assert.equal(r.closed, false);
    noStackTrace();
    assert.equal((await c.version()).peerUid, process.getuid!());
  });
});
