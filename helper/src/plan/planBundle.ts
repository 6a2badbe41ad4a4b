// spec text → plan: parse with positions, normalise the mounts, run every rule, add what
// the runtime adds, order the operations. Pure: the host is only seen through `input.host`.
import * as posix from 'node:path/posix';
import { parseSpec, type SpecDocument } from './document';
import { asArray, asObject, asString, get } from './json';
import { readLaunchSpec } from './launchSpec';
import { refusesLaunch } from './refusals';
import { normalizeMount } from './normalize';
import { planOperations } from './operations';
import { resolveHostPath } from './paths';
import type { RuleContext } from './rule';
import { allRules } from './rules';
import { addRuntimeMounts } from './runtimeDefaults';
import type { Finding, JsonPath, NormalizedMount, Origin, Plan, PlanInput, Range } from './types';

export function planBundle(input: PlanInput): Plan {
  const doc = parseSpec(input.text, input.fileName ?? 'config.json');
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
  const specMounts: NormalizedMount[] = asArray(spec?.mounts).map((entry, i) =>
    normalizeMount(entry, i, specOrigin(['mounts', i]), bundleDir),
  );

  const findings: Finding[] = [
    ...doc.syntaxFindings,
    ...runRules(doc, spec, bundleDir, input, specMounts, rootfs),
  ];
  const refused = findings.some(refusesLaunch);
  const launch = refused ? undefined : readLaunchSpec(spec).launch;
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

  if (!spec) return { mounts: [], operations: [], findings, rootfs };
  const mounts = addRuntimeMounts(specMounts, spec, bundleDir, input.stateDir);
  // stateDir is <stateRoot>/<id>: the id names the container's default cgroup.
  const containerId = input.stateDir ? posix.basename(input.stateDir) : undefined;
  const operations = planOperations({
    spec,
    mounts,
    rootfs,
    host: input.host,
    specOrigin,
    containerId,
  });
  return { mounts, operations, findings, rootfs, ...(launch ? { launch } : {}) };
}

function runRules(
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
    report: (f) => out.push(f),
  };
  for (const rule of allRules) {
    try {
      rule(ctx);
    } catch (e) {
      // A broken rule must not hide the others' findings nor the plan; it is still shown.
      out.push({
        code: 'internal-rule-failure',
        severity: 'warning',
        message: `Bindery could not finish one check (${rule.name || 'unnamed rule'}: ${e instanceof Error ? e.message : String(e)}); please report this.`,
        range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        path: [],
      });
    }
  }
  return out;
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
