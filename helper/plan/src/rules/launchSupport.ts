// What Bindery can run, beside the mounts: the process and namespace settings it refuses
// (errors: the helper would not launch the spec) and the features it does not apply
// (warnings: the container runs, without them). The refusals come from the same reader the
// helper launches from (`../launchSpec.ts`), so the editor and the helper cannot disagree.
import { asObject, get } from '../json';
import {
  BINDERY_LIMITATION_CODES,
  CAPABILITIES,
  RLIMITS,
  readLaunchSpec,
  SKIPPED_WITH_WARNING_CODES,
  type LaunchProblem,
} from '../launchSpec';
import type { Rule, RuleContext } from '../rule';
import type { Fix, JsonPath, Range } from '../types';
import { removeArrayElements, replaceWithJson } from './edits';
import { namespaceEntries } from './mountView';
import { nearest } from './nearest';
import { hostHasLsm, LABEL_KEYS } from './securityLabels';

/** Every launch setting the helper refuses, on the token that makes it refuse. */
export const launchSettingsRule: Rule = (ctx) => {
  for (const problem of readLaunchSpec(ctx.spec).problems) {
    const fix = fixFor(ctx, problem);
    const limitation = BINDERY_LIMITATION_CODES.has(problem.code);
    const skipped = SKIPPED_WITH_WARNING_CODES.has(problem.code);
    ctx.report({
      code: problem.code,
      severity: limitation || skipped ? 'warning' : 'error',
      message: problem.message,
      range: problem.path.length ? ctx.doc.rangeNear(problem.path) : documentStart(ctx),
      path: problem.path,
      fixes: fix ? [fix] : undefined,
      ...(limitation ? { blocksLaunch: true as const } : {}),
    });
  }
};

function documentStart(ctx: RuleContext): Range {
  const offset = ctx.doc.tree?.offset ?? 0;
  return { start: ctx.doc.positionAt(offset), end: ctx.doc.positionAt(offset + 1) };
}

function fixFor(ctx: RuleContext, problem: LaunchProblem): Fix | undefined {
  const node = ctx.doc.nodeAt(problem.path);
  if (!node) return undefined;
  switch (problem.code) {
    case 'duplicate-rlimit': {
      const array = ctx.doc.nodeAt(['process', 'rlimits']);
      const index = problem.path[2] as number;
      return array
        ? {
            title: `Remove this ${String(node.value)} entry`,
            edits: [removeArrayElements(ctx.doc, array, [index])],
          }
        : undefined;
    }
    case 'unknown-capability':
    case 'unknown-rlimit': {
      const known = problem.code === 'unknown-rlimit' ? Object.keys(RLIMITS) : CAPABILITIES;
      const meant = nearest(String(node.value), [...known]);
      return meant
        ? {
            title: `Change to "${meant}"`,
            edits: [replaceWithJson(ctx.doc, node, meant)],
            preferred: true,
          }
        : undefined;
    }
    default:
      return undefined;
  }
}

interface Unapplied {
  path: JsonPath;
  /** What runc or crun would do with the value, and what running without it means. */
  say(value: unknown): string;
}

const count = (v: unknown, one: string, many = `${one}s`) => {
  const n = Array.isArray(v) ? v.length : Object.keys(asObject(v) ?? {}).length;
  return `${n} ${n === 1 ? one : many}`;
};

/** Features of the spec Bindery does not apply (yet). */
const UNAPPLIED: Unapplied[] = [
  {
    path: ['linux', 'personality', 'flags'],
    say: () =>
      'linux.personality.flags: Bindery does not apply personality flags; the runtime-spec defines none yet, and runc sets the domain only.',
  },
  {
    path: ['linux', 'intelRdt'],
    say: () =>
      'linux.intelRdt: Bindery does not configure Intel RDT (resctrl) yet; runc would apply these cache and memory bandwidth settings. They are not applied.',
  },
  {
    path: ['linux', 'memoryPolicy'],
    say: () =>
      'linux.memoryPolicy: Bindery does not set NUMA memory policies yet; runc would call set_mempolicy(2). The process keeps the default policy.',
  },
  {
    path: ['linux', 'netDevices'],
    say: (v) =>
      `linux.netDevices: Bindery does not move network interfaces yet; runc would move ${count(v, 'host interface')} into the container's network namespace. The container has only what its namespace starts with.`,
  },
];

/** A setting that changes nothing: absent, null, empty. */
function isEmpty(v: unknown): boolean {
  if (v === undefined || v === null || v === '') return true;
  if (Array.isArray(v)) return v.length === 0;
  const o = asObject(v);
  return o !== undefined && Object.keys(o).length === 0;
}

/** One warning per feature Bindery would silently skip, on its key. */
export const unappliedFeatureRule: Rule = (ctx) => {
  if (!ctx.spec) return;
  for (const feature of UNAPPLIED) {
    const value = get(ctx.spec, ...feature.path);
    if (isEmpty(value)) continue;
    // Without the module the label is refused (securityLabels.ts), not skipped.
    const label = LABEL_KEYS.find((k) => k.path.join('.') === feature.path.join('.'));
    if (label && hostHasLsm(ctx.host, label.lsm) === false) continue;
    ctx.report({
      code: 'feature-not-applied',
      severity: 'warning',
      message: feature.say(value),
      range: ctx.doc.keyRangeOf(feature.path) ?? ctx.doc.rangeNear(feature.path),
      path: feature.path,
    });
  }
  // Host-mount mode (no mount namespace): runc 1.1 would change the host's own propagation.
  const propagation = get(ctx.spec, 'linux', 'rootfsPropagation');
  if (!isEmpty(propagation) && !namespaceEntries(ctx).some((n) => n.type === 'mount')) {
    const path = ['linux', 'rootfsPropagation'];
    ctx.report({
      code: 'feature-not-applied',
      severity: 'warning',
      message: `linux.rootfsPropagation: without a mount namespace the container's mounts are made in the host's; runc 1.1 would make the host's / ${JSON.stringify(propagation)}. Bindery leaves the host's propagation as it is.`,
      range: ctx.doc.keyRangeOf(path) ?? ctx.doc.rangeNear(path),
      path,
    });
  }
};
