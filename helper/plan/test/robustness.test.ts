// Broken and oddly typed specs never make the planner throw, and no rule gives up on them.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { planBundle } from '../src';
import { fakeHost } from './fakeHost';

const FIXTURES = path.join(__dirname, 'fixtures', 'oci-examples');
const host = fakeHost({ '/b/rootfs/proc': 'dir', '/b/rootfs/etc': 'dir' });
const ODD_VALUES: unknown[] = [
  null,
  0,
  -1,
  1.5,
  '',
  'x',
  '../..',
  true,
  [],
  {},
  [null],
  { '': 1 },
  '\u0000',
];

/** A small deterministic generator, so a failure can be replayed. */
function rng(seed: number) {
  let s = seed >>> 0;
  return (n: number) => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s % n;
  };
}

/** Replace one randomly chosen node (object member or array element) with an odd value. */
function mutate(value: unknown, pick: (n: number) => number): unknown {
  const holders: { holder: Record<string, unknown> | unknown[]; key: string | number }[] = [];
  const walk = (v: unknown) => {
    if (Array.isArray(v)) {
      v.forEach((x, i) => {
        holders.push({ holder: v, key: i });
        walk(x);
      });
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        holders.push({ holder: v as Record<string, unknown>, key: k });
        walk(x);
      }
    }
  };
  const copy = structuredClone(value);
  walk(copy);
  const h = holders[pick(holders.length)];
  (h.holder as Record<string | number, unknown>)[h.key] = ODD_VALUES[pick(ODD_VALUES.length)];
  return copy;
}

function check(text: string, what: string) {
  let plan;
  try {
    plan = planBundle({ text, bundleDir: '/b', host });
  } catch (e) {
    assert.fail(`${what}: planBundle threw ${e instanceof Error ? e.stack : String(e)}`);
  }
  const crashed = plan.findings.filter((f) => f.code === 'internal-rule-failure');
  assert.deepEqual(
    crashed.map((f) => f.message),
    [],
    what,
  );
  for (const f of plan.findings) {
    assert.ok(
      f.range.start.line >= 0 && f.range.end.line >= f.range.start.line,
      `${what}: ${f.code} range`,
    );
  }
}

describe('robustness', () => {
  for (const file of fs.readdirSync(FIXTURES).filter((f) => f.endsWith('.json'))) {
    const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
    it(`${file}: cut anywhere`, () => {
      const pick = rng(file.length);
      for (let i = 0; i < 60; i++) {
        const at = pick(text.length);
        check(text.slice(0, at), `${file} cut at ${at}`);
      }
    });
    it(`${file}: any node of the wrong type`, () => {
      const pick = rng(7 * file.length);
      const spec = JSON.parse(text) as unknown;
      for (let i = 0; i < 150; i++) {
        const seedState = i;
        check(JSON.stringify(mutate(spec, pick), null, 2), `${file} mutation ${seedState}`);
      }
    });
  }
});
