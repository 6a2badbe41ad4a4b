// linux.sysctl and process.oomScoreAdj: which kernel parameters a container may set, the
// way runc decides it (libcontainer's validate), and the writes that set them.
//
// A sysctl is written in the container's namespaces, after pivot_root and before
// readonlyPaths makes /proc/sys read-only (runc's order). Only parameters that belong to a
// namespace the container has of its own may be set: the IPC ones with an IPC namespace,
// net.* with a network namespace, kernel.hostname/domainname with a UTS namespace; any other
// would change the host, and runc refuses the spec.
import { asArray, asObject, asString, get } from './json';
import type { JsonPath, Origin } from './types';

/** IPC-namespaced parameters besides fs.mqueue.* (runc's list). */
const IPC_SYSCTLS = new Set([
  'kernel.msgmax',
  'kernel.msgmnb',
  'kernel.msgmni',
  'kernel.sem',
  'kernel.shmall',
  'kernel.shmmax',
  'kernel.shmmni',
  'kernel.shm_rmid_forced',
]);
const UTS_SYSCTLS = new Set(['kernel.hostname', 'kernel.domainname']);

export interface SysctlProblem {
  key: string;
  path: JsonPath;
  message: string;
}

/** The namespace a parameter lives in, or undefined when it is the host's alone. */
export function sysctlNamespace(key: string): 'ipc' | 'network' | 'uts' | undefined {
  if (IPC_SYSCTLS.has(key) || key.startsWith('fs.mqueue.')) return 'ipc';
  if (key.startsWith('net.')) return 'network';
  if (UTS_SYSCTLS.has(key)) return 'uts';
  return undefined;
}

/** The /proc/sys file of a parameter: dots become slashes, as runc writes them. */
export function sysctlPath(key: string): string {
  return `/proc/sys/${key.replace(/\./g, '/')}`;
}

function namespaceTypes(spec: unknown): Set<string> {
  return new Set(
    asArray(get(spec, 'linux', 'namespaces'))
      .map((n) => asString(asObject(n)?.type))
      .filter((t): t is string => !!t),
  );
}

/** Every sysctl runc would refuse, with what to do instead. */
export function sysctlProblems(spec: unknown): SysctlProblem[] {
  const sysctl = asObject(get(spec, 'linux', 'sysctl'));
  if (!sysctl) return [];
  const have = namespaceTypes(spec);
  const out: SysctlProblem[] = [];
  for (const key of Object.keys(sysctl)) {
    const ns = sysctlNamespace(key);
    const path: JsonPath = ['linux', 'sysctl', key];
    if (!ns)
      out.push({
        key,
        path,
        message: `linux.sysctl "${key}" is not in a namespace of the container: writing it would change the host, and runc refuses it. Set it on the host, or remove it.`,
      });
    else if (!have.has(ns))
      out.push({
        key,
        path,
        message: `linux.sysctl "${key}" belongs to the ${ns} namespace, and the container shares the host's: runc refuses it. Add {"type": "${ns}"} to linux.namespaces, or remove it.`,
      });
  }
  return out;
}

export interface SysctlWrite {
  op: 'sysctl';
  key: string;
  value: string;
  origin: Origin;
}

/** The writes, in the spec's order; none when a parameter is refused (the plan has an error then). */
export function planSysctls(spec: unknown, specOrigin: (p: JsonPath) => Origin): SysctlWrite[] {
  const sysctl = asObject(get(spec, 'linux', 'sysctl'));
  if (!sysctl || sysctlProblems(spec).length) return [];
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
