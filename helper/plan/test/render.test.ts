import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mountOp, propagationOp } from '../src/operationConstructors';
import { renderFlags, renderOperation, renderOrigin } from '../src/render';
import { ADDED as origin, devNullMknod, ZERO_RANGE } from '../../test/sampleOperations';

describe('renderOperation', () => {
  it('renders mount(2) with flags by name in value order and the data string', () => {
    assert.equal(
      renderOperation(
        mountOp(
          {
            source: 'tmpfs',
            target: '/dev/shm',
            fstype: 'tmpfs',
            flags: ['MS_NOEXEC', 'MS_NOSUID', 'MS_NODEV'],
            data: 'mode=1777,size=65536k',
          },
          origin,
        ),
      ),
      'mount("tmpfs", "/dev/shm", "tmpfs", MS_NOSUID|MS_NODEV|MS_NOEXEC, "mode=1777,size=65536k")',
    );
    assert.equal(
      renderOperation(propagationOp('/', ['MS_REC', 'MS_PRIVATE'], origin, 'host')),
      'mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)',
    );
  });

  it('renders mount_setattr, mkdir, symlink and mknod', () => {
    assert.equal(
      renderOperation({
        op: 'setattr',
        target: '/data',
        targetScope: 'rootfs',
        attrSet: ['MOUNT_ATTR_RDONLY'],
        attrClr: [],
        recursive: true,
        origin,
      }),
      'mount_setattr("/data", AT_RECURSIVE, {attr_set: MOUNT_ATTR_RDONLY})',
    );
    assert.equal(
      renderOperation({
        op: 'setattr',
        target: '/d',
        targetScope: 'rootfs',
        attrSet: ['MOUNT_ATTR_NOATIME'],
        attrClr: ['MOUNT_ATTR__ATIME'],
        recursive: true,
        origin,
      }),
      'mount_setattr("/d", AT_RECURSIVE, {attr_set: MOUNT_ATTR_NOATIME, attr_clr: MOUNT_ATTR__ATIME})',
    );
    assert.equal(
      renderOperation({ op: 'mkdir', path: '/data', mode: 0o755, origin }),
      'mkdir("/data", 0755)',
    );
    assert.equal(
      renderOperation({ op: 'symlink', linkTarget: '/proc/self/fd', path: '/dev/fd', origin }),
      'symlink("/proc/self/fd", "/dev/fd")',
    );
    assert.equal(
      renderOperation(devNullMknod()),
      'mknod("/dev/null", S_IFCHR|0666, makedev(1, 3))',
    );
  });

  it('renders an empty flag set as 0', () => {
    assert.equal(renderFlags([]), '0');
  });

  it('names the spec entry an operation came from', () => {
    const range = ZERO_RANGE;
    assert.equal(
      renderOrigin({ kind: 'spec', path: ['mounts', 2], mountIndex: 2, range }, '/data'),
      'mounts[2] /data',
    );
    assert.equal(
      renderOrigin({ kind: 'spec', path: ['linux', 'maskedPaths', 0], range }),
      'linux.maskedPaths[0]',
    );
    assert.equal(renderOrigin({ kind: 'added', reason: 'why' }), 'added: why');
  });
});
