import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeMountedFlags, mountDrift, specMountDrift } from '../src/mountDrift';
import { parseMountinfo } from '../src/mountinfo';
import { normalizeMount } from '../src/normalize';
import type { Origin } from '../src/types';
import { MOUNTINFO } from './mountinfoSample';

const origin: Origin = { kind: 'added', reason: 'test' };
const asked = (destination: string, type: string, options: string[]) =>
  normalizeMount({ destination, type, source: 'src', options }, 0, origin, '/bundle');
const entries = parseMountinfo(MOUNTINFO);
const rwTmpfs = parseMountinfo('700 600 0:70 / /m rw,relatime - tmpfs tmpfs rw\n')[0];
const messages = (destination: string, type: string, options: string[], actual = rwTmpfs) =>
  mountDrift(asked(destination, type, options), actual).map((d) => d.message);

describe('mountDrift', () => {
  it('is silent when the kernel did what the spec asked', () => {
    assert.deepEqual(
      mountDrift(asked('/proc', 'proc', ['nosuid', 'noexec', 'nodev']), entries[1]),
      [],
    );
    assert.deepEqual(mountDrift(asked('/data', 'bind', ['rbind', 'ro', 'nosuid']), entries[4]), []);
  });

  it('reads the options the way the plan does: the last word wins', () => {
    assert.deepEqual(messages('/m', 'tmpfs', ['ro', 'rw']), []);
    assert.deepEqual(messages('/m', 'tmpfs', ['rw', 'ro']), ['asked ro, mounted rw']);
    assert.deepEqual(messages('/m', 'tmpfs', ['nosuid', 'suid']), []);
    assert.deepEqual(messages('/m', 'none', ['rbind', 'rro']), ['asked ro, mounted rw']);
    assert.deepEqual(messages('/m', 'none', ['rbind']), [], 'a bind: its type is not compared');
  });

  it('lets a recursive attribute win over the mount flag, as mount_setattr runs after mount', () => {
    assert.deepEqual(messages('/m', 'none', ['rbind', 'rro', 'rw']), ['asked ro, mounted rw']);
    assert.deepEqual(messages('/m', 'tmpfs', ['nosuid', 'rsuid']), []);
    assert.deepEqual(messages('/m', 'tmpfs', ['rnoexec']), ['asked noexec, mounted without it']);
  });

  it('says "asked ro, mounted rw"', () => {
    assert.deepEqual(
      mountDrift(asked('/tmp dir', 'tmpfs', ['ro', 'nosuid']), entries[5]).map((d) => d.message),
      ['asked ro, mounted rw'],
    );
  });

  it('reports a writable mount that came out read-only, and a missing noexec', () => {
    const diffs = mountDrift(asked('/data', 'bind', ['rbind', 'noexec']), entries[4]);
    assert.deepEqual(
      diffs.map((d) => d.kind),
      ['readonly', 'noexec'],
    );
    assert.equal(diffs[0].message, 'asked rw, mounted ro');
  });

  it('sees a read-only filesystem under a mount whose own flag says rw', () => {
    const [entry] = parseMountinfo('700 600 0:70 / /srv rw,relatime - tmpfs tmpfs ro,size=1024k\n');
    assert.deepEqual(
      mountDrift(asked('/srv', 'bind', ['rbind']), entry).map((d) => d.message),
      ['asked rw, mounted ro (the filesystem itself is read-only)'],
    );
  });

  it('compares the filesystem type of non-bind mounts only', () => {
    assert.deepEqual(
      mountDrift(asked('/dev', 'devtmpfs', ['nosuid']), entries[2]).map((d) => d.message),
      ['asked type devtmpfs, mounted tmpfs'],
    );
    assert.deepEqual(mountDrift(asked('/data', 'none', ['bind', 'ro']), entries[4]), []);
  });

  it('holds type "bind" without a bind option to its type, as the plan does (no bind is made)', () => {
    assert.deepEqual(
      mountDrift(asked('/data', 'bind', ['ro']), entries[4]).map((d) => d.message),
      ['asked type bind, mounted ext4'],
    );
  });

  it('accepts cgroup2 for a cgroup entry', () => {
    const [cg] = parseMountinfo('40 1 0:30 / /sys/fs/cgroup rw,nosuid - cgroup2 cgroup2 rw\n');
    assert.deepEqual(mountDrift(asked('/sys/fs/cgroup', 'cgroup', ['nosuid']), cg), []);
  });

  it('reports a destination with nothing mounted', () => {
    const [d] = mountDrift(asked('srv/', 'tmpfs', []), undefined);
    assert.equal(d.kind, 'not-mounted');
    assert.match(d.message, /nothing is mounted at \/srv in the running container/);
  });
});

describe('specMountDrift', () => {
  const spec = (destination: string, type: string, options: string[], index: number) =>
    normalizeMount({ destination, type, source: 'tmpfs', options }, index, origin, '/bundle');
  const planned = [
    spec('/proc', 'proc', ['nosuid', 'noexec', 'nodev'], 0),
    spec('/cache', 'tmpfs', [], 1),
    spec('/cache', 'tmpfs', ['ro'], 2),
    spec('/tmp dir', 'tmpfs', ['ro'], 3),
    spec('/failed', 'tmpfs', ['size=x'], 4),
    // Added by the runtime: not the spec's, never compared.
    normalizeMount(
      { destination: '/dev/shm', type: 'tmpfs', source: 'shm' },
      null,
      origin,
      '/bundle',
    ),
  ];

  it('compares each visible spec entry, skipping hidden, failed and added mounts', () => {
    const result = specMountDrift(planned, entries, new Set([4]));
    assert.deepEqual(
      result.map((r) => [r.mount.index, r.actual?.mountId, r.differences.map((d) => d.message)]),
      [
        [0, 601, []],
        [2, 607, []],
        [3, 605, ['asked ro, mounted rw']],
      ],
    );
  });
});

describe('describeMountedFlags', () => {
  it('keeps the flags a user asks about', () => {
    assert.equal(describeMountedFlags(entries[4]), 'ro,nosuid,nodev');
    assert.equal(describeMountedFlags(entries[1]), 'rw,nosuid,nodev,noexec');
  });
});
