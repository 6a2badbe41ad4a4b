import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  compareMount,
  compareSpecWithMountinfo,
  describeActual,
  parseMountinfo,
  requestedFlags,
  visibleMountAt,
} from '../../src/mountinfo';

// The shape of a container PID 1's mountinfo after pivot_root: paths are container paths.
const MOUNTINFO = [
  '600 550 0:60 / / rw,relatime - ext4 /dev/sda1 rw',
  '601 600 0:62 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '602 600 0:63 / /dev rw,nosuid - tmpfs tmpfs rw,size=65536k,mode=755',
  '603 602 0:64 / /dev/pts rw,nosuid,noexec,relatime shared:5 - devpts devpts rw,gid=5,mode=620,ptmxmode=666',
  '604 600 8:1 /srv/data /data ro,nosuid,nodev,relatime - ext4 /dev/sda1 rw',
  '605 600 0:65 / /tmp\\040dir rw,nosuid,nodev - tmpfs tmpfs rw',
  '606 600 0:66 / /cache rw,relatime - tmpfs tmpfs rw',
  '607 606 0:67 / /cache ro,relatime - tmpfs tmpfs ro',
  '',
].join('\n');

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

  it('skips malformed lines instead of throwing', () => {
    assert.deepEqual(parseMountinfo('garbage\n1 2 3\n'), []);
  });

  it('finds the mount on top when several are stacked', () => {
    assert.equal(visibleMountAt(entries, '/cache')?.mountId, 607);
    assert.equal(visibleMountAt(entries, '/data/')?.mountId, 604);
    assert.equal(visibleMountAt(entries, 'proc')?.mountId, 601);
    assert.equal(visibleMountAt(entries, '/nowhere'), undefined);
  });

  it('describes the flags a user asks about', () => {
    assert.equal(describeActual(entries[4]), 'ro,nosuid,nodev');
    assert.equal(describeActual(entries[1]), 'rw,nosuid,nodev,noexec');
  });
});

describe('requestedFlags', () => {
  it('lets the last word win, like runc', () => {
    assert.equal(requestedFlags('bind', ['ro', 'rw']).readonly, false);
    assert.equal(requestedFlags('bind', ['rw', 'ro']).readonly, true);
    assert.equal(requestedFlags('tmpfs', ['nosuid', 'suid']).nosuid, false);
    assert.equal(requestedFlags('none', ['rbind', 'rro']).readonly, true);
    assert.equal(requestedFlags('none', ['rbind']).bind, true);
  });
});

describe('compareMount', () => {
  const entries = parseMountinfo(MOUNTINFO);

  it('is silent when the kernel did what the spec asked', () => {
    assert.deepEqual(
      compareMount(
        { destination: '/proc', type: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
        entries[1],
      ),
      [],
    );
    assert.deepEqual(
      compareMount(
        { destination: '/data', type: 'bind', options: ['rbind', 'ro', 'nosuid'] },
        entries[4],
      ),
      [],
    );
  });

  it('says "asked ro, mounted rw"', () => {
    const diffs = compareMount(
      { destination: '/tmp dir', type: 'tmpfs', options: ['ro', 'nosuid'] },
      entries[5],
    );
    assert.deepEqual(
      diffs.map((d) => d.message),
      ['asked ro, mounted rw'],
    );
  });

  it('reports a writable mount that came out read-only, and a missing noexec', () => {
    const diffs = compareMount(
      { destination: '/data', type: 'bind', options: ['rbind', 'noexec'] },
      entries[4],
    );
    assert.deepEqual(
      diffs.map((d) => d.kind),
      ['readonly', 'noexec'],
    );
    assert.equal(diffs[0].message, 'asked rw, mounted ro');
  });

  it('sees a read-only filesystem under a mount whose own flag says rw', () => {
    const [entry] = parseMountinfo('700 600 0:70 / /srv rw,relatime - tmpfs tmpfs ro,size=1024k\n');
    assert.deepEqual(
      compareMount({ destination: '/srv', type: 'bind', options: ['rbind'] }, entry).map(
        (d) => d.message,
      ),
      ['asked rw, mounted ro (the filesystem itself is read-only)'],
    );
  });

  it('compares the filesystem type of non-bind mounts only', () => {
    assert.deepEqual(
      compareMount({ destination: '/dev', type: 'devtmpfs', options: ['nosuid'] }, entries[2]).map(
        (d) => d.message,
      ),
      ['asked type devtmpfs, mounted tmpfs'],
    );
    assert.deepEqual(
      compareMount({ destination: '/data', type: 'bind', options: ['ro'] }, entries[4]),
      [],
    );
  });

  it('reports a destination with nothing mounted', () => {
    assert.equal(
      compareMount({ destination: '/srv', type: 'tmpfs', options: [] }, undefined)[0].kind,
      'not-mounted',
    );
  });
});

describe('compareSpecWithMountinfo', () => {
  const spec = JSON.stringify(
    {
      ociVersion: '1.2.0',
      mounts: [
        {
          destination: '/proc',
          type: 'proc',
          source: 'proc',
          options: ['nosuid', 'noexec', 'nodev'],
        },
        { destination: '/cache', type: 'tmpfs', source: 'tmpfs', options: [] },
        { destination: '/cache', type: 'tmpfs', source: 'tmpfs', options: ['ro'] },
        { destination: '/tmp dir', type: 'tmpfs', source: 'tmpfs', options: ['ro'] },
        { destination: '/failed', type: 'tmpfs', source: 'tmpfs', options: ['size=x'] },
      ],
    },
    null,
    2,
  );

  it('compares each visible entry and places the result on its range', () => {
    const result = compareSpecWithMountinfo(spec, parseMountinfo(MOUNTINFO), new Set([4]));
    assert.deepEqual(
      result.map((r) => [r.entry.index, r.differences.map((d) => d.message)]),
      [
        [0, []],
        [2, []],
        [3, ['asked ro, mounted rw']],
      ],
    );
    // The range starts at the entry's `{`, with its destination on the next line.
    const lines = spec.split('\n');
    const r = result[2].entry.range;
    assert.equal(lines[r.start.line].trim(), '{');
    assert.match(lines[r.start.line + 1], /"destination": "\/tmp dir"/);
  });
});
