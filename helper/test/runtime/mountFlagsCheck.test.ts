// The read-back of a sealed mount tree: what the kernel's table lacks, by mount point.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { mountsMissingFlags } from '../../src/runtime/mountFlagsCheck';
import { ADDED } from '../sampleOperations';

const check = (devAllowed: string[]) => ({
  op: 'check-mount-flags' as const,
  devAllowed,
  origin: ADDED,
});

describe('mountsMissingFlags', () => {
  const table = [
    '600 550 0:60 / / rw,nosuid,nodev,relatime - ext4 /dev/sda1 rw',
    '601 600 0:63 / /dev rw,nosuid shared:3 - tmpfs tmpfs rw,mode=755',
    '602 601 0:64 / /dev/pts rw,nosuid,noexec - devpts devpts rw',
    '603 600 0:65 / /my\\040data rw,nodev - tmpfs tmpfs rw',
    '',
  ].join('\n');

  it('names each mount without nosuid or nodev, its point unescaped', () => {
    assert.deepEqual(mountsMissingFlags(table, check([])), [
      '/dev (no nodev)',
      '/dev/pts (no nodev)',
      '/my data (no nosuid)',
    ]);
  });

  it('lets the runtime’s own /dev and devpts keep dev', () => {
    assert.deepEqual(mountsMissingFlags(table, check(['/dev', '/dev/pts'])), [
      '/my data (no nosuid)',
    ]);
  });
});
