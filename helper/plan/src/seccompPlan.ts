// linux.seccomp as the filter the runtime loads: every action with its errno, the
// architectures, the flags and the rules, one per syscall name, split the way runc splits
// them. Pure; the runtime hands the result to libseccomp (runtime/koffiSeccomp.ts) as the
// last step before execve (the first, before capabilities drop, without noNewPrivileges).
import { asArray, asObject, asString, get } from './json';
import { resolveHostPath } from './paths';
import type { JsonPath, Origin, SeccompOp } from './types';

/** SECCOMP_RET_* values, as libseccomp's SCMP_ACT_* encode them (the low 16 bits carry errno or trace data). */
export const SECCOMP_ACTIONS: Readonly<Record<string, number>> = {
  SCMP_ACT_KILL: 0x00000000,
  SCMP_ACT_KILL_THREAD: 0x00000000,
  SCMP_ACT_KILL_PROCESS: 0x80000000,
  SCMP_ACT_TRAP: 0x00030000,
  SCMP_ACT_ERRNO: 0x00050000,
  SCMP_ACT_TRACE: 0x7ff00000,
  SCMP_ACT_LOG: 0x7ffc0000,
  SCMP_ACT_ALLOW: 0x7fff0000,
  SCMP_ACT_NOTIFY: 0x7fc00000,
};

/** enum scmp_compare. */
export const SECCOMP_OPS: Readonly<Record<string, number>> = {
  SCMP_CMP_NE: 1,
  SCMP_CMP_LT: 2,
  SCMP_CMP_LE: 3,
  SCMP_CMP_EQ: 4,
  SCMP_CMP_GE: 5,
  SCMP_CMP_GT: 6,
  SCMP_CMP_MASKED_EQ: 7,
};

/** seccomp(2) filter flags, as libseccomp attributes set them. */
export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
] as const;

const EPERM = 1;

export interface SeccompCondition {
  index: number;
  /** enum scmp_compare value. */
  op: number;
  value: number;
  valueTwo: number;
}

export interface SeccompRule {
  syscall: string;
  /** The SCMP_ACT_* value, errno or trace data included. */
  action: number;
  /** All must hold (an AND); runc's split already made ORs separate rules. */
  conditions: SeccompCondition[];
}

export interface SeccompFilter {
  defaultAction: number;
  /** libseccomp's architecture names (x86_64, x86, x32, aarch64, …). */
  architectures: string[];
  flags: (typeof SECCOMP_FLAGS)[number][];
  rules: SeccompRule[];
  /** Rules of the spec left out because their action is the default one (libseccomp refuses those; runc skips them). */
  skipped: number;
}

/** One action word: the action, with errnoRet (default EPERM) or trace data in the low 16 bits. */
export function actionValue(name: string, errnoRet: unknown): number | undefined {
  const base = SECCOMP_ACTIONS[name];
  if (base === undefined) return undefined;
  if (name === 'SCMP_ACT_ERRNO')
    return (base | ((typeof errnoRet === 'number' ? errnoRet : EPERM) & 0xffff)) >>> 0;
  if (name === 'SCMP_ACT_TRACE')
    return (base | ((typeof errnoRet === 'number' ? errnoRet : EPERM) & 0xffff)) >>> 0;
  return base;
}

/** SCMP_ARCH_X86_64 → x86_64 (libseccomp's names are the token without prefix, lower case). */
export function archName(specArch: string): string {
  return specArch.replace(/^SCMP_ARCH_/, '').toLowerCase();
}

/** The filter, or undefined when the spec has none or it is malformed (the structure rule reports that). */
export function readSeccomp(spec: unknown): SeccompFilter | undefined {
  const s = asObject(get(spec, 'linux', 'seccomp'));
  if (!s) return undefined;
  const defaultAction = actionValue(asString(s.defaultAction) ?? '', s.defaultErrnoRet);
  if (defaultAction === undefined) return undefined;
  const flags = asArray(s.flags).filter((f): f is SeccompFilter['flags'][number] =>
    (SECCOMP_FLAGS as readonly unknown[]).includes(f),
  );
  const architectures = asArray(s.architectures)
    .filter((a): a is string => typeof a === 'string')
    .map(archName);
  const rules: SeccompRule[] = [];
  let skipped = 0;
  for (const entry of asArray(s.syscalls)) {
    const e = asObject(entry);
    const action = actionValue(asString(e?.action) ?? '', e?.errnoRet);
    if (!e || action === undefined) return undefined;
    const names = asArray(e.names).filter((n): n is string => typeof n === 'string');
    if (action === defaultAction) {
      skipped += names.length;
      continue;
    }
    const conditions: SeccompCondition[] = [];
    for (const a of asArray(e.args)) {
      const arg = asObject(a);
      const op = SECCOMP_OPS[asString(arg?.op) ?? ''];
      if (
        !arg ||
        op === undefined ||
        typeof arg.index !== 'number' ||
        typeof arg.value !== 'number'
      )
        return undefined;
      const valueTwo = typeof arg.valueTwo === 'number' ? arg.valueTwo : 0;
      conditions.push({ index: arg.index, op, value: arg.value, valueTwo });
    }
    // runc: conditions on different arguments all hold together; several on one argument
    // are alternatives (libseccomp takes one comparison per argument), one rule each.
    const sameArgTwice = new Set(conditions.map((c) => c.index)).size < conditions.length;
    for (const syscall of names) {
      if (sameArgTwice)
        for (const c of conditions) rules.push({ syscall, action, conditions: [c] });
      else rules.push({ syscall, action, conditions });
    }
  }
  return { defaultAction, architectures, flags, rules, skipped };
}

/** Whether the filter hands some call to a listener (SCMP_ACT_NOTIFY, the kernel's USER_NOTIF). */
export function notifies(filter: SeccompFilter): boolean {
  const notify = SECCOMP_ACTIONS.SCMP_ACT_NOTIFY;
  return filter.defaultAction === notify || filter.rules.some((r) => r.action === notify);
}

/**
 * The filter as a plan operation, or none. A filter that notifies names its listener (runc
 * dials listenerPath from the bundle directory, so a relative path resolves there); the
 * rules refuse a notifying filter without one.
 */
export function planSeccomp(
  spec: unknown,
  specOrigin: (path: JsonPath) => Origin,
  noNewPrivileges: boolean,
  bundleDir = '/',
): SeccompOp | undefined {
  const filter = readSeccomp(spec);
  if (!filter) return undefined;
  const s = asObject(get(spec, 'linux', 'seccomp'));
  const listenerPath = asString(s?.listenerPath);
  const metadata = asString(s?.listenerMetadata);
  return {
    op: 'seccomp',
    filter,
    beforeExecve: noNewPrivileges,
    ...(notifies(filter) && listenerPath
      ? {
          listener: {
            path: resolveHostPath(bundleDir, listenerPath),
            ...(metadata ? { metadata } : {}),
          },
        }
      : {}),
    origin: specOrigin(['linux', 'seccomp']),
  };
}

/** The action word in words: `SCMP_ACT_ERRNO(38)`. */
export function renderAction(value: number): string {
  const base = value >= 0 ? value & 0xffff0000 : value;
  const name = Object.entries(SECCOMP_ACTIONS).find(
    ([n, v]) => v === base >>> 0 && n !== 'SCMP_ACT_KILL',
  )?.[0];
  if (!name) return `0x${value.toString(16)}`;
  return name === 'SCMP_ACT_ERRNO' || name === 'SCMP_ACT_TRACE'
    ? `${name}(${value & 0xffff})`
    : name;
}
