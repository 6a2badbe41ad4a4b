// Rule 19: masked and read-only paths.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec } from './harness';

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

  it('masked-paths-without-mount-namespace', () => {
    const text = spec((s) => {
      s.linux.namespaces.splice(4, 1);
      s.linux.maskedPaths = ['/proc/kcore'];
    });
    const c = check(text);
    const f = c.one('masked-paths-without-mount-namespace');
    assert.deepEqual(f.range, rangeOf(text, '"maskedPaths"'));
    assert.deepEqual(check(applyFix(c, f)).byCode('masked-paths-without-mount-namespace'), []);
  });
});
