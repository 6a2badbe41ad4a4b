import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec, usualHost } from './harness';

const MAP = [{ containerID: 0, hostID: 100000, size: 65536 }];
const withUser = (patch: (s: ReturnType<typeof JSON.parse>) => void = () => {}) =>
  spec((s) => {
    s.linux.namespaces.push({ type: 'user' });
    s.linux.uidMappings = MAP;
    s.linux.gidMappings = MAP;
    patch(s);
  });

describe('user namespaces and mappings (rule 18)', () => {
  it('refuses mappings without a user namespace, with a fix adding one', () => {
    const text = spec((s) => {
      s.linux.uidMappings = MAP;
      s.linux.gidMappings = MAP;
    });
    const c = check(text);
    const found = c.byCode('id-mappings-without-userns');
    assert.equal(found.length, 2);
    assert.equal(found[0].severity, 'error');
    assert.deepEqual(found[0].range, rangeOf(text, '"uidMappings"'));
    const fixed = applyFix(c, found[0]);
    assert.deepEqual(JSON.parse(fixed).linux.namespaces.at(-1), { type: 'user' });
    assert.deepEqual(
      check(fixed).findings.filter((f) => f.severity === 'error'),
      [],
    );
  });

  it('warns about a new user namespace without mappings (runc refuses, crun maps the caller)', () => {
    const text = spec((s) => s.linux.namespaces.push({ type: 'user' }));
    const f = check(text).one('userns-without-mappings');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /runc refuses it, crun \(run rootless\) maps only the calling user/);
    assert.deepEqual(f.range, rangeOf(text, '"user"', 1)); // the first is process.user
  });

  it('refuses uid mappings without gid mappings', () => {
    const text = withUser((s) => delete s.linux.gidMappings);
    const f = check(text).one('userns-mappings-incomplete');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"uidMappings"'));
  });

  it('is quiet for a user namespace with both mappings, or a joined one', () => {
    assert.deepEqual(
      check(withUser()).findings.filter(
        (f) => f.code.includes('userns') || f.code.includes('mappings'),
      ),
      [],
    );
    const joined = spec((s) => s.linux.namespaces.push({ type: 'user', path: '/proc/42/ns/user' }));
    assert.deepEqual(
      check(joined).findings.filter((f) => f.code.includes('userns')),
      [],
    );
  });
});

describe('unmapped-id-option (rule 15)', () => {
  it('refuses gid=5 on devpts when gid 5 is not mapped', () => {
    const text = withUser(
      (s) => (s.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]),
    );
    const f = check(text).one('unmapped-id-option');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /mounts\[2\] \(\/dev\/pts\): "gid=5" names gid 5 inside the user namespace, but linux\.gidMappings does not map it/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"gid=5"'));
  });

  it('is quiet when the id is mapped', () => {
    assert.deepEqual(check(withUser()).byCode('unmapped-id-option'), []);
  });
});

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
        uidMappings: MAP,
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
        uidMappings: MAP,
        gidMappings: MAP,
      }),
    );
    assert.deepEqual(
      check(text, host()).findings.filter((f) => f.severity === 'error'),
      [],
    );
  });
});
