// Rules 10 and 25: a mount entry without a type, and NUL bytes in its fields.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec, withMount } from './harness';

describe('mount-type-missing (rule 10)', () => {
  it('flags a non-bind mount without a type, and guesses the type from the source', () => {
    const text = withMount({ destination: '/cache', source: 'tmpfs', options: ['nosuid'] });
    const c = check(text);
    const f = c.one('mount-type-missing');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /mounts\[6\] \(\/cache\): a mount without "bind" or "rbind" needs a filesystem "type".*The source suggests "tmpfs"/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"/cache"'));
    const fixed = applyFix(c, f);
    assert.equal(JSON.parse(fixed).mounts[6].type, 'tmpfs');
    assert.deepEqual(check(fixed).byCode('mount-type-missing'), []);
  });

  it('is quiet for a bind without a type', () => {
    const c = check(withMount({ destination: '/data', source: '/srv', options: ['rbind'] }));
    assert.deepEqual(c.byCode('mount-type-missing'), []);
  });
});

describe('nul-byte (rule 25)', () => {
  it('flags a NUL character in a mount field', () => {
    const text = withMount({ destination: '/da\u0000ta', type: 'tmpfs', source: 'tmpfs' });
    const f = check(text).one('nul-byte');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /destination contains a NUL character/);
    assert.deepEqual(f.range, rangeOf(text, '"/da\\u0000ta"'));
    assert.deepEqual(check(spec()).byCode('nul-byte'), []);
  });
});
