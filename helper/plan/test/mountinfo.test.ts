import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseMountinfo, visibleMountAt } from '../src/mountinfo';
import { MOUNTINFO } from './mountinfoSample';

describe('parseMountinfo', () => {
  const entries = parseMountinfo(MOUNTINFO);

  it('reads every line into its fields', () => {
    assert.equal(entries.length, 8);
    const pts = entries[3];
    assert.equal(pts.mountId, 603);
    assert.equal(pts.parentId, 602);
    assert.equal(pts.mountPoint, '/dev/pts');
    assert.deepEqual(pts.options, ['rw', 'nosuid', 'noexec', 'relatime']);
    assert.deepEqual(pts.optional, ['shared:5']);
    assert.equal(pts.fstype, 'devpts');
    assert.equal(pts.source, 'devpts');
    assert.deepEqual(pts.superOptions, ['rw', 'gid=5', 'mode=620', 'ptmxmode=666']);
  });

  it('keeps the bind root and unescapes octal escapes', () => {
    assert.equal(entries[4].root, '/srv/data');
    assert.equal(entries[5].mountPoint, '/tmp dir');
  });

  it('reads mount point, type, source and options of a host table, unescaping spaces', () => {
    const m = parseMountinfo(
      '22 1 0:21 / /proc rw,nosuid,nodev,noexec,relatime shared:5 - proc proc rw\n' +
        '40 22 8:1 /srv/my\\040data /data ro,nosuid,nodev,relatime - ext4 /dev/sda1 rw,errors=remount-ro\n',
    );
    assert.equal(m[0].fstype, 'proc');
    assert.equal(m[1].root, '/srv/my data');
    assert.equal(m[1].mountPoint, '/data');
    assert.equal(m[1].source, '/dev/sda1');
    assert.deepEqual(m[1].options, ['ro', 'nosuid', 'nodev', 'relatime']);
    assert.deepEqual(m[1].superOptions, ['rw', 'errors=remount-ro']);
    assert.deepEqual(m[1].optional, []);
  });

  it('reads several optional fields, and none', () => {
    const [shared, none] = parseMountinfo(
      '30 1 0:5 / /mnt rw shared:7 master:2 - tmpfs t rw\n31 1 0:6 / /opt rw - tmpfs t rw\n',
    );
    assert.deepEqual(shared.optional, ['shared:7', 'master:2']);
    assert.equal(shared.fstype, 'tmpfs');
    assert.deepEqual(none.optional, []);
  });

  it('skips malformed lines instead of throwing', () => {
    assert.deepEqual(parseMountinfo('garbage\n1 2 3\n1 2 3 / /x rw - tmpfs\n'), []);
  });

  it('finds the mount on top when several are stacked', () => {
    assert.equal(visibleMountAt(entries, '/cache')?.mountId, 607);
    assert.equal(visibleMountAt(entries, '/data/')?.mountId, 604);
    assert.equal(visibleMountAt(entries, 'proc')?.mountId, 601);
    assert.equal(visibleMountAt(entries, '/nowhere'), undefined);
  });
});
