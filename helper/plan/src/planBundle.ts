// spec text → plan: parse with positions, normalise the mounts, run every rule, add what
// the runtime adds, order the operations. Pure: the host is only seen through `input.host`.
import * as posix from 'node:path/posix';
import { parseSpec, type SpecDocument } from './document';
import { asArray, asObject, asString, get } from './json';
import { readLaunchSpec } from './launchSpec';
import { refusesLaunch } from './refusals';
import { allowedCapabilities, launchForRequester, ROOT_REQUESTER } from './requester';
import { normalizeMount } from './normalize';
import { planOperations } from './operations';
import { resolveHostPath } from './paths';
import type { Rule, RuleContext } from './rule';
import { allRules } from './rules';
import { structureParts, structureRule } from './rules/structure';
import type { MemoUnit } from './planMemo';
import { addRuntimeMounts } from './runtimeDefaults';
import type { Finding, JsonPath, NormalizedMount, Origin, Plan, PlanInput, Range } from './types';

export function planBundle(input: PlanInput): Plan {
  const fileName = input.fileName ?? 'config.json';
  const given = input.document;
  const doc = given?.text === input.text && given.fileName === fileName ? given : parseSpec(input.text, fileName);
  const spec = asObject(doc.value);
  const bundleDir = input.bundleDir;
  const specOrigin = (path: JsonPath): Origin => {
    const mountIndex = path[0] === 'mounts' && typeof path[1] === 'number' ? path[1] : undefined;
    return {
      kind: 'spec',
      path,
      range: doc.rangeNear(path),
      ...(mountIndex !== undefined ? { mountIndex } : {}),
    };
  };

  const rootPath = asString(get(spec, 'root', 'path'));
  const rootfs = rootPath ? resolveHostPath(bundleDir, rootPath) : undefined;
  const memo = input.memo;
  const specMounts: NormalizedMount[] = asArray(spec?.mounts).map((entry, i) =>
    memo
      ? memo.normalizeMount(doc, entry, i, specOrigin(['mounts', i]), bundleDir)
      : normalizeMount(entry, i, specOrigin(['mounts', i]), bundleDir),
  );

  const findings: Finding[] = [
    ...doc.syntaxFindings,
    ...(doc.brokenAt === undefined
      ? runRules(allRules, doc, spec, bundleDir, input, specMounts, rootfs)
      : runRules([structureRule], doc, spec, bundleDir, input, specMounts, rootfs).filter(
          certainBefore(doc, doc.brokenAt),
        )),
  ];
  const requester = input.requester ?? ROOT_REQUESTER;
  const refused = findings.some(refusesLaunch);
  const read = refused ? undefined : readLaunchSpec(spec).launch;
  const launch = read && launchForRequester(read, requester, allowedCapabilities(newNamespaceTypes(spec)));
  if (!launch && spec && !refused) {
    // The rules missed what stops the reader: never let the editor call fine what the helper refuses.
    findings.push({
      code: 'launch-settings-unreadable',
      severity: 'error',
      message:
        'Bindery could not read the process or namespace settings although no check failed; please report this.',
      range: doc.rangeNear(['process']),
      path: ['process'],
    });
  }
  findings.sort(compareFindings);

  if (!spec) return { mounts: [], operations: [], findings, rootfs, requester };
  const mounts = addRuntimeMounts(specMounts, spec, bundleDir, input.stateDir);
  // stateDir is <stateRoot>/<id>: the id names the container's default cgroup.
  const containerId = input.stateDir ? posix.basename(input.stateDir) : undefined;
  const operations = planOperations({ spec, mounts, rootfs, host: input.host, specOrigin, requester, containerId, bundleDir });
  return { mounts, operations, findings, rootfs, requester, ...(launch ? { launch } : {}) };
}

/**
 * In a document the parser could not read to the end, only what stands before the first
 * syntax error is known: the values found there and their types (the structure rule's
 * findings). Whatever the rest might hold or lack (a process, the default mounts, a
 * namespace, a required field) is left unsaid.
 */
function certainBefore(doc: SpecDocument, brokenAt: number): (f: Finding) => boolean {
  const end = doc.positionAt(brokenAt);
  return (f) => f.code !== 'missing-required-field' && comparePos(f.range.end, end) <= 0;
}

function runRules(
  rules: readonly Rule[],
  doc: SpecDocument,
  spec: Record<string, unknown> | undefined,
  bundleDir: string,
  input: PlanInput,
  specMounts: NormalizedMount[],
  rootfs: string | undefined,
): Finding[] {
  const out: Finding[] = [];
  const ctx: RuleContext = {
    doc,
    spec,
    bundleDir,
    host: input.host,
    specMounts,
    rootfs,
    requester: input.requester ?? ROOT_REQUESTER,
    report: (f) => out.push(f),
  };
  // A broken rule must not hide the others' findings nor the plan; it is still shown.
  const failed = (rule: Rule, e: unknown) =>
    out.push({
      code: 'internal-rule-failure',
      severity: 'warning',
      message: `Bindery could not finish one check (${rule.name || 'unnamed rule'}: ${e instanceof Error ? e.message : String(e)}); please report this.`,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      path: [],
    });
  if (input.memo && input.memo.run(memoUnits(rules, doc), ctx, (unit, e) => failed(unit.rule, e))) return out;
  for (const rule of rules) {
    try {
      rule(ctx);
    } catch (e) {
      failed(rule, e);
    }
  }
  return out;
}

/** The rules as a memo runs them: the structure check split by top-level member. */
function memoUnits(rules: readonly Rule[], doc: SpecDocument): MemoUnit[] {
  const keys = (doc.tree?.children ?? []).map((p) => p.children?.[0]?.value).filter((k) => typeof k === 'string');
  return rules.flatMap((rule, i) => (rule === structureRule ? structureParts(keys) : [{ key: `rule${i}`, rule }]));
}

function comparePos(a: Range['start'], b: Range['start']): number {
  return a.line - b.line || a.character - b.character;
}

function compareFindings(a: Finding, b: Finding): number {
  return (
    comparePos(a.range.start, b.range.start) ||
    comparePos(a.range.end, b.range.end) ||
    a.code.localeCompare(b.code)
  );
}

/** Namespace types the container gets new (not joined by path). */
function newNamespaceTypes(spec: unknown): Set<string> {
  const out = new Set<string>();
  for (const n of asArray(get(spec, 'linux', 'namespaces'))) {
    const o = asObject(n);
    const type = asString(o?.type);
    if (type && (o?.path === undefined || o.path === '')) out.add(type);
  }
  return out;
}
