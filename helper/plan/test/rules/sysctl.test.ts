// linux.sysctl: only sysctls of a namespace the container owns (runc's validator).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec } from './harness';

describe('linux.sysctl', () => {
  it('refuses net.* without a network namespace, on the key, with a fix adding one', () => {
    const text = spec((s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: { type: string }) => n.type !== 'network');
      s.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
    });
    const c = check(text);
    const f = c.one('sysctl-without-namespace');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"net.ipv4.ip_forward"'));
    assert.match(f.message, /network namespace.*runc, crun and runtime-tools refuse/);
    assert.deepEqual(check(applyFix(c, f)).byCode('sysctl-without-namespace'), []);
  });

  it('accepts net.* with a network namespace, new or joined, and reads the slash form', () => {
    const joined = spec((s) => {
      s.linux.namespaces = [
        { type: 'network', path: '/run/netns/blue' },
        { type: 'mount' },
        { type: 'uts' },
      ];
      s.linux.sysctl = { 'net/ipv4/ip_forward': '1', 'net.core.somaxconn': '256' };
    });
    assert.deepEqual(
      check(joined).findings.filter((f) => f.code.startsWith('sysctl-')),
      [],
    );
  });

  it('refuses IPC sysctls without an IPC namespace', () => {
    const text = spec((s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: { type: string }) => n.type !== 'ipc');
      s.linux.sysctl = { 'kernel.shmmax': '1', 'fs.mqueue.msg_max': '10' };
    });
    const found = check(text).byCode('sysctl-without-namespace');
    assert.deepEqual(
      found.map((f) => [f.severity, f.path[2]]),
      [
        ['error', 'kernel.shmmax'],
        ['error', 'fs.mqueue.msg_max'],
      ],
    );
    assert.deepEqual(found[1].range, rangeOf(text, '"fs.mqueue.msg_max"'));
  });

  it('refuses a sysctl no namespace holds', () => {
    const text = spec((s) => (s.linux.sysctl = { 'vm.swappiness': '10' }));
    const f = check(text).one('sysctl-not-namespaced');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"vm.swappiness"'));
    assert.match(f.message, /not in a separate kernel namespace/);
  });
});
