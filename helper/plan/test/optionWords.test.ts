import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeMount } from '../src/normalize';
import { effectiveOptions } from '../src/optionWords';
import type { Origin } from '../src/types';

const origin: Origin = { kind: 'added', reason: 'test' };
const words = (options: string[], type = 'none') =>
  effectiveOptions(
    normalizeMount({ destination: '/a', type, source: '/x', options }, 0, origin, '/b'),
  );

describe('effectiveOptions', () => {
  it('says a bind in the words a user writes: bind first, then ro/rw, flags, recursive attributes, propagation, data', () => {
    assert.equal(
      words(['rprivate', 'nosuid', 'rbind', 'rnoexec', 'ro', 'nodev']),
      'rbind,ro,nosuid,nodev,rnoexec,rprivate',
    );
  });

  it('leaves out what an option cleared and says rw when nothing made it read-only', () => {
    assert.equal(words(['bind', 'ro', 'rw', 'noexec', 'exec', 'private']), 'bind,rw,private');
  });

  it('keeps filesystem data as written, after the flags', () => {
    assert.equal(words(['nosuid', 'size=1m', 'mode=755'], 'tmpfs'), 'rw,nosuid,size=1m,mode=755');
  });

  it('names every option that sets flags by its own word (the table read backwards)', () => {
    for (const option of [
      'sync',
      'dirsync',
      'noatime',
      'strictatime',
      'lazytime',
      'rnoatime',
      'rro',
      'runbindable',
      'rslave',
    ])
      assert.ok(words(['bind', option]).split(',').includes(option), option);
  });
});
