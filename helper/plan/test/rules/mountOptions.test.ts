import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec, usualHost, withMount } from './harness';

const DATA = '/srv/data';
const host = (kernel = '6.1.0') => usualHost([`${DATA}/`], kernel);

describe('unknown-mount-option', () => {
  it('offers the nearest runtime option for a misspelt flag on a tmpfs', () => {
    const text = withMount({
      destination: '/cache',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosiud', 'size=1g'],
    });
    const c = check(text, host());
    const f = c.one('unknown-mount-option');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /mounts\[6\] \(\/cache\): unknown option "nosiud"; did you mean "nosuid"\? The kernel refuses it for tmpfs/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"nosiud"'));
    assert.equal(f.fixes![0].title, 'Change to "nosuid"');
    const fixed = applyFix(c, f);
    assert.deepEqual(JSON.parse(fixed).mounts[6].options, ['nosuid', 'size=1g']);
    assert.deepEqual(
      check(fixed, host()).findings.filter((x) => x.severity === 'error'),
      [],
    );
  });

  it('corrects a misspelt data option key and keeps its value', () => {
    const text = withMount({
      destination: '/cache',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['sise=1g'],
    });
    const c = check(text, host());
    const f = c.one('unknown-mount-option');
    assert.deepEqual(f.range, rangeOf(text, '"sise=1g"'));
    assert.deepEqual(JSON.parse(applyFix(c, f)).mounts[6].options, ['size=1g']);
    assert.deepEqual(c.byCode('unsupported-data-option'), []);
  });

  it('on a bind, reports the typo instead of "filesystem options"', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['rbind', 'rprivat'],
    });
    const c = check(text, host());
    const f = c.one('unknown-mount-option');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /did you mean "rprivate"\?/);
    assert.deepEqual(c.byCode('bind-with-data-options'), []);
  });

  it('only warns for filesystems whose options Bindery does not know', () => {
    const text = withMount({
      destination: '/merged',
      type: 'overlay',
      source: 'overlay',
      options: ['noexex', 'lowerdir=/a:/b', 'userxattr', 'nossd'],
    });
    const c = check(text, host());
    const f = c.one('unknown-mount-option');
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /"noexex"; did you mean "noexec"\? It would be passed to the overlay driver as data/,
    );
  });

  it('is quiet for valid options', () => {
    const c = check(
      withMount({
        destination: '/cache',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'mode=1777', 'size=10%', 'context=system_u:object_r:tmp_t:s0'],
      }),
      host(),
    );
    assert.deepEqual(c.byCode('unknown-mount-option'), []);
    assert.deepEqual(c.byCode('unsupported-data-option'), []);
  });
});

describe('unsupported-data-option (rule 26)', () => {
  it('flags a data option the filesystem type does not take, with a fix removing it', () => {
    const text = spec((s) => (s.mounts[0].options = ['nosuid', 'size=64m']));
    const c = check(text, host());
    const f = c.one('unsupported-data-option');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /mounts\[0\] \(\/proc\): proc does not accept "size=64m" \(it accepts "hidepid", "gid", "subset"\)/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"size=64m"'));
    assert.deepEqual(JSON.parse(applyFix(c, f)).mounts[0].options, ['nosuid']);
  });

  it('says mqueue and sysfs take no data options', () => {
    const text = withMount({
      destination: '/dev/mqueue',
      type: 'mqueue',
      source: 'mqueue',
      options: ['mode=0700'],
    });
    const f = check(text, host()).one('unsupported-data-option');
    assert.match(f.message, /mqueue does not accept "mode=0700" \(it takes no data options\)/);
  });

  it('follows runc on crun-only options, and the message says what crun does', () => {
    const idmap = 'idmap=uids=0-100000-65536;gids=0-100000-65536';
    const bind = withMount({ destination: '/srv', type: 'bind', source: DATA, options: ['rbind', idmap] });
    const onBind = check(bind, host()).one('bind-with-data-options');
    assert.equal(onBind.severity, 'warning');
    assert.deepEqual(onBind.range, rangeOf(bind, `"${idmap}"`));
    assert.match(onBind.message, /runc 1\.2 refuses it.*crun reads "idmap=uids=…;gids=…" as an id-mapped mount/);
    const tmpfs = withMount({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['src-nofollow'] });
    const onTmpfs = check(tmpfs, host()).one('unsupported-data-option');
    assert.equal(onTmpfs.severity, 'error');
    assert.deepEqual(onTmpfs.range, rangeOf(tmpfs, '"src-nofollow"'));
    assert.match(onTmpfs.message, /"src-nofollow" is understood by crun only; runc passes it to the filesystem/);
  });

  it('does not guess for other filesystem types', () => {
    const text = withMount({
      destination: '/sys/fs/cgroup',
      type: 'cgroup2',
      source: 'cgroup2',
      options: ['nsdelegate', 'memory_recursiveprot'],
    });
    assert.deepEqual(check(text, host()).byCode('unsupported-data-option'), []);
  });
});

describe('recursive options (rule 12)', () => {
  it('warns that runc ignores a recursive option on a non-bind mount', () => {
    const text = spec((s) => s.mounts[5].options.push('rnoexec'));
    const f = check(text, host()).one('recursive-option-not-bind');
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /mounts\[5\] \(\/tmp\): "rnoexec" is a recursive attribute; runc applies these only to bind mounts/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"rnoexec"'));
  });

  it('refuses recursive options on kernels before 5.12', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['rbind', 'rro'],
    });
    const f = check(text, host('5.10.0-28-amd64')).one('recursive-option-needs-newer-kernel');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /needs Linux 5\.12 or newer; this host runs 5\.10\.0-28-amd64/);
    assert.deepEqual(f.range, rangeOf(text, '"rro"'));
    assert.deepEqual(
      check(text, host('6.1.0')).findings.filter((x) => x.code.startsWith('recursive')),
      [],
    );
  });
});

describe('conflicting-mount-options (rule 13)', () => {
  it('points at the overridden option, with the winner as related information', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['rbind', 'ro', 'nosuid', 'rw'],
    });
    const c = check(text, host());
    const f = c.one('conflicting-mount-options');
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /mounts\[6\] \(\/data\): "ro" is undone by "rw" later in the list; options apply in order and the last one wins/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"ro"', 1));
    assert.deepEqual(f.related![0].range, rangeOf(text, '"rw"'));
    assert.deepEqual(JSON.parse(applyFix(c, f)).mounts[6].options, ['rbind', 'nosuid', 'rw']);
  });

  it('warns about several propagation options', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['rbind', 'rshared', 'rprivate'],
    });
    const f = check(text, host()).one('multiple-propagation-options');
    assert.equal(f.severity, 'warning');
    assert.match(f.message, /"rprivate" replaces "rshared"/);
    assert.deepEqual(f.range, rangeOf(text, '"rshared"'));
  });

  it('is quiet for compatible options', () => {
    const c = check(
      withMount({
        destination: '/data',
        type: 'bind',
        source: DATA,
        options: ['rbind', 'rprivate', 'nosuid', 'nodev', 'ro'],
      }),
      host(),
    );
    assert.deepEqual(c.byCode('conflicting-mount-options'), []);
    assert.deepEqual(c.byCode('multiple-propagation-options'), []);
  });
});

describe('tmpcopyup (rule 11)', () => {
  it('refuses tmpcopyup on anything but tmpfs', () => {
    const text = withMount({
      destination: '/data',
      type: 'bind',
      source: DATA,
      options: ['rbind', 'tmpcopyup'],
    });
    const c = check(text, host());
    const f = c.one('tmpcopyup-not-tmpfs');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"tmpcopyup"'));
    assert.deepEqual(JSON.parse(applyFix(c, f)).mounts[6].options, ['rbind']);
  });

  it('accepts tmpcopyup on a tmpfs', () => {
    const text = withMount({
      destination: '/etc',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['tmpcopyup', 'mode=755'],
    });
    const c = check(text, host());
    assert.deepEqual(
      c.findings.filter((f) => f.code.startsWith('tmpcopyup')),
      [],
    );
  });

  it('tmpcopyup-on-root', () => {
    const text = spec((s) =>
      s.mounts.push({ destination: '/', type: 'tmpfs', source: 'tmpfs', options: ['tmpcopyup'] }),
    );
    const f = check(text).one('tmpcopyup-on-root');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"tmpcopyup"'));
    const fine = spec((s) =>
      s.mounts.push({
        destination: '/etc',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['tmpcopyup'],
      }),
    );
    assert.deepEqual(check(fine).byCode('tmpcopyup-on-root'), []);
  });
});
