import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec } from '../../src/document';
import {
  appendAt,
  applyEdits,
  indentUnit,
  insertArrayElement,
  removeArrayElements,
} from '../../src/rules/edits';
import { editDistance, nearest } from '../../src/rules/nearest';

function edit(
  text: string,
  f: (doc: ReturnType<typeof parseSpec>) => Parameters<typeof applyEdits>[1],
) {
  const doc = parseSpec(text);
  return applyEdits(text, f(doc), doc);
}

describe("edits keep the user's formatting", () => {
  it('detects the indent unit', () => {
    assert.equal(indentUnit('{\n    "a": 1\n}'), '    ');
    assert.equal(indentUnit('{\n\t"a": 1\n}'), '\t');
    assert.equal(indentUnit('{"a": 1}'), '  ');
  });

  it('inserts into a multi-line array with its indentation and CRLF line ends', () => {
    const text = '{\r\n    "a": [\r\n        "x"\r\n    ]\r\n}';
    const out = edit(text, (doc) => [insertArrayElement(doc, doc.nodeAt(['a'])!, 1, { k: 'v' })]);
    assert.equal(out, '{\r\n    "a": [\r\n        "x",\r\n        {"k": "v"}\r\n    ]\r\n}');
  });

  it('inserts before an element, and into an empty array', () => {
    assert.equal(
      edit('{"a": [1, 2]}', (doc) => [insertArrayElement(doc, doc.nodeAt(['a'])!, 0, 0)]),
      '{"a": [0, 1, 2]}',
    );
    assert.equal(
      edit('{\n  "a": []\n}', (doc) => [insertArrayElement(doc, doc.nodeAt(['a'])!, 0, { t: 1 })]),
      '{\n  "a": [\n    {\n      "t": 1\n    }\n  ]\n}',
    );
  });

  it('removes elements, first, middle and all', () => {
    const text = '{"a": [1, 2, 3]}';
    assert.equal(
      edit(text, (doc) => [removeArrayElements(doc, doc.nodeAt(['a'])!, [0])]),
      '{"a": [2, 3]}',
    );
    assert.equal(
      edit(text, (doc) => [removeArrayElements(doc, doc.nodeAt(['a'])!, [1])]),
      '{"a": [1, 3]}',
    );
    assert.equal(
      edit(text, (doc) => [removeArrayElements(doc, doc.nodeAt(['a'])!, [0, 1, 2])]),
      '{"a": []}',
    );
  });

  it('creates missing parents', () => {
    assert.equal(
      edit('{\n  "x": 1\n}', (doc) => appendAt(doc, ['linux', 'namespaces'], [{ type: 'uts' }])!),
      '{\n  "x": 1,\n  "linux": {\n    "namespaces": [\n      {\n        "type": "uts"\n      }\n    ]\n  }\n}',
    );
    assert.equal(appendAt(parseSpec('{"linux": 3}'), ['linux', 'namespaces'], [1]), undefined);
  });
});

describe('nearest', () => {
  it('finds typos, swaps included, and ignores far words', () => {
    assert.equal(editDistance('nosiud', 'nosuid'), 1);
    assert.equal(nearest('nosiud', ['nosuid', 'nodev']), 'nosuid');
    assert.equal(nearest('NOEXEC', ['noexec']), 'noexec');
    assert.equal(nearest('ro', ['rw']), undefined);
    assert.equal(nearest('userxattr', ['nosuid', 'relatime']), undefined);
  });
});
