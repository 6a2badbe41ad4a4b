// linux.personality, process.ioPriority and process.scheduler as the calls that set them:
// personality(2), ioprio_set(2), sched_setattr(2). The process set-up makes them as root,
// before the capabilities drop (a real-time class or policy needs CAP_SYS_ADMIN or
// CAP_SYS_NICE) and before a seccomp filter is loaded (podman's profile filters personality),
// and the process inherits them across execve. runc 1.2 applies all three; runc 1.1.5
// ignores them (see the runtime's documented differences).
import { asArray, asObject, get } from './json';
import type { JsonPath, Origin } from './types';

/** Execution domains the runtime-spec names, as personality(2) values. */
export const PERSONALITY_DOMAINS: Record<string, number> = { LINUX: 0x0000, LINUX32: 0x0008 };

export const IOPRIO_CLASSES: Record<string, number> = {
  IOPRIO_CLASS_RT: 1,
  IOPRIO_CLASS_BE: 2,
  IOPRIO_CLASS_IDLE: 3,
};
const IOPRIO_CLASS_SHIFT = 13;

export const SCHED_POLICIES: Record<string, number> = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_ISO: 4,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
};

export const SCHED_FLAGS: Record<string, number> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};

export interface PersonalityOp {
  op: 'personality';
  domain: string;
  /** The persona passed to personality(2). */
  persona: number;
  origin: Origin;
}

export interface IoprioOp {
  op: 'ioprio';
  ioClass: string;
  priority: number;
  /** IOPRIO_PRIO_VALUE(class, priority), as ioprio_set(2) takes it. */
  ioprio: number;
  origin: Origin;
}

/** struct sched_attr's fields (SCHED_ATTR_SIZE_VER0), with the names they came from. */
export interface SchedAttr {
  policy: string;
  policyValue: number;
  flags: string[];
  flagsValue: number;
  nice: number;
  priority: number;
  runtime: number;
  deadline: number;
  period: number;
}

export interface SchedulerOp {
  op: 'scheduler';
  attr: SchedAttr;
  origin: Origin;
}

export type ProcessAttrOp = PersonalityOp | IoprioOp | SchedulerOp;

/** An operation the process set-up makes (personality, ioprio, scheduler). */
export function isProcessAttr<T extends { op: string }>(op: T): op is T & ProcessAttrOp {
  return op.op === 'personality' || op.op === 'ioprio' || op.op === 'scheduler';
}

const int = (v: unknown, fallback = 0): number =>
  typeof v === 'number' && Number.isInteger(v) ? v : fallback;

/**
 * The calls, in runc 1.2's order (scheduler, I/O priority, personality). A value the schema
 * rejects (an unknown domain, class or policy) makes no call: its finding refuses the launch.
 */
export function planProcessAttrs(
  spec: unknown,
  specOrigin: (p: JsonPath) => Origin,
): ProcessAttrOp[] {
  const ops: ProcessAttrOp[] = [];
  const sched = asObject(get(spec, 'process', 'scheduler'));
  if (sched && typeof sched.policy === 'string' && sched.policy in SCHED_POLICIES) {
    const flags = asArray(sched.flags).filter(
      (f): f is string => typeof f === 'string' && f in SCHED_FLAGS,
    );
    ops.push({
      op: 'scheduler',
      attr: {
        policy: sched.policy,
        policyValue: SCHED_POLICIES[sched.policy],
        flags,
        flagsValue: flags.reduce((m, f) => m | SCHED_FLAGS[f], 0),
        nice: int(sched.nice),
        priority: int(sched.priority),
        runtime: int(sched.runtime),
        deadline: int(sched.deadline),
        period: int(sched.period),
      },
      origin: specOrigin(['process', 'scheduler']),
    });
  }
  const io = asObject(get(spec, 'process', 'ioPriority'));
  if (io && typeof io.class === 'string' && io.class in IOPRIO_CLASSES) {
    const priority = int(io.priority);
    ops.push({
      op: 'ioprio',
      ioClass: io.class,
      priority,
      ioprio: (IOPRIO_CLASSES[io.class] << IOPRIO_CLASS_SHIFT) | priority,
      origin: specOrigin(['process', 'ioPriority']),
    });
  }
  const pers = asObject(get(spec, 'linux', 'personality'));
  if (pers && typeof pers.domain === 'string' && pers.domain in PERSONALITY_DOMAINS)
    ops.push({
      op: 'personality',
      domain: pers.domain,
      persona: PERSONALITY_DOMAINS[pers.domain],
      origin: specOrigin(['linux', 'personality']),
    });
  return ops;
}

/** Policies the kernel lets any process pick for itself. */
const UNPRIVILEGED_POLICIES = new Set(['SCHED_OTHER', 'SCHED_BATCH', 'SCHED_IDLE']);

/**
 * Why a non-root requester may not have this call made for it (the process set-up makes it
 * as root), or undefined when its own account could make it: a real-time or deadline policy,
 * a negative nice and the real-time I/O class need CAP_SYS_NICE or CAP_SYS_ADMIN.
 */
export function needsPrivilege(op: ProcessAttrOp): string | undefined {
  if (op.op === 'scheduler') {
    if (!UNPRIVILEGED_POLICIES.has(op.attr.policy))
      return `${op.attr.policy} needs CAP_SYS_NICE; you may use SCHED_OTHER, SCHED_BATCH or SCHED_IDLE`;
    if (op.attr.nice < 0) return `a nice value below 0 (${op.attr.nice}) needs CAP_SYS_NICE`;
    if (
      op.attr.flags.includes('SCHED_FLAG_RECLAIM') ||
      op.attr.flags.includes('SCHED_FLAG_UTIL_CLAMP_MIN') ||
      op.attr.flags.includes('SCHED_FLAG_UTIL_CLAMP_MAX')
    )
      return `the flags ${op.attr.flags.join(', ')} need CAP_SYS_NICE`;
  }
  if (op.op === 'ioprio' && op.ioClass === 'IOPRIO_CLASS_RT')
    return 'IOPRIO_CLASS_RT needs CAP_SYS_ADMIN; you may use IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE';
  return undefined;
}

/** The C call, for the plan's text and hover. */
export function renderProcessAttr(op: ProcessAttrOp): string {
  switch (op.op) {
    case 'personality':
      return `personality(PER_${op.domain})`;
    case 'ioprio':
      return `ioprio_set(IOPRIO_WHO_PROCESS, 0, IOPRIO_PRIO_VALUE(${op.ioClass}, ${op.priority}))`;
    case 'scheduler': {
      const a = op.attr;
      const fields = [`sched_policy=${a.policy}`];
      if (a.flags.length) fields.push(`sched_flags=${a.flags.join('|')}`);
      if (a.nice) fields.push(`sched_nice=${a.nice}`);
      if (a.priority) fields.push(`sched_priority=${a.priority}`);
      if (a.runtime) fields.push(`sched_runtime=${a.runtime}`);
      if (a.deadline) fields.push(`sched_deadline=${a.deadline}`);
      if (a.period) fields.push(`sched_period=${a.period}`);
      return `sched_setattr(0, {${fields.join(', ')}}, 0)`;
    }
  }
}
