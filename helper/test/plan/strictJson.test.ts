// The fast parser must give exactly jsonc-parser's tree and value, or step aside.
import { test } from 'node:test';
import * as assert from 'node:assert/strict';
import * as jsonc from 'jsonc-parser';
import { parseStrictJson } from '../../src/plan/strictJson';

/** The tree without parent links (they make it cyclic), for a deep comparison. */
function plain(node: jsonc.Node | undefined): unknown {
  if (!node) return undefined;
  const { parent: _parent, children, ...rest } = node;
  return children ? { ...rest, children: children.map(plain) } : rest;
}

const SAME = [
  '{}',
  '[]',
  ' \r\n\t{ "a" : 1 , "b":[true,false,null,"x"] }\n',
  '{"ociVersion":"1.2.0","mounts":[{"destination":"/proc","type":"proc","options":[]}]}',
  '"just a string"',
  '-0.5e+10',
  '[0, -1, 12.25, 1E3, 2e-2]',
  '{"esc":"a\\"b\\\\c\\n\\u00e9\\ud83d\\ude00","\\u0041":"k"}',
  '{"dup":1,"dup":2}',
  '{"constructor":{"__proto__":[1]},"toString":"x"}',
  '{"http":"//not a comment /* either */"}',
  '{"deep":[[[[{"a":[{}]}]]]]}',
];

const NOT_STRICT = [
  '',
  '   ',
  '{"a":1,}',
  '[1,]',
  '{"a":1} // comment',
  '/* c */ {}',
  "{'a':1}",
  '{"a":01}',
  '{"a":1.}',
  '{"a":-}',
  '{"a":tru}',
  '{"a":truex}',
  '{"a":"unterminated}',
  '{"a":"tab\tinside"}',
  '{"a":"bad \\x escape"}',
  '{"a" 1}',
  '{"a":1 "b":2}',
  '{"a":1}}',
  '\ufeff{}',
  '{\u00a0}',
  'NaN',
  '{a:1}',
];

test('strict JSON gives the same tree and value as jsonc-parser', () => {
  for (const text of SAME) {
    const fast = parseStrictJson(text);
    assert.ok(fast, `parsed as strict JSON: ${text}`);
    const errors: jsonc.ParseError[] = [];
    const tree = jsonc.parseTree(text, errors, { allowTrailingComma: true });
    assert.deepEqual(errors, [], text);
    assert.deepEqual(plain(fast.tree), plain(tree), text);
    assert.deepEqual(fast.value, jsonc.getNodeValue(tree!), text);
    assert.equal('parent' in fast.tree, false, 'the root has no parent, as with parseTree');
  }
});

test('the children point at their parents', () => {
  const fast = parseStrictJson('{"mounts":[{"type":"bind"}]}')!;
  const mount = jsonc.findNodeAtLocation(fast.tree, ['mounts', 0])!;
  assert.equal(mount.parent?.type, 'array');
  assert.equal(mount.parent?.parent?.type, 'property');
  assert.equal(mount.parent?.parent?.parent, fast.tree);
});

test('anything but strict JSON is left to jsonc-parser', () => {
  for (const text of NOT_STRICT) assert.equal(parseStrictJson(text), undefined, text);
});
