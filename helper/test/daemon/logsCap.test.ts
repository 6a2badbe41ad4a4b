// `logs` keeps the latest output only: a container that prints forever must not grow the
// helper's memory.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { MAX_LOG_BYTES } from '../../src/daemon/limits';
import { Registry } from '../../src/daemon/registry';
import type { Plan } from '@bindery/plan';
import type { OutputEvent } from '../../src/protocol';
import { fakeRuntime } from './fakeRuntime';

const stateRoot = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-logscap-'));
after(() => fs.rmSync(stateRoot, { recursive: true, force: true }));

async function chattyContainer(id: string) {
  const rt = fakeRuntime({ hold: true });
  const registry = new Registry(stateRoot, rt);
  registry.reserve(id, 1000, '/bundle');
  await registry.launch(id, '/bundle', { operations: [] } as unknown as Plan, {
    uid: 1000,
    gid: 1000,
  });
  const c = rt.launched[0];
  // Let the fake say 'started' and its greeting first.
  await new Promise((r) => setImmediate(r));
  const say = (data: string) =>
    c.emit('output', { id, stream: 'stdout', data } satisfies OutputEvent);
  return { registry, say, container: c };
}

const bytesOf = (chunks: OutputEvent[]) =>
  chunks.reduce((n, c) => n + Buffer.byteLength(c.data), 0);

describe('logs memory cap', () => {
  it('keeps the last 1 MiB of a 64 MiB output, in order, and says older output was dropped', async () => {
    const { registry, say, container } = await chattyContainer('chatty');
    const line = 'x'.repeat(1023) + '\n';
    const chunk = line.repeat(64); // 64 KiB
    for (let i = 0; i < 1024; i++) say(`${String(i).padStart(6, '0')}:${chunk}`);
    const { chunks, truncated } = registry.logs('chatty');
    assert.equal(truncated, true);
    assert.ok(bytesOf(chunks) <= MAX_LOG_BYTES, `kept ${bytesOf(chunks)} bytes`);
    assert.ok(bytesOf(chunks) > MAX_LOG_BYTES - 70 * 1024, `kept only ${bytesOf(chunks)} bytes`);
    // The newest output is there, oldest first.
    const numbers = chunks.map((c) => Number(c.data.slice(0, 6)));
    assert.equal(numbers.at(-1), 1023);
    assert.deepEqual(
      numbers,
      [...numbers].sort((a, b) => a - b),
    );
    container.finish(0);
  });

  it('says nothing was dropped while the output fits', async () => {
    const { registry, say, container } = await chattyContainer('quiet');
    say('two\n');
    assert.deepEqual(registry.logs('quiet'), {
      chunks: [
        { id: 'quiet', stream: 'stdout', data: 'hello\n' },
        { id: 'quiet', stream: 'stdout', data: 'two\n' },
      ],
      truncated: false,
    });
    container.finish(0);
  });

  it('counts UTF-8 bytes, and keeps only the end of one chunk larger than the allowance', async () => {
    const { registry, say, container } = await chattyContainer('wide');
    // 3 bytes per character: 1.5 MiB in one chunk.
    say('€'.repeat(MAX_LOG_BYTES / 2));
    const { chunks, truncated } = registry.logs('wide');
    assert.equal(truncated, true);
    assert.equal(chunks.length, 1);
    assert.ok(bytesOf(chunks) <= MAX_LOG_BYTES);
    assert.ok(chunks[0].data.endsWith('€€€'));
    container.finish(0);
  });
});
