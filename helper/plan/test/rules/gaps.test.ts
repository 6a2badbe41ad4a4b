// Triggering and quiet cases for the rules whose main tests cover only one side.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec, usualHost } from './harness';

describe('quiet and triggering cases', () => {
  it('root-path-empty', () => {
    const text = spec((s) => (s.root.path = ''));
    const f = check(text).one('root-path-empty');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '""'));
    assert.deepEqual(check(spec()).byCode('root-path-empty'), []);
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

  it('bind-and-rbind is quiet for rbind alone', () => {
    const text = spec((s) =>
      s.mounts.push({ destination: '/data', type: 'bind', source: '/srv', options: ['rbind'] }),
    );
    assert.deepEqual(check(text, usualHost(['/srv/'])).byCode('bind-and-rbind'), []);
  });

  it('hostname-sysctl-conflict is quiet for other sysctls, and for kernel.hostname without hostname', () => {
    assert.deepEqual(
      check(spec((s) => (s.linux.sysctl = { 'net.ipv4.ip_forward': '1' }))).byCode(
        'hostname-sysctl-conflict',
      ),
      [],
    );
    const noHostname = spec((s) => {
      delete s.hostname;
      s.linux.sysctl = { 'kernel.hostname': 'box' };
    });
    assert.deepEqual(check(noHostname).byCode('hostname-sysctl-conflict'), []);
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

  it('a well-formed spec has no structure finding at all', () => {
    const structural = [
      'wrong-type',
      'value-out-of-range',
      'invalid-enum-value',
      'path-not-absolute',
      'invalid-format',
      'array-too-short',
      'missing-required-field',
      'misspelled-property',
      'unknown-property',
    ];
    assert.deepEqual(
      check(spec()).findings.filter((f) => structural.includes(f.code)),
      [],
    );
  });

  it('the base spec of these tests has no finding at all', () => {
    assert.deepEqual(check(spec()).findings, []);
  });
});
