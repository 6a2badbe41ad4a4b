// Broken JSON: each syntax error once, and nothing the parser had to guess.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, posOf, spec } from './harness';

describe('broken JSON', () => {
  it('reports a missing closing brace once, and no finding about what the rest might lack', () => {
    const text = spec().trimEnd().slice(0, -1); // the last "}" is gone
    const c = check(text);
    assert.deepEqual(
      c.findings.map((f) => `${f.severity} ${f.code}`),
      ['error invalid-json'],
    );
    const end = c.doc.positionAt(text.length);
    assert.deepEqual(c.findings[0].range, { start: end, end });
  });

  it('reports a cut-off document without process-missing or default-mount-missing', () => {
    const full = spec();
    const text = full.slice(0, full.indexOf('"process"') + '"process": {'.length);
    const codes = check(text).findings.map((f) => f.code);
    assert.ok(codes.length > 0 && codes.every((c) => c === 'invalid-json'), codes.join());
    assert.equal(
      new Set(check(text).findings.map((f) => JSON.stringify(f.range))).size,
      codes.length,
    );
  });

  it('refuses a trailing comma once, on the comma, with a fix, and still checks the rest', () => {
    const text = spec((s) =>
      s.mounts.push({ destination: 'rel', type: 'tmpfs', source: 'tmpfs' }),
    ).replace('"path": "rootfs"', '"path": "rootfs",');
    const c = check(text);
    const f = c.one('invalid-json');
    assert.equal(f.severity, 'error');
    const comma = posOf(text, '"rootfs",');
    const at = { line: comma.line, character: comma.character + '"rootfs"'.length };
    assert.deepEqual(f.range, { start: at, end: { line: at.line, character: at.character + 1 } });
    assert.match(f.message, /trailing comma/);
    assert.equal(c.byCode('destination-not-absolute').length, 1, 'the document was read whole');
    assert.deepEqual(check(applyFix(c, f)).byCode('invalid-json'), []);
  });
});
