// linux.sysctl and process.oomScoreAdj as the writes that set them. A sysctl is written in
// the container's namespaces, after pivot_root and before readonlyPaths makes /proc/sys
// read-only (runc's order); which keys runc refuses is rules/sysctl.ts's to say.
import { asObject, get } from './json';
import type { JsonPath, Origin } from './types';

/** The /proc/sys file of a parameter: dots become slashes (a name already written with slashes stays). */
export function sysctlPath(key: string): string {
  const first = key.search(/[./]/);
  return `/proc/sys/${first >= 0 && key[first] === '/' ? key : key.replace(/\./g, '/')}`;
}

export interface SysctlWrite {
  op: 'sysctl';
  key: string;
  value: string;
  origin: Origin;
}

/**
 * The writes, in the spec's order. Which parameters runc refuses is rules/sysctl.ts's to say
 * (an error finding: the helper launches nothing then).
 */
export function planSysctls(spec: unknown, specOrigin: (p: JsonPath) => Origin): SysctlWrite[] {
  const sysctl = asObject(get(spec, 'linux', 'sysctl'));
  if (!sysctl) return [];
  return Object.entries(sysctl)
    .filter((e): e is [string, string] => typeof e[1] === 'string')
    .map(([key, value]) => ({
      op: 'sysctl' as const,
      key,
      value,
      origin: specOrigin(['linux', 'sysctl', key]),
    }));
}

export interface OomScoreAdjWrite {
  op: 'oom-score-adj';
  value: number;
  origin: Origin;
}

/** process.oomScoreAdj, written by the init for itself before anything else (runc sets it on the init too). */
export function planOomScoreAdj(
  spec: unknown,
  specOrigin: (p: JsonPath) => Origin,
): OomScoreAdjWrite | undefined {
  const v = get(spec, 'process', 'oomScoreAdj');
  if (typeof v !== 'number' || !Number.isInteger(v) || v < -1000 || v > 1000) return undefined;
  return { op: 'oom-score-adj', value: v, origin: specOrigin(['process', 'oomScoreAdj']) };
}
