import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findSpecMounts, isOciSpecText } from '../../src/specMounts';

describe('isOciSpecText', () => {
  it('accepts a spec and ignores unrelated config.json files', () => {
    assert.equal(isOciSpecText('{ "ociVersion": "1.2.0", "root": {} }'), true);
    assert.equal(isOciSpecText('{ "name": "app", "port": 8080 }'), false);
    // Mentioning the word is not enough: it must be a top-level key.
    assert.equal(isOciSpecText('{ "nested": { "ociVersion": "1.0.0" } }'), false);
    assert.equal(isOciSpecText('[ "ociVersion" ]'), false);
  });
});

describe('findSpecMounts', () => {
  it('gives each entry its 0-based range and its fields', () => {
    const text =
      '{\n  "ociVersion": "1.2.0",\n  "mounts": [\n    { "destination": "/proc", "type": "proc", "source": "proc" },\n    {\n      "destination": "/data",\n      "options": ["rbind", "ro", 3]\n    }\n  ]\n}\n';
    const mounts = findSpecMounts(text);
    assert.equal(mounts.length, 2);
    assert.deepEqual(mounts[0].range, {
      start: { line: 3, character: 4 },
      end: { line: 3, character: 64 },
    });
    assert.equal(mounts[0].type, 'proc');
    assert.deepEqual(mounts[1].range.start, { line: 4, character: 4 });
    assert.deepEqual(mounts[1].range.end, { line: 7, character: 5 });
    assert.deepEqual(mounts[1].options, ['rbind', 'ro']);
    assert.equal(mounts[1].type, undefined);
  });

  it('copes with broken JSON and a spec without mounts', () => {
    assert.deepEqual(findSpecMounts('{ "ociVersion": "1.2.0" }'), []);
    assert.equal(findSpecMounts('{ "mounts": [ { "destination": "/a" }, ').length, 1);
  });
});
