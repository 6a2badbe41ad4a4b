// The init's operation lines leave together: held until a flush, a size bound or a time
// bound, always whole and in order.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { HeldLines, MAX_HELD_BYTES, MAX_HELD_MS } from '../../src/runtime/heldLines';

describe('HeldLines', () => {
  const line = (i: number) =>
    `${JSON.stringify({ type: 'operation', outcome: { index: i, ok: true } })}\n`;

  it('writes a run of lines in one write at flush, in order, and nothing when nothing is held', () => {
    const writes: string[] = [];
    const h = new HeldLines(
      (t) => writes.push(t),
      () => 0,
    );
    for (let i = 0; i < 30; i++) h.hold(line(i));
    assert.deepEqual(writes, []);
    h.flush();
    h.flush();
    assert.deepEqual(writes, [Array.from({ length: 30 }, (_, i) => line(i)).join('')]);
  });

  it('writes at once past the size bound, so a write stays well under a pipe buffer', () => {
    const writes: string[] = [];
    const h = new HeldLines(
      (t) => writes.push(t),
      () => 0,
    );
    const n = Math.ceil((3 * MAX_HELD_BYTES) / line(0).length);
    for (let i = 0; i < n; i++) h.hold(line(i));
    h.flush();
    assert.ok(writes.length >= 3, `${writes.length} writes`);
    for (const w of writes)
      assert.ok(w.length < MAX_HELD_BYTES + line(n).length, `${w.length} bytes in one write`);
    assert.equal(writes.join(''), Array.from({ length: n }, (_, i) => line(i)).join(''));
    assert.ok(
      writes.every((w) => w.endsWith('\n')),
      'only whole lines',
    );
  });

  it('writes what it holds once the first held line is older than the time bound', () => {
    const writes: string[] = [];
    let now = 1000;
    const h = new HeldLines(
      (t) => writes.push(t),
      () => now,
    );
    h.hold(line(0));
    now += MAX_HELD_MS - 1;
    h.hold(line(1));
    assert.equal(writes.length, 0);
    now += 1;
    h.hold(line(2));
    assert.deepEqual(writes, [line(0) + line(1) + line(2)]);
    // The clock starts again with the next line held.
    now += 10 * MAX_HELD_MS;
    h.hold(line(3));
    assert.equal(writes.length, 1);
  });
});
