// A config.json nested too deeply for a recursive parser is a finding, not a stack overflow;
// and the depth check reads brackets exactly as jsonc-parser's scanner does.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import * as jsonc from 'jsonc-parser';
import { planBundle } from '../src';
import { MAX_JSON_DEPTH, tooDeepAt } from '../src/jsonDepth';
import { fakeHost } from './fakeHost';

/** The reference: depth counted over jsonc-parser's own tokens. */
function scannerTooDeepAt(text: string, max: number): number | undefined {
  const s = jsonc.createScanner(text, true);
  let depth = 0;
  for (let k = s.scan(); k !== jsonc.SyntaxKind.EOF; k = s.scan()) {
    if (k === jsonc.SyntaxKind.OpenBraceToken || k === jsonc.SyntaxKind.OpenBracketToken) {
      if (++depth > max) return s.getTokenOffset();
    } else if (k === jsonc.SyntaxKind.CloseBraceToken || k === jsonc.SyntaxKind.CloseBracketToken) {
      if (depth > 0) depth--;
    }
  }
  return undefined;
}

function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

describe('JSON depth', () => {
  it('agrees with jsonc-parser’s scanner on 20,000 random texts of brackets, strings, escapes and comments', () => {
    const alphabet = [
      '[',
      ']',
      '{',
      '}',
      '"',
      '\\',
      '/',
      '*',
      '\n',
      '\r',
      'a',
      ' ',
      'u',
      '0',
      ':',
      ',',
    ];
    const pick = rng(8);
    for (let i = 0; i < 20000; i++) {
      let text = '';
      const len = 1 + pick(48);
      for (let j = 0; j < len; j++) text += alphabet[pick(alphabet.length)];
      const max = pick(4);
      assert.equal(tooDeepAt(text, max), scannerTooDeepAt(text, max), JSON.stringify(text));
    }
  });

  it('ignores brackets in strings and comments, and counts them after a string cut by a line break', () => {
    assert.equal(tooDeepAt('["[[[", "\\"[[["]', 1), undefined);
    assert.equal(tooDeepAt('[ // [[[\n]', 1), undefined);
    assert.equal(tooDeepAt('[ /* [[[ */ ]', 1), undefined);
    assert.equal(tooDeepAt('[ "unterminated\n[', 1), 16);
  });

  it('a config.json of 100,000 `[` plans to one error finding at the bracket past the limit', () => {
    const plan = planBundle({
      text: '['.repeat(100_000),
      bundleDir: '/b',
      host: fakeHost({}),
      fileName: '/b/config.json',
    });
    const deep = plan.findings.filter((f) => f.code === 'json-too-deep');
    assert.equal(deep.length, 1, JSON.stringify(plan.findings.slice(0, 3)));
    assert.equal(deep[0].severity, 'error');
    assert.deepEqual(deep[0].range.start, { line: 0, character: MAX_JSON_DEPTH });
    assert.doesNotMatch(deep[0].message, /\n/);
    assert.equal(plan.operations.length, 0);
  });

  it('deep nesting inside a valid spec (an annotation value) is refused the same way', () => {
    const nested = '['.repeat(5000) + ']'.repeat(5000);
    const plan = planBundle({
      text: `{"ociVersion":"1.0.2","annotations":{"x":${nested}}}`,
      bundleDir: '/b',
      host: fakeHost({}),
    });
    assert.ok(plan.findings.some((f) => f.code === 'json-too-deep' && f.severity === 'error'));
  });

  it('a spec nested exactly to the limit is parsed as usual', () => {
    const nested = '['.repeat(MAX_JSON_DEPTH - 2) + ']'.repeat(MAX_JSON_DEPTH - 2);
    const plan = planBundle({
      text: `{"annotations":{"x":${nested}}}`,
      bundleDir: '/b',
      host: fakeHost({}),
    });
    assert.ok(!plan.findings.some((f) => f.code === 'json-too-deep'));
  });
});
