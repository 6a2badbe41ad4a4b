// AppArmor and SELinux labels on a host without that security module.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostView } from '../../src/types';
import { check, rangeOf, spec, usualHost } from './harness';

const APPARMOR_ENABLED = '/sys/module/apparmor/parameters/enabled';

/** A Linux host (it has /sys/kernel), with SELinux when `selinux`, AppArmor as its file says. */
function linuxHost(selinux: boolean, apparmorEnabled?: string | null): HostView {
  const host = usualHost(['/sys/kernel/', ...(selinux ? ['/sys/fs/selinux/enforce'] : [])]);
  if (apparmorEnabled === undefined) return host;
  return { ...host, readFile: (p) => (p === APPARMOR_ENABLED ? apparmorEnabled : null) };
}

describe('lsm-not-available', () => {
  it('refuses an SELinux label on a host without SELinux, on the key', () => {
    const text = spec((s) => (s.process.selinuxLabel = 'system_u:system_r:container_t:s0'));
    const f = check(text, linuxHost(false)).one('lsm-not-available');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.path, ['process', 'selinuxLabel']);
    assert.deepEqual(f.range, rangeOf(text, '"selinuxLabel"'));
    assert.match(f.message, /^process\.selinuxLabel: this host does not run SELinux/);
    assert.deepEqual(check(text, linuxHost(true)).byCode('lsm-not-available'), []);
  });

  it('refuses linux.mountLabel the same way', () => {
    const text = spec((s) => (s.linux.mountLabel = 'system_u:object_r:container_file_t:s0'));
    const f = check(text, linuxHost(false)).one('lsm-not-available');
    assert.deepEqual(f.path, ['linux', 'mountLabel']);
  });

  it('refuses an AppArmor profile when the module says it is off, and only then', () => {
    const text = spec((s) => (s.process.apparmorProfile = 'docker-default'));
    const f = check(text, linuxHost(true, 'N\n')).one('lsm-not-available');
    assert.match(f.message, /does not run AppArmor, so "docker-default" cannot be applied/);
    assert.deepEqual(f.range, rangeOf(text, '"apparmorProfile"'));
    assert.equal(check(text, linuxHost(true, null)).byCode('lsm-not-available').length, 1);
    assert.deepEqual(check(text, linuxHost(true, 'Y\n')).byCode('lsm-not-available'), []);
    // A host view that cannot read files cannot tell.
    assert.deepEqual(check(text, linuxHost(false)).byCode('lsm-not-available'), []);
  });

  it('is quiet where the view shows no Linux sysfs, and for empty labels', () => {
    const labelled = spec((s) => {
      s.process.selinuxLabel = 'system_u:system_r:container_t:s0';
      s.process.apparmorProfile = 'docker-default';
    });
    assert.deepEqual(check(labelled, usualHost()).byCode('lsm-not-available'), []);
    const empty = spec((s) => (s.process.selinuxLabel = ''));
    assert.deepEqual(check(empty, linuxHost(false)).byCode('lsm-not-available'), []);
  });
});
