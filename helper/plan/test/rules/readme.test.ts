// The rules README is the table users read: each code the plan reports is in it, with the
// severities the code gives it.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import {
  BINDERY_LIMITATION_CODES,
  LAUNCH_PROBLEM_CODES,
  SKIPPED_WITH_WARNING_CODES,
} from '../../src/launchSpec';

const PLAN = path.join(__dirname, '..', '..', 'src');
const SEVERITIES = ['error', 'warning', 'information', 'hint'];

/** Codes whose name is a template in the source, by template. */
const TEMPLATES: Record<string, string[]> = {
  '${field}-without-uts-namespace': [
    'hostname-without-uts-namespace',
    'domainname-without-uts-namespace',
  ],
  '${field}-control-character': ['hostname-control-character', 'domainname-control-character'],
};

/** code → severities, read from every `code: …, severity: …` in the plan's sources. */
function severitiesInCode(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const add = (code: string, severities: string[]) => {
    const set = out.get(code) ?? new Set<string>();
    for (const s of severities) set.add(s);
    out.set(code, set);
  };
  const files = [
    ...readdirSync(PLAN).map((f) => path.join(PLAN, f)),
    ...readdirSync(path.join(PLAN, 'rules')).map((f) => path.join(PLAN, 'rules', f)),
  ].filter((f) => f.endsWith('.ts'));
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/code: ['`]([^'`]+)['`],\s*severity: ([^\n]+)/g)) {
      const severities = SEVERITIES.filter((s) => m[2].includes(`'${s}'`));
      for (const code of TEMPLATES[m[1]] ?? [m[1]]) add(code, severities);
    }
  }
  for (const code of LAUNCH_PROBLEM_CODES)
    add(code, [
      BINDERY_LIMITATION_CODES.has(code) || SKIPPED_WITH_WARNING_CODES.has(code)
        ? 'warning'
        : 'error',
    ]);
  return out;
}

/** code → severities, from the README's table (a row may name several codes). */
function severitiesInReadme(): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  // The codes' table: the first section, before the comparison with runtime-tools.
  const text = readFileSync(path.join(PLAN, 'rules', 'README.md'), 'utf8').split('\n## ')[0];
  for (const line of text.split('\n')) {
    const cells = line.split('|').map((c) => c.trim());
    if (cells.length < 4 || !cells[1].startsWith('`')) continue;
    const severities = SEVERITIES.filter((s) => new RegExp(`\\b${s}\\b`).test(cells[2]));
    if (severities.length === 0) continue;
    for (const m of cells[1].matchAll(/`([a-z0-9-]+)`/g))
      out.set(m[1], new Set([...(out.get(m[1]) ?? []), ...severities]));
  }
  return out;
}

describe('rules README', () => {
  it('lists every code with the severities the code gives it', () => {
    const code = severitiesInCode();
    const readme = severitiesInReadme();
    const differ: string[] = [];
    for (const [c, severities] of code) {
      const documented = readme.get(c);
      const sorted = (s: Set<string> | undefined) => [...(s ?? [])].sort().join(' or ');
      if (sorted(documented) !== sorted(severities))
        differ.push(`${c}: code ${sorted(severities)}, README ${sorted(documented) || 'missing'}`);
    }
    assert.deepEqual(differ, []);
    assert.ok(code.size > 60, `${code.size} codes found in the sources`);
  });
});
