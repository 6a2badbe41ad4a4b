import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ID_MAP, applyFix, check, rangeOf, spec, withUser } from './harness';

describe('user namespaces and mappings (rule 18)', () => {
  it('refuses mappings without a user namespace, with a fix adding one', () => {
    const text = spec((s) => {
      s.linux.uidMappings = ID_MAP;
      s.linux.gidMappings = ID_MAP;
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
