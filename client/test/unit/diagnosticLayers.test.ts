import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding } from '@bindery/plan';
import { findingKey, type Layer, mergeLayers, notShownBy } from '../../src/diagnosticLayers';

const at = (line: number) => ({ start: { line, character: 4 }, end: { line, character: 9 } });
const finding = (code: string, line: number): Finding => ({
  code,
  severity: 'error',
  message: `${code} here`,
  range: at(line),
  path: ['mounts', line],
});

interface D {
  code: string;
  line: number;
  text: string;
}
const keyOf = (d: D) => findingKey(d.code, d.line);

describe('notShownBy', () => {
  it('leaves out what the language server shows already, by code on the line', () => {
    const shown = new Set([
      findingKey('bind-source-not-found', 7),
      findingKey({ value: 'x', target: 'y' }, 3),
    ]);
    assert.deepEqual(
      notShownBy(
        [
          finding('bind-source-not-found', 7),
          finding('bind-source-not-found', 9),
          finding('x', 3),
          finding('y', 3),
        ],
        shown,
      ).map((f) => findingKey(f.code, f.range.start.line)),
      ['bind-source-not-found@9', 'y@3'],
    );
  });
});

describe('mergeLayers', () => {
  it('shows a finding that two layers both report once, the launch’s first', () => {
    const layers = new Map<Layer, D[]>([
      [
        'validate',
        [
          { code: 'bind-source-not-found', line: 7, text: 'validate' },
          { code: 'other', line: 2, text: 'validate' },
        ],
      ],
      ['mismatch', [{ code: 'mounted-differs:readonly', line: 12, text: 'drift' }]],
      ['launch', [{ code: 'bind-source-not-found', line: 7, text: 'launch' }]],
    ]);
    assert.deepEqual(
      mergeLayers(layers, keyOf).map((d) => `${d.text} ${keyOf(d)}`),
      ['launch bind-source-not-found@7', 'validate other@2', 'drift mounted-differs:readonly@12'],
    );
  });

  it('keeps the same code on different lines apart', () => {
    const layers = new Map<Layer, D[]>([
      ['launch', [{ code: 'EINVAL', line: 4, text: 'a' }]],
      ['validate', [{ code: 'EINVAL', line: 5, text: 'b' }]],
    ]);
    assert.equal(mergeLayers(layers, keyOf).length, 2);
  });
});
