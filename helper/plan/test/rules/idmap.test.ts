// Rule 14: id-mapped mounts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ID_MAP, check, rangeOf, spec, usualHost, withUser } from './harness';

describe('id-mapped mounts (rule 14)', () => {
  const host = () => usualHost(['/srv/data/']);
  it('refuses idmap on a non-bind mount and without a user namespace', () => {
    const text = spec((s) =>
      s.mounts.push({ destination: '/cache', type: 'tmpfs', source: 'tmpfs', options: ['idmap'] }),
    );
    const c = check(text, host());
    const notBind = c.one('idmap-not-bind');
    assert.equal(notBind.severity, 'error');
    assert.match(notBind.message, /mounts\[6\] \(\/cache\): "idmap" only work on bind mounts/);
    assert.deepEqual(notBind.range, rangeOf(text, '"idmap"'));
    assert.equal(c.one('idmap-without-userns').severity, 'error');
  });

  it('refuses per-mount uidMappings without gidMappings', () => {
    const text = withUser((s) =>
      s.mounts.push({
        destination: '/data',
        type: 'bind',
        source: '/srv/data',
        options: ['rbind'],
        uidMappings: ID_MAP,
      }),
    );
    const f = check(text, host()).one('mount-mappings-incomplete');
    assert.deepEqual(f.range, rangeOf(text, '"uidMappings"')); // mounts come before linux
  });

  it('accepts an id-mapped bind in a user namespace', () => {
    const text = withUser((s) =>
      s.mounts.push({
        destination: '/data',
        type: 'bind',
        source: '/srv/data',
        options: ['rbind', 'idmap'],
        uidMappings: ID_MAP,
        gidMappings: ID_MAP,
      }),
    );
    assert.deepEqual(
      check(text, host()).findings.filter((f) => f.severity === 'error'),
      [],
    );
  });
});
