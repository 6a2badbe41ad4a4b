import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec } from './harness';

const withMount = (mount: Record<string, unknown>) => spec((s) => s.mounts.push(mount));

describe('mount destinations (rules 3 and 4)', () => {
  it('warns about a relative destination, with a fix making it absolute', () => {
    const text = withMount({ destination: 'var/cache', type: 'tmpfs', source: 'tmpfs' });
    const c = check(text);
    const f = c.one('destination-not-absolute');
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /^mounts\[6\] \(var\/cache\): destination "var\/cache" is relative.*runc reads it as "\/var\/cache"/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"var/cache"'));
    const fixed = applyFix(c, f);
    assert.equal(JSON.parse(fixed).mounts[6].destination, '/var/cache');
    assert.deepEqual(check(fixed).byCode('destination-not-absolute'), []);
  });

  it('refuses a mount on /', () => {
    const text = withMount({ destination: '/', type: 'tmpfs', source: 'tmpfs' });
    const f = check(text).one('destination-is-root');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /runc refuses it \("mountpoint is on the top of rootfs"\), crun allows it/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"/"', 1));
  });

  it('refuses an empty destination', () => {
    const text = withMount({ destination: '', type: 'tmpfs', source: 'tmpfs' });
    const f = check(text).one('destination-empty');
    assert.deepEqual(f.range, rangeOf(text, '""'));
  });

  it('is quiet for absolute destinations', () => {
    const c = check(withMount({ destination: '/var/cache', type: 'tmpfs', source: 'tmpfs' }));
    assert.deepEqual(
      c.findings.filter((f) => f.code.startsWith('destination')),
      [],
    );
  });
});

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
