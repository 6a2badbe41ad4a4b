import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOTFS, applyFix, check, fakeHost, rangeOf, spec, usualHost } from './harness';

describe('root (rules 1 and 2)', () => {
  it('flags a spec without root, on the ociVersion key, with a fix adding it', () => {
    const text = spec((s) => delete s.root);
    const c = check(text);
    const f = c.one('root-missing');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /no "root"/);
    assert.deepEqual(f.range, rangeOf(text, '"ociVersion"'));
    const fixed = applyFix(c, f);
    assert.deepEqual(JSON.parse(fixed).root, { path: 'rootfs' });
    assert.ok(fixed.endsWith('  },\n  "root": {\n    "path": "rootfs"\n  }\n}\n'), fixed);
  });

  it('flags a root.path that does not exist, on the path value', () => {
    const text = spec();
    const f = check(text, fakeHost(['/bundles/app/'])).one('root-not-found');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /root\.path: rootfs \(\/bundles\/app\/rootfs\) does not exist/);
    assert.deepEqual(f.range, rangeOf(text, '"rootfs"'));
  });

  it('flags a symlinked rootfs and a rootfs that is a file', () => {
    const text = spec();
    const link = check(text, fakeHost([`${ROOTFS}@/srv/image`, '/srv/image/'])).one(
      'root-is-symlink',
    );
    assert.equal(link.severity, 'error');
    assert.match(link.message, /symbolic link to \/srv\/image; runc refuses a symlinked rootfs/);
    const file = check(text, fakeHost([ROOTFS])).one('root-not-directory');
    assert.deepEqual(file.range, rangeOf(text, '"rootfs"'));
  });

  it('gives information when the root is not called rootfs, and nothing when it is', () => {
    const text = spec((s) => (s.root.path = '/srv/images/alpine'));
    const f = check(text, fakeHost(['/srv/images/alpine/tmp/'])).one('root-not-named-rootfs');
    assert.equal(f.severity, 'information');
    assert.deepEqual(f.range, rangeOf(text, '"/srv/images/alpine"'));
    const ok = check(spec(), usualHost());
    assert.deepEqual(
      ok.findings.filter((x) => x.code.startsWith('root')),
      [],
    );
  });

  it('root-path-empty', () => {
    const text = spec((s) => (s.root.path = ''));
    const f = check(text).one('root-path-empty');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '""'));
    assert.deepEqual(check(spec()).byCode('root-path-empty'), []);
  });
});

describe('rootfs-propagation-recursive-form (rule 20)', () => {
  it('accepts rprivate with an information, and the plain forms silently', () => {
    const text = spec((s) => (s.linux.rootfsPropagation = 'rprivate'));
    const f = check(text).one('rootfs-propagation-recursive-form');
    assert.equal(f.severity, 'information');
    assert.deepEqual(f.range, rangeOf(text, '"rprivate"'));
    assert.deepEqual(check(text).byCode('invalid-enum-value'), []);
    const plain = check(spec((s) => (s.linux.rootfsPropagation = 'slave')));
    assert.deepEqual(
      plain.findings.filter((x) => x.code.includes('propagation')),
      [],
    );
  });

  it('still refuses a value that is neither', () => {
    const text = spec((s) => (s.linux.rootfsPropagation = 'privte'));
    const c = check(text);
    const f = c.one('invalid-enum-value');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /did you mean "private"\?/);
    assert.equal(JSON.parse(applyFix(c, f)).linux.rootfsPropagation, 'private');
  });
});
