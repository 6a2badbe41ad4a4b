// Rule 22: a mount hidden by a later one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, rangeOf, spec } from './harness';

describe('mount-hidden (rule 22)', () => {
  it('warns about a mount hidden by a later mount on a parent, with the hider as related', () => {
    const text = spec((s) =>
      s.mounts.push({ destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['mode=755'] }),
    );
    const c = check(text);
    const hidden = c.byCode('mount-hidden');
    assert.deepEqual(
      hidden.map((f) => f.path),
      [
        ['mounts', 1, 'destination'],
        ['mounts', 2, 'destination'],
        ['mounts', 3, 'destination'],
      ],
    );
    const pts = hidden[1];
    assert.equal(pts.severity, 'warning');
    assert.match(
      pts.message,
      /^mounts\[2\] \(\/dev\/pts\): hidden by mounts\[6\] \(\/dev\), which is mounted later on a parent directory/,
    );
    assert.deepEqual(pts.range, rangeOf(text, '"/dev/pts"'));
    assert.deepEqual(pts.related![0].range, rangeOf(text, '"/dev"', 1));
    assert.match(hidden[0].message, /on the same path/);
  });

  it('is quiet when children come after their parents', () => {
    assert.deepEqual(check(spec()).byCode('mount-hidden'), []);
  });
});
