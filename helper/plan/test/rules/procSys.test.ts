import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOTFS, USUAL_DIRS, applyFix, check, fakeHost, rangeOf, spec, withMount } from './harness';

const hostWith = (...extra: string[]) =>
  fakeHost([
    ...USUAL_DIRS.filter((d) => !extra.some((e) => e.startsWith(`${ROOTFS}/${d}`))).map(
      (d) => `${ROOTFS}/${d}/`,
    ),
    '/srv/fake/',
    ...extra,
  ]);

describe('mounts on and inside /proc (rule 5)', () => {
  it('refuses a non-proc filesystem on /proc, on its type', () => {
    const text = spec(
      (s) => (s.mounts[0] = { destination: '/proc', type: 'tmpfs', source: 'tmpfs' }),
    );
    const f = check(text).one('proc-not-procfs');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /^mounts\[0\] \(\/proc\): only a proc filesystem may be mounted on \/proc.*CVE-2019-16884/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"tmpfs"'));
  });

  it('refuses sysfs on /proc too (runc checks proc and sysfs mounts as well)', () => {
    const text = spec(
      (s) => (s.mounts[0] = { destination: '/proc', type: 'sysfs', source: 'sysfs' }),
    );
    const f = check(text).one('proc-not-procfs');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"sysfs"'));
    const below = check(withMount({ destination: '/proc/bus', type: 'proc', source: 'proc' }));
    assert.equal(below.one('mount-inside-proc').severity, 'error');
  });

  it('refuses a bind of a host directory on /proc but accepts a bind of /proc', () => {
    const bad = spec(
      (s) =>
        (s.mounts[0] = {
          destination: '/proc',
          type: 'bind',
          source: '/srv/fake',
          options: ['rbind'],
        }),
    );
    assert.equal(check(bad, hostWith()).one('proc-not-procfs').severity, 'error');
    const good = spec(
      (s) =>
        (s.mounts[0] = { destination: '/proc', type: 'bind', source: '/proc', options: ['rbind'] }),
    );
    assert.deepEqual(check(good, hostWith('/proc/')).byCode('proc-not-procfs'), []);
  });

  it('refuses mounts inside /proc except the lxcfs files', () => {
    const text = withMount({
      destination: '/proc/sys/kernel',
      type: 'bind',
      source: '/srv/fake',
      options: ['rbind'],
    });
    const f = check(text, hostWith()).one('mount-inside-proc');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /runc refuses mounts inside \/proc except over cpuinfo, diskstats/);
    assert.deepEqual(f.range, rangeOf(text, '"/proc/sys/kernel"'));
    const lxcfs = withMount({
      destination: '/proc/meminfo',
      type: 'bind',
      source: '/srv/fake',
      options: ['bind'],
    });
    assert.deepEqual(check(lxcfs, hostWith()).byCode('mount-inside-proc'), []);
  });
});

describe('proc and sysfs targets (rule 6)', () => {
  it('refuses /proc when the rootfs has a symlink there', () => {
    const text = spec();
    const f = check(text, hostWith(`${ROOTFS}/proc@/tmp/evil`)).one('proc-sys-target-symlink');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /mounts\[0\] \(\/proc\): \/proc in the rootfs is a symbolic link to \/tmp\/evil.*CVE-2023-27561/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"/proc"'));
  });

  it('refuses /sys when the rootfs has a file there', () => {
    const text = spec();
    const f = check(text, hostWith(`${ROOTFS}/sys`)).one('proc-sys-target-not-directory');
    assert.match(f.message, /mounts\[4\] \(\/sys\): \/sys in the rootfs is a regular file/);
    assert.deepEqual(f.range, rangeOf(text, '"/sys"'));
  });

  it('is quiet for real directories and for missing ones (the runtime creates them)', () => {
    const c = check(spec(), fakeHost([`${ROOTFS}/tmp/`]));
    assert.deepEqual(
      c.findings.filter((f) => f.code.startsWith('proc-sys')),
      [],
    );
    assert.deepEqual(
      check(spec()).findings.filter((f) => f.code.startsWith('proc-sys')),
      [],
    );
  });
});

describe('namespaced filesystems (rule 24)', () => {
  it('warns about sysfs in a user namespace without a network namespace, with a fix adding one', () => {
    const text = spec((s) => {
      s.linux.namespaces = [{ type: 'pid' }, { type: 'uts' }, { type: 'mount' }, { type: 'user' }];
      s.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    });
    const c = check(text);
    const f = c.one('sysfs-userns-without-netns');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.range, rangeOf(text, '"sysfs"'));
    assert.deepEqual(f.related![0].range, rangeOf(text, '{\n        "type": "user"\n      }'));
    const fixed = applyFix(c, f);
    assert.deepEqual(JSON.parse(fixed).linux.namespaces.at(-1), { type: 'network' });
    assert.deepEqual(check(fixed).byCode('sysfs-userns-without-netns'), []);
  });

  it('warns about a cgroup mount without a cgroup namespace', () => {
    const text = withMount({
      destination: '/sys/fs/cgroup',
      type: 'cgroup2',
      source: 'cgroup2',
      options: ['ro'],
    });
    const c = check(text);
    const f = c.one('cgroup-without-cgroupns');
    assert.deepEqual(f.range, rangeOf(text, '"cgroup2"'));
    assert.deepEqual(check(applyFix(c, f)).byCode('cgroup-without-cgroupns'), []);
  });
});
