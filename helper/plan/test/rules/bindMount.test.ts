import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBundle } from '../../src';
import { BUNDLE, applyFix, check, rangeOf, spec, usualHost, withMount } from './harness';

const DATA = '/srv/data';
const host = () => usualHost([`${DATA}/`, '/srv/app.conf']);

describe('bind-type-without-bind-option (rule 7)', () => {
  it('flags type "bind" without bind/rbind on the type value, with a fix adding rbind', () => {
    const text = withMount({ destination: '/data', type: 'bind', source: DATA, options: ['ro'] });
    const c = check(text, host());
    const f = c.one('bind-type-without-bind-option');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /^mounts\[6\] \(\/data\): type "bind" without a "bind" or "rbind" option is not a bind mount; runc and crun refuse it\. Add "rbind"\.$/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"bind"'));
    assert.match(f.fixes![0].title, /rbind.*runc/);
    assert.equal(f.fixes![0].preferred, true);
    const fixed = applyFix(c, f);
    assert.deepEqual(JSON.parse(fixed).mounts[6].options, ['ro', 'rbind']);
    assert.ok(fixed.includes('      "options": [\n        "ro",\n        "rbind"\n      ]'), fixed);
    assert.deepEqual(JSON.parse(applyFix(c, f, 'Add "bind"')).mounts[6].options, ['ro', 'bind']);
    assert.deepEqual(check(fixed, host()).byCode('bind-type-without-bind-option'), []);
  });

  it('creates the options array when the mount has none', () => {
    const text = withMount({ destination: '/data', type: 'bind', source: DATA });
    const c = check(text, host());
    const fixed = applyFix(c, c.one('bind-type-without-bind-option'));
    assert.deepEqual(JSON.parse(fixed).mounts[6], {
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['rbind'],
    });
  });

  it('is quiet when bind or rbind is present, whatever the type', () => {
    for (const options of [['bind'], ['rbind', 'ro']]) {
      const c = check(
        withMount({ destination: '/data', type: 'bind', source: DATA, options }),
        host(),
      );
      assert.deepEqual(c.byCode('bind-type-without-bind-option'), []);
    }
    const c = check(
      withMount({ destination: '/data', type: 'none', source: DATA, options: ['rbind'] }),
      host(),
    );
    assert.deepEqual(
      c.findings.filter((f) => f.severity === 'error'),
      [],
    );
  });

  it('warns about bind and rbind together, and the fix removes "bind"', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['bind', 'rbind'],
    });
    const c = check(text, host());
    const f = c.one('bind-and-rbind');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /mounts\[6\] \(\/data\): both "bind" and "rbind"/);
    assert.deepEqual(f.range, rangeOf(text, '"bind"', 1));
    assert.deepEqual(JSON.parse(applyFix(c, f)).mounts[6].options, ['rbind']);
  });

  it('bind-and-rbind is quiet for rbind alone', () => {
    const text = spec((s) =>
      s.mounts.push({ destination: '/data', type: 'bind', source: '/srv', options: ['rbind'] }),
    );
    assert.deepEqual(check(text, usualHost(['/srv/'])).byCode('bind-and-rbind'), []);
  });
});

describe('bind-with-data-options (rule 8)', () => {
  it('flags each filesystem option on a bind, defaults included, and the fix drops them all', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['rbind', 'mode=755', 'ro', 'defaults'],
    });
    const c = check(text, host());
    const found = c.byCode('bind-with-data-options');
    assert.equal(found.length, 2);
    // runc 1.1 runs it (mount(2) ignores data on a bind): a warning, and the data is dropped.
    assert.equal(found[0].severity, 'warning');
    assert.match(
      found[0].message,
      /mounts\[6\] \(\/data\): "mode=755" is a filesystem option, and bind mounts take none: it is ignored .*runc 1\.2 refuses it/,
    );
    const data = planBundle({ text, bundleDir: BUNDLE, host: host() }).mounts.find(
      (m) => m.destination === '/data',
    );
    assert.deepEqual(data?.data, []);
    assert.deepEqual(found[0].range, rangeOf(text, '"mode=755"', 1));
    assert.match(found[1].message, /runc passes "defaults" on as filesystem data/);
    assert.deepEqual(found[1].range, rangeOf(text, '"defaults"'));
    assert.equal(found[0].fixes![0].title, 'Remove the filesystem options from this bind mount');
    const fixed = applyFix(c, found[0]);
    assert.deepEqual(JSON.parse(fixed).mounts[6].options, ['rbind', 'ro']);
    assert.ok(fixed.includes('"options": [\n        "rbind",\n        "ro"\n      ]'), fixed);
  });

  it('is quiet for flags, propagation and recursive options on a bind', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['rbind', 'rprivate', 'nosuid', 'rro'],
    });
    assert.deepEqual(check(text, host()).byCode('bind-with-data-options'), []);
  });
});

describe('bind sources (rule 9)', () => {
  it('flags a bind source missing on the host, on the source value', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: '/srv/nope',
      options: ['rbind'],
    });
    const f = check(text, host()).one('bind-source-not-found');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /mounts\[6\] \(\/data\): bind source \/srv\/nope does not exist on the host/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"/srv/nope"'));
  });

  it('resolves a relative source against the bundle directory', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: 'data',
      options: ['rbind'],
    });
    const f = check(text, host()).one('bind-source-not-found');
    assert.match(
      f.message,
      /\/bundles\/app\/data does not exist.*relative to the bundle directory/,
    );
    const ok = check(text, usualHost(['/bundles/app/data/']));
    assert.deepEqual(ok.byCode('bind-source-not-found'), []);
  });

  it('flags a bind without a source', () => {
    const text = withMount({ destination: '/data', type: 'bind', options: ['rbind'] });
    const f = check(text, host()).one('bind-source-missing');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"/data"'));
  });

  it('is quiet for an existing file or directory', () => {
    const text = spec((s) => {
      s.mounts.push({ destination: '/data', type: 'bind', source: DATA, options: ['rbind'] });
      s.mounts.push({
        destination: '/etc/app.conf',
        type: 'bind',
        source: '/srv/app.conf',
        options: ['bind', 'ro'],
      });
    });
    assert.deepEqual(
      check(text, host()).findings.filter((f) => f.severity === 'error'),
      [],
    );
  });
});

describe('rbind-ro-not-recursive (rule 12)', () => {
  it('suggests rro for ro on an rbind, and the fix swaps the option', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['rbind', 'ro'],
    });
    const c = check(text, host());
    const f = c.one('rbind-ro-not-recursive');
    assert.equal(f.severity, 'information');
    assert.match(
      f.message,
      /mounts\[6\] \(\/data\): "ro" on an "rbind" makes only the top mount read-only.*"rro"/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"ro"', 1));
    const fixed = applyFix(c, f);
    assert.deepEqual(JSON.parse(fixed).mounts[6].options, ['rbind', 'rro']);
    assert.deepEqual(check(fixed, host()).byCode('rbind-ro-not-recursive'), []);
  });

  it('is quiet for ro on a plain bind', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['bind', 'ro'],
    });
    assert.deepEqual(check(text, host()).byCode('rbind-ro-not-recursive'), []);
  });
});

describe('bind sources through symlinks', () => {
  it('accepts a symlink to an existing directory and refuses a dangling one', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: '/srv/link',
      options: ['rbind'],
    });
    assert.deepEqual(
      check(text, usualHost(['/srv/link@/srv/real', '/srv/real/'])).byCode('bind-source-not-found'),
      [],
    );
    const f = check(text, usualHost(['/srv/link@/srv/gone'])).one('bind-source-not-found');
    assert.match(f.message, /it is a symlink to a missing path/);
  });
});

describe('a mount meant as a bind (type "bind" without the option)', () => {
  it('gets the bind checks too, so one round of fixes is enough', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: '/srv/nope',
      options: ['mode=755', 'nosiud'],
    });
    const c = check(text, host());
    assert.equal(c.one('bind-type-without-bind-option').severity, 'error');
    assert.equal(c.one('bind-with-data-options').severity, 'warning');
    assert.equal(c.one('bind-source-not-found').severity, 'error');
    const typo = c.one('unknown-mount-option');
    assert.equal(typo.severity, 'error');
    assert.match(typo.message, /which a bind mount refuses/);
  });
});
