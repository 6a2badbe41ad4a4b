// Rules read a spec of unknown shape: wrong types anywhere give structure errors, never a crash.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, posOf, rangeOf, spec } from './harness';

const ODD_VALUES: unknown[] = [null, 0, -1, 1.5, true, 'x', '', [], [null], {}, { a: 1 }];

describe('odd shapes', () => {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- any shape goes anywhere here
  const places: ((s: Record<string, any>, v: unknown) => void)[] = [
    (s, v) => (s.mounts = v),
    (s, v) => (s.mounts[1] = v),
    (s, v) => (s.mounts[1].options = v),
    (s, v) => (s.mounts[1].options[0] = v),
    (s, v) => (s.mounts[1].destination = v),
    (s, v) => (s.mounts[1].type = v),
    (s, v) => (s.mounts[1].source = v),
    (s, v) => (s.mounts[1].uidMappings = v),
    (s, v) => (s.linux = v),
    (s, v) => (s.linux.namespaces = v),
    (s, v) => (s.linux.namespaces[0] = v),
    (s, v) => (s.linux.namespaces[0].path = v),
    (s, v) => (s.linux.uidMappings = v),
    (s, v) => (s.linux.maskedPaths = v),
    (s, v) => (s.linux.sysctl = v),
    (s, v) => (s.root = v),
    (s, v) => (s.root.path = v),
    (s, v) => (s.process = v),
    (s, v) => (s.process.cwd = v),
    (s, v) => (s.hostname = v),
  ];
  it('never makes a rule fail, whatever value sits where', () => {
    for (const [i, place] of places.entries()) {
      for (const v of ODD_VALUES) {
        const text = spec((s) => place(s, v));
        const failures = check(text).byCode('internal-rule-failure');
        assert.deepEqual(
          failures.map((f) => f.message),
          [],
          `place ${i}, value ${JSON.stringify(v)}`,
        );
      }
    }
  });

  it('reports a wrong type once, where it is', () => {
    const text = spec((s) => (s.mounts[1].options = 'nosuid'));
    const c = check(text);
    assert.equal(c.one('wrong-type').path.join('.'), 'mounts.1.options');
  });

  it('in broken JSON says only what stands before the break: the syntax error and earlier types', () => {
    const text = spec((s) => {
      s.process.terminal = 'false';
      s.mounts.push({ destination: 'rel', type: 'tmpfs', source: 'tmpfs' });
    }).replace('"hostname": "box",', '"hostname": "box"');
    const c = check(text);
    assert.deepEqual(
      c.findings.map((f) => `${f.severity} ${f.code}`),
      ['error wrong-type', 'error invalid-json'],
    );
    assert.deepEqual(c.one('wrong-type').range, rangeOf(text, '"false"'));
    assert.deepEqual(c.one('invalid-json').range.start, posOf(text, '"mounts"'));
  });
});
