// Creating and opening container paths, against the recording fake.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { RecordingSyscalls } from '../../src/runtime/recordingSyscalls';
import {
  mkdirAllInRoot,
  mkfileInRoot,
  OPENAT2_TRIES,
  resolveInRoot,
} from '../../src/runtime/resolveInRoot';
import { AT_FDCWD, O_DIRECTORY, O_PATH } from '../../src/runtime/syscalls';

const R = '/bundle/rootfs';

function rootOf(sys: RecordingSyscalls): number {
  const r = sys.openat(AT_FDCWD, R, O_PATH | O_DIRECTORY, 0);
  assert.ok(r.ok);
  return r.value;
}

describe('resolveInRoot', () => {
  it('creates what a dangling symlink points at, inside the root (runc)', () => {
    const sys = new RecordingSyscalls({
      [`${R}/cache`]: { link: '/var/missing/cache' },
      [`${R}/var`]: 'dir',
    });
    const root = rootOf(sys);
    assert.ok(mkdirAllInRoot(sys, root, '/cache/sub', 0o755).ok);
    assert.deepEqual(sys.calls, [
      `mkdir ${R}/var/missing 755`,
      `mkdir ${R}/var/missing/cache 755`,
      `mkdir ${R}/var/missing/cache/sub 755`,
    ]);
    sys.close(root);
    assert.equal(sys.openFds(), 0);
  });

  it('follows a relative dangling symlink from its own directory, and a file mount point too', () => {
    const sys = new RecordingSyscalls({
      [`${R}/etc/conf`]: { link: '../srv/conf.d' },
      [`${R}/etc/one`]: { link: 'real-one' },
    });
    const root = rootOf(sys);
    assert.ok(mkdirAllInRoot(sys, root, '/etc/conf', 0o755).ok);
    assert.ok(mkfileInRoot(sys, root, '/etc/one', 0o755).ok);
    assert.deepEqual(sys.calls.slice(0, 2), [`mkdir ${R}/srv 755`, `mkdir ${R}/srv/conf.d 755`]);
    assert.ok(sys.files.has(`${R}/etc/real-one`), 'the file the link names is created');
    sys.close(root);
    assert.equal(sys.openFds(), 0);
  });

  it('stops at a symlink loop with ELOOP', () => {
    const sys = new RecordingSyscalls({ [`${R}/a`]: { link: '/b' }, [`${R}/b`]: { link: '/a' } });
    const root = rootOf(sys);
    const r = mkdirAllInRoot(sys, root, '/a/x', 0o755);
    assert.equal(r.ok, false);
    assert.equal(!r.ok && r.errno, 'ELOOP');
  });

  it('tries openat2 again when the kernel answers EAGAIN, a bounded number of times', () => {
    const sys = new RecordingSyscalls({ [`${R}/etc`]: 'dir' });
    const root = rootOf(sys);
    sys.failOn('openat2', 'EAGAIN');
    sys.failOn('openat2', 'EAGAIN');
    const r = resolveInRoot(sys, root, '/etc');
    assert.ok(r.ok, 'two EAGAINs, then the answer');
    for (let i = 0; i < OPENAT2_TRIES; i++) sys.failOn('openat2', 'EAGAIN');
    const gaveUp = resolveInRoot(sys, root, '/etc');
    assert.equal(!gaveUp.ok && gaveUp.errno, 'EAGAIN', 'and gives up after OPENAT2_TRIES');
  });
});
