// The terminal part of the protocol (1.2) over a real socket, with the fake runtime: `input`
// and `resize` reach the container's terminal for its owner, its output comes back as
// output events, a full input queue and bad parameters are clear errors, and a container
// without a terminal says so.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { HelperClient, HelperError } from '../../src/client';
import { ErrorCodes, MAX_INPUT_BYTES, PROTOCOL_VERSION, type OutputEvent } from '../../src/protocol';
import { fakeRuntime } from './fakeRuntime';
import { makeBundle, startDaemonWithHello, waitFor, type DaemonWithHello } from './harness';

describe('binderyd terminals (fake runtime)', () => {
  let started: DaemonWithHello;
  let tty = '';
  const rt = fakeRuntime({ hold: true });

  before(async () => {
    started = await startDaemonWithHello(rt, { env: ['PATH=/bin'] });
    const user = { uid: process.getuid!(), gid: process.getgid!() };
    tty = makeBundle(started.bundles, 'tty', {
      process: { user, args: ['/bin/sh'], cwd: '/', terminal: true, consoleSize: { height: 24, width: 80 }, env: ['PATH=/bin'] },
    });
  });
  after(() => started.stop());

  it('is protocol 1.2 or a later 1.x', () => assert.match(PROTOCOL_VERSION, /^1\.([2-9]|[1-9]\d)\./));

  it('relays input and resizes to the terminal of a terminal container and its echo back', async () => {
    const c = await HelperClient.connect({ socketPath: started.d.socketPath });
    try {
      const info = await c.launch({ bundle: tty, id: 'tty-a' });
      assert.equal(info.terminal, true);
      const echoed = waitFor((fn) => c.onOutput(fn), (e: OutputEvent) => e.id === 'tty-a' && e.data.includes('ls\r\n'), 'the echo');
      await c.input('tty-a', 'ls\r');
      await echoed;
      await c.resize('tty-a', 50, 132);
      const fake = rt.launched.find((x) => x.id === 'tty-a')!;
      assert.deepEqual(fake.sizes, [[50, 132]]);
      await assert.rejects(c.resize('tty-a', 0, 80), (e: HelperError) => e.code === ErrorCodes.InvalidParams && /rows must be an integer from 1 to 65535/.test(e.message));
      await assert.rejects(c.input('tty-a', 'x'.repeat(MAX_INPUT_BYTES + 1)), (e: HelperError) => e.code === ErrorCodes.InvalidParams && /at most 16384 bytes/.test(e.message));
      // A process that reads nothing: 64 KiB wait, then input is refused, not queued.
      fake.reading = false;
      for (let i = 0; i < 4; i++) await c.input('tty-a', 'y'.repeat(MAX_INPUT_BYTES));
      await assert.rejects(c.input('tty-a', 'z'), (e: HelperError) => e.code === ErrorCodes.Busy && e.data?.reason === 'input-full');
      await c.teardown('tty-a');
    } finally {
      c.close();
    }
  });

  it('says a container without a terminal, or one that stopped, has none', async () => {
    const c = await HelperClient.connect({ socketPath: started.d.socketPath });
    try {
      const info = await c.launch({ bundle: started.hello, id: 'plain' });
      assert.equal(info.terminal, undefined);
      await assert.rejects(c.input('plain', 'ls\r'), (e: HelperError) => e.data?.reason === 'no-terminal' && /process.terminal is not true/.test(e.message));
      await c.launch({ bundle: tty, id: 'tty-b' });
      await c.stop({ id: 'tty-b' });
      await assert.rejects(c.resize('tty-b', 10, 10), (e: HelperError) => e.data?.reason === 'no-terminal' && /stopped/.test(e.message));
      await assert.rejects(c.input('nope', 'x'), (e: HelperError) => e.code === ErrorCodes.NotFound);
      await c.teardown('plain');
      await c.teardown('tty-b');
    } finally {
      c.close();
    }
  });
});
