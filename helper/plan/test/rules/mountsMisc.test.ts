// Rules 19, 22, 23 and 27: masked paths, hidden mounts, network files, the working directory.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec, usualHost } from './harness';

describe('masked and read-only paths (rule 19)', () => {
  it('refuses a relative masked path, with a fix making it absolute', () => {
    const text = spec((s) => (s.linux.maskedPaths = ['/proc/kcore', 'proc/keys']));
    const c = check(text);
    const f = c.one('masked-path-not-absolute');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /^linux\.maskedPaths\[1\] "proc\/keys" must be an absolute path/);
    assert.deepEqual(f.range, rangeOf(text, '"proc/keys"'));
    assert.deepEqual(JSON.parse(applyFix(c, f)).linux.maskedPaths, ['/proc/kcore', '/proc/keys']);
  });

  it('refuses masked or read-only paths without a mount namespace', () => {
    const text = spec((s) => {
      s.linux.namespaces.splice(4, 1);
      s.linux.readonlyPaths = ['/proc/sys'];
    });
    const c = check(text);
    const f = c.one('readonly-paths-without-mount-namespace');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"readonlyPaths"'));
    assert.deepEqual(JSON.parse(applyFix(c, f)).linux.namespaces.at(-1), { type: 'mount' });
  });

  it('is quiet for absolute paths with a mount namespace', () => {
    const c = check(spec((s) => (s.linux.maskedPaths = ['/proc/kcore'])));
    assert.deepEqual(
      c.findings.filter((f) => f.code.includes('paths') || f.code.includes('masked')),
      [],
    );
  });
});

describe('mount-hidden (rule 22)', () => {
  it('warns about a mount hidden by a later mount on a parent, with the hider as related', () => {
    const text = spec((s) =>
      s.mounts.push({ destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['mode=755'] }),
    );
    const c = check(text);
    const hidden = c.byCode('mount-hidden');
    assert.deepEqual(
      hidden.map((f) => f.path),
      [
        ['mounts', 1, 'destination'],
        ['mounts', 2, 'destination'],
        ['mounts', 3, 'destination'],
      ],
    );
    const pts = hidden[1];
    assert.equal(pts.severity, 'warning');
    assert.match(
      pts.message,
      /^mounts\[2\] \(\/dev\/pts\): hidden by mounts\[6\] \(\/dev\), which is mounted later on a parent directory/,
    );
    assert.deepEqual(pts.range, rangeOf(text, '"/dev/pts"'));
    assert.deepEqual(pts.related![0].range, rangeOf(text, '"/dev"', 1));
    assert.match(hidden[0].message, /on the same path/);
  });

  it('is quiet when children come after their parents', () => {
    assert.deepEqual(check(spec()).byCode('mount-hidden'), []);
  });
});

describe('network files (rule 23)', () => {
  const host = () => usualHost(['/run/app/hosts', '/run/app/resolv/']);
  it('refuses a non-bind mount on /etc/hosts', () => {
    const text = spec((s) =>
      s.mounts.push({ destination: '/etc/hosts', type: 'tmpfs', source: 'tmpfs' }),
    );
    const f = check(text, host()).one('network-file-not-bind');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /mounts\[6\] \(\/etc\/hosts\): \/etc\/hosts is a single file, so it can only be a bind mount/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"tmpfs"', 5));
  });

  it('refuses a directory as the source of /etc/resolv.conf', () => {
    const text = spec((s) =>
      s.mounts.push({
        destination: '/etc/resolv.conf',
        type: 'bind',
        source: '/run/app/resolv',
        options: ['rbind', 'ro'],
      }),
    );
    const f = check(text, host()).one('network-file-source-not-file');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"/run/app/resolv"'));
  });

  it('accepts a bind of a regular file', () => {
    const text = spec((s) =>
      s.mounts.push({
        destination: '/etc/hosts',
        type: 'bind',
        source: '/run/app/hosts',
        options: ['rbind', 'rprivate', 'rw'],
      }),
    );
    assert.deepEqual(
      check(text, host()).findings.filter((f) => f.severity === 'error'),
      [],
    );
  });
});

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
