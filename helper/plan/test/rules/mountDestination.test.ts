import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, withMount } from './harness';


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
