// The one-pass reader gives jsonc-parser's very tree and value for strict JSON, and gives up
// (undefined) on anything jsonc-parser would flag, so that jsonc-parser says what is wrong.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as jsonc from 'jsonc-parser';
import { parseStrictJson } from '../src/strictJson';
import { baseSpec, runcMounts } from '../../test/baseSpec';

function viaJsonc(text: string) {
  const errors: jsonc.ParseError[] = [];
  const tree = jsonc.parseTree(text, errors, {
    allowTrailingComma: false,
    disallowComments: false,
  });
  return { tree, value: tree ? jsonc.getNodeValue(tree) : undefined, errors };
}

function assertSame(text: string): void {
  const strict = parseStrictJson(text);
  const expected = viaJsonc(text);
  assert.equal(
    expected.errors.length,
    0,
    `jsonc-parser reads ${JSON.stringify(text)} without errors`,
  );
  assert.ok(strict, `read ${JSON.stringify(text.slice(0, 80))}`);
  assert.deepStrictEqual(strict.tree, expected.tree);
  assert.deepStrictEqual(strict.value, expected.value);
}

function fixtureTexts(): string[] {
  const dir = path.join(__dirname, 'fixtures');
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.json')) out.push(fs.readFileSync(p, 'utf8'));
    }
  };
  if (fs.existsSync(dir)) walk(dir);
  return out;
}

describe('parseStrictJson', () => {
  it('reads specs as jsonc-parser does, whatever the layout', () => {
    const spec = baseSpec({ mounts: runcMounts('/proc', '/dev', '/sys') });
    for (const indent of [0, 1, 2, 4, '\t'])
      assertSame(JSON.stringify(spec, null, indent) + (indent ? '\n' : ''));
    assertSame(JSON.stringify(spec, null, 2).replace(/\n/g, '\r\n'));
  });

  it('reads every strict fixture as jsonc-parser does', () => {
    let read = 0;
    for (const text of fixtureTexts()) {
      if (viaJsonc(text).errors.length > 0 || /^\s*\/\/|\/\*/.test(text)) {
        assert.equal(parseStrictJson(text), undefined);
        continue;
      }
      assertSame(text);
      read++;
    }
    assert.ok(read > 0, 'some fixtures are strict JSON');
  });

  it('reads values of every kind: escapes, numbers, empty and nested containers, duplicate keys', () => {
    for (const text of [
      '{}',
      '[]',
      ' [ ] ',
      '"a"',
      '0',
      '-0',
      '1.5e-3',
      '-12E+2',
      '123456789012345678901234567890',
      'true',
      'null',
      '[false, null, true, 0, "x"]',
      '{"a": {"b": [[], {}, [[1]]]}}',
      '{"s": "tab\\t quote\\" backslash\\\\ slash\\/ unicode\\u00e9 \\ud83d\\ude00 nl\\n"}',
      '{"é": "ü", "emoji": "😀", "sep": "\u2028"}',
      '{"a": 1, "a": 2, "b": 3}',
      '{"__proto__": {"x": 1}, "constructor": 2}',
      '{\n\t"a" :\r\n [1 ,2] }',
    ])
      assertSame(text);
  });

  it('gives up on what jsonc-parser flags or reads differently', () => {
    for (const text of [
      '',
      '   ',
      '{',
      '{"a": 1,}',
      '[1,]',
      '{"a" 1}',
      '{"a": 1 "b": 2}',
      '// c\n{}',
      '{"a": /* c */ 1}',
      '{a: 1}',
      "{'a': 1}",
      '01',
      '1.',
      '.5',
      '-',
      '1e',
      '+1',
      'NaN',
      'truex',
      '{"a": tru}',
      '"unterminated',
      '"line\nbreak"',
      '"tab\tinside"',
      '"bad \\x escape"',
      '"bad \\u12 escape"',
      '{} {}',
      '\ufeff{}',
      '{\u00a0}',
      '{\v}',
    ]) {
      assert.equal(parseStrictJson(text), undefined, JSON.stringify(text));
    }
  });

  it('gives up beyond the nesting jsonDepth allows, and reads up to it', () => {
    assertSame('['.repeat(64) + ']'.repeat(64));
    assert.equal(parseStrictJson('['.repeat(65) + ']'.repeat(65)), undefined);
    assert.equal(parseStrictJson('['.repeat(100_000)), undefined);
  });
});
