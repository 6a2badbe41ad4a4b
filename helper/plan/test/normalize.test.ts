import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { normalizeMount, parseMountOptions } from '../src/normalize';
import type { Origin } from '../src/types';

const origin: Origin = { kind: 'added', reason: 'test' };
const norm = (entry: unknown) => normalizeMount(entry, 0, origin, '/bundle');

describe('normalizeMount', () => {
  it('makes a bind mount only from the bind or rbind option, not from type "bind"', () => {
    assert.equal(norm({ destination: '/a', type: 'bind', source: '/x' }).bind, false);
    assert.equal(
      norm({ destination: '/a', type: 'bind', source: '/x', options: ['bind'] }).bind,
      true,
    );
    const r = norm({ destination: '/a', type: 'none', source: '/x', options: ['rbind'] });
    assert.equal(r.bind, true);
    assert.equal(r.recursive, true);
    assert.equal(r.type, 'bind', 'runc names every bind mount "bind"');
  });

  it('keeps the type of a non-bind mount as written', () => {
    const m = norm({ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid'] });
    assert.equal(m.type, 'tmpfs');
    assert.equal(m.hostSource, undefined);
  });

  it('resolves a relative bind source against the bundle directory', () => {
    assert.equal(
      norm({ destination: '/a', source: 'data/x', options: ['bind'] }).hostSource,
      '/bundle/data/x',
    );
    assert.equal(norm({ destination: '/a', source: '../up', options: ['bind'] }).hostSource, '/up');
    assert.equal(norm({ destination: '/a', source: '/abs', options: ['bind'] }).hostSource, '/abs');
  });

  it('cleans the destination and reads a relative one as relative to /', () => {
    assert.equal(norm({ destination: 'data/' }).destination, '/data');
    assert.equal(norm({ destination: '/a//b/../c/' }).destination, '/a/c');
  });

  it('applies flag options in order, the last one wins', () => {
    const a = parseMountOptions(['ro', 'rw']);
    assert.deepEqual(a.flagsSet, []);
    assert.deepEqual(a.flagsClear, ['MS_RDONLY']);
    const b = parseMountOptions(['rw', 'ro', 'nosuid', 'suid', 'nodev']);
    assert.deepEqual(b.flagsSet, ['MS_RDONLY', 'MS_NODEV']);
    assert.deepEqual(b.flagsClear, ['MS_NOSUID']);
  });

  it('keeps propagation changes in order, with MS_REC for the r-forms', () => {
    assert.deepEqual(parseMountOptions(['rprivate', 'slave', 'runbindable']).propagation, [
      ['MS_REC', 'MS_PRIVATE'],
      ['MS_SLAVE'],
      ['MS_REC', 'MS_UNBINDABLE'],
    ]);
  });

  it('collects recursive attributes, clearing the atime field when setting an atime mode', () => {
    const p = parseMountOptions(['rro', 'rnosuid', 'rnoatime', 'rdev']);
    assert.deepEqual(p.attrSet, ['MOUNT_ATTR_RDONLY', 'MOUNT_ATTR_NOSUID', 'MOUNT_ATTR_NOATIME']);
    assert.deepEqual(p.attrClr, ['MOUNT_ATTR_NODEV', 'MOUNT_ATTR__ATIME']);
    const q = parseMountOptions(['rro', 'rrw']);
    assert.deepEqual(q.attrSet, []);
    assert.deepEqual(q.attrClr, ['MOUNT_ATTR_RDONLY']);
  });

  it('recognises tmpcopyup, idmap and ridmap; per-mount mappings imply idmap', () => {
    assert.equal(parseMountOptions(['tmpcopyup']).tmpcopyup, true);
    assert.equal(parseMountOptions(['idmap']).idmap, 'idmap');
    assert.equal(parseMountOptions(['ridmap']).idmap, 'ridmap');
    const m = norm({
      destination: '/a',
      source: '/x',
      options: ['bind'],
      uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
    });
    assert.equal(m.idmap, 'idmap');
  });

  it('passes everything else, defaults included, to the filesystem as data', () => {
    const p = parseMountOptions(['nosuid', 'mode=755', 'defaults', 'size=65536k']);
    assert.deepEqual(p.data, ['mode=755', 'defaults', 'size=65536k']);
    assert.deepEqual(p.flagsSet, ['MS_NOSUID']);
  });

  it('never throws on wrong types', () => {
    for (const bad of [
      null,
      3,
      'x',
      [],
      { destination: 7, options: 'ro' },
      { options: [1, null, 'ro'] },
    ]) {
      const m = norm(bad);
      assert.equal(typeof m.destination, 'string');
    }
    assert.deepEqual(norm({ destination: '/a', options: [1, null, 'ro'] }).flagsSet, ['MS_RDONLY']);
  });
});
