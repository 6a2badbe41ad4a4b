import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { LineBatch } from '../../src/runtime/lineBatch';

function batch(limits = { maxAgeMs: 5, maxBytes: 1024 }) {
  const writes: string[] = [];
  let now = 0;
  const b = new LineBatch((t) => writes.push(t), limits, () => now);
  return { b, writes, advance: (ms: number) => (now += ms) };
}

describe('LineBatch (the init’s operation events)', () => {
  it('holds quick lines and writes them with the next message, in order, in one write', () => {
    const { b, writes, advance } = batch();
    b.add('op 0\n');
    advance(1);
    b.add('op 1\n');
    assert.deepEqual(writes, []);
    b.write('exec\n');
    assert.deepEqual(writes, ['op 0\nop 1\nexec\n']);
    b.write('again\n');
    assert.deepEqual(writes, ['op 0\nop 1\nexec\n', 'again\n']);
  });

  it('lets no line wait longer than the age limit once another comes', () => {
    const { b, writes, advance } = batch();
    b.add('op 0\n');
    advance(6);
    b.add('op 1\n');
    assert.deepEqual(writes, ['op 0\nop 1\n']);
    b.add('op 2\n');
    assert.deepEqual(writes, ['op 0\nop 1\n'], 'a new batch starts with op 2');
  });

  it('writes a batch that reached the size limit', () => {
    const { b, writes } = batch({ maxAgeMs: 1000, maxBytes: 10 });
    b.add('12345\n');
    b.add('67890\n');
    assert.deepEqual(writes, ['12345\n67890\n']);
  });

  it('flush writes what is queued, and nothing when nothing is', () => {
    const { b, writes } = batch();
    b.flush();
    b.add('op 0\n');
    b.flush();
    b.flush();
    assert.deepEqual(writes, ['op 0\n']);
  });
});
