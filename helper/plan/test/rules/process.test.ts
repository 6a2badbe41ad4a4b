// Rule 27: the working directory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, rangeOf, spec } from './harness';

describe('cwd-under-proc (rule 27)', () => {
  it('warns about a working directory inside /proc', () => {
    const text = spec((s) => (s.process.cwd = '/proc/self/fd/7'));
    const f = check(text).one('cwd-under-proc');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /CVE-2024-21626/);
    assert.deepEqual(f.range, rangeOf(text, '"/proc/self/fd/7"'));
    assert.deepEqual(
      check(spec((s) => (s.process.cwd = '/processes'))).byCode('cwd-under-proc'),
      [],
    );
  });
});
