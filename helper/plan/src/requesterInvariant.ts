// The last word before a non-root requester's plan runs. The runtime calls this right
// before the first operation (it cannot be skipped: no other path runs operations), so a
// mistake anywhere in the planner — a new operation kind, an option nobody thought of —
// is refused rather than run. What it checks is what requester.ts promises:
//   - the plan was made for this very requester;
//   - after the last step that can change mount flags comes the lock (recursive
//     nosuid,nodev on the whole tree), then only the dev re-opening of the runtime's own
//     /dev and devpts, the check of the mount table, and the masks (binds of /dev/null,
//     empty nosuid,nodev tmpfs);
//   - no step clears nosuid, nodev or rdonly through mount_setattr (a remount that would
//     make a read-only source writable is stopped by the runtime, which sees the source);
//   - every bind of a host path is opened with the requester's rights, but the runtime's
//     own network files;
//   - no device node but the runtime's defaults;
//   - the process runs as the requester, with no_new_privs and capabilities within
//     runc's rootless set, and no scheduler or I/O priority its account could not set.
import { CAPABILITIES, type LaunchSpec } from './launchSpec';
import { isProcessAttr, needsPrivilege } from './processAttrPlan';
import { ROOTLESS_CAPABILITIES } from './requester';
import { NETWORK_FILE_NAMES } from './runtimeDefaults';
import type { MaskOp, MountOp, Operation, Plan, ReadonlyPathOp, Requester, SetattrOp } from './types';

/** runc's default device nodes (major, minor): the only ones a requester's container gets. */
const DEFAULT_DEVICE_NUMBERS = new Set(['1:3', '1:5', '1:7', '1:8', '1:9', '5:0']);

export interface InvariantContext {
  owner: Requester;
  /** The container's state directory: the only place runtime-owned bind sources live. */
  stateDir: string;
  launch: LaunchSpec;
}

/** Why this plan must not run for `owner`; empty when it may (and always for root). */
export function requesterInvariantViolations(plan: Plan, ctx: InvariantContext): string[] {
  const { owner } = ctx;
  if (owner.uid === 0) return [];
  const out: string[] = [];
  const r = plan.requester;
  if (!r || r.uid !== owner.uid || r.gid !== owner.gid || !sameSet(r.groups, owner.groups))
    out.push(`the plan was made for ${!r || r.uid === 0 ? 'root' : `uid ${r.uid}`}, not for uid ${owner.uid} who launches it`);

  const ops = plan.operations;
  const lockAt = findLastIndex(ops, isLock);
  if (lockAt < 0) out.push('the plan has no nosuid,nodev lock of the mount tree');
  ops.forEach((op, i) => {
    const where = `operation ${i} (${op.op})`;
    if (op.op === 'setattr') {
      const clears = op.attrClr.filter((a) => a === 'MOUNT_ATTR_NOSUID' || a === 'MOUNT_ATTR_RDONLY' || a === 'MOUNT_ATTR_NODEV');
      const reopensDev = i > lockAt && isDevReopen(op, ops);
      if (clears.length > 0 && !reopensDev) out.push(`${where} clears ${clears.join(', ')}`);
      if (op.attrSet.includes('MOUNT_ATTR_IDMAP')) out.push(`${where} idmaps a mount`);
    }
    // The launcher would apply a mapping as root: files the owner does not own could look its own.
    if (op.op === 'mount' && op.idmap) out.push(`${where} idmaps a mount`);
    if (op.op === 'mount' && op.flags.includes('MS_BIND') && !op.flags.includes('MS_REMOUNT') && op.targetScope !== 'container') {
      const own = op.source !== null && [...NETWORK_FILE_NAMES].some((f) => op.source === `${ctx.stateDir}/${f}`);
      if (!own && op.sourceAccess !== 'requester') out.push(`${where} binds ${op.source} with the runtime's rights, not the requester's`);
    }
    // Hooks run as root, most on the host: never for anyone else (rules/requesterPolicy.ts).
    if (op.op === 'hook') out.push(`${where} runs the ${op.kind} hook ${op.path}, which only root may`);
    if (op.op === 'mknod' && !(op.deviceType === 'c' && DEFAULT_DEVICE_NUMBERS.has(`${op.major}:${op.minor}`)))
      out.push(`${where} creates device ${op.major}:${op.minor}`);
    if (lockAt >= 0 && i > lockAt && !mayFollowLock(op, ops)) out.push(`${where} comes after the nosuid,nodev lock`);
    // A label can grant as well as confine (rules/requesterPolicy.ts): root's alone.
    if (op.op === 'exec-label') out.push(`${where} sets the ${op.lsm} label "${op.label}", which only root may`);
    if (isProcessAttr(op)) {
      const why = needsPrivilege(op);
      if (why) out.push(`${where}: ${why}`);
    }
  });

  // No mount namespace: the init would mount in the host's (rules/requesterPolicy.ts).
  if (ctx.launch.namespaces.hostMount) out.push('the init would mount in the host mount namespace');
  const p = ctx.launch.process;
  if (p.uid !== owner.uid) out.push(`the process would run as uid ${p.uid}`);
  if (![owner.gid, ...owner.groups].includes(p.gid)) out.push(`the process would run with gid ${p.gid}`);
  if (!p.noNewPrivileges) out.push('the process would run without no_new_privs');
  if (!p.capabilities) out.push('the process would keep the runtime’s capability bounding set');
  else
    for (const [set, caps] of Object.entries(p.capabilities))
      for (const c of caps as number[])
        if (!Object.prototype.hasOwnProperty.call(ROOTLESS_CAPABILITIES, CAPABILITIES[c] ?? ''))
          out.push(`capability ${CAPABILITIES[c] ?? c} in the ${set} set`);
  return out;
}

function isLock(op: Operation): op is SetattrOp {
  return (
    op.op === 'setattr' &&
    op.target === '/' &&
    op.targetScope === 'container' &&
    op.recursive &&
    op.attrSet.includes('MOUNT_ATTR_NOSUID') &&
    op.attrSet.includes('MOUNT_ATTR_NODEV') &&
    op.attrClr.length === 0
  );
}

/**
 * The re-opening of dev on a target the check step allows it on, whose top mount is a new
 * devpts or the /dev tmpfs without copy-up (so only the runtime's own nodes are there).
 */
function isDevReopen(op: SetattrOp, ops: readonly Operation[]): boolean {
  const check = ops.find((o) => o.op === 'check-mount-flags');
  const top = findLast(ops, (o): o is MountOp => o.op === 'mount' && o.target === op.target && !o.flags.includes('MS_REMOUNT') && o.fstype !== null);
  const topIsDevCapable =
    top !== undefined &&
    !top.flags.includes('MS_BIND') &&
    (top.fstype === 'devpts' || (top.fstype === 'tmpfs' && top.target === '/dev' && !ops.some((o) => o.op === 'copyup' && o.path === '/dev')));
  const lastMountThere = findLast(
    ops,
    (o): o is MountOp | ReadonlyPathOp =>
      (o.op === 'mount' || o.op === 'readonly-path') && o.target === op.target && !o.flags.includes('MS_REMOUNT') && (o.fstype !== null || o.flags.includes('MS_BIND')),
  );
  return (
    !op.recursive &&
    op.attrSet.length === 0 &&
    op.attrClr.length === 1 &&
    op.attrClr[0] === 'MOUNT_ATTR_NODEV' &&
    check?.op === 'check-mount-flags' &&
    check.devAllowed.includes(op.target) &&
    topIsDevCapable &&
    lastMountThere === top
  );
}

function findLast<T, S extends T>(xs: readonly T[], f: (x: T) => x is S): S | undefined {
  for (let i = xs.length - 1; i >= 0; i--) {
    const x = xs[i];
    if (f(x)) return x;
  }
  return undefined;
}

/** What may run after the lock: dev re-opening, the check, hostname, masks. */
function mayFollowLock(op: Operation, ops: readonly Operation[]): boolean {
  switch (op.op) {
    case 'setattr':
      return isDevReopen(op, ops);
    case 'check-mount-flags':
    case 'sethostname':
    case 'setdomainname':
    // A seccomp filter mounts nothing and only takes syscalls away (loaded before execve).
    case 'seccomp':
    // The process's own attributes: no mount, and what a peer may ask is requesterPolicy's.
    case 'personality':
    case 'ioprio':
    case 'scheduler':
      return true;
    case 'mask':
      return isMask(op);
    default:
      return false;
  }
}

/** A mask covers with /dev/null or, on a directory, an empty read-only nosuid,nodev tmpfs. */
function isMask(op: MaskOp): boolean {
  const f = op.tmpfsFlags;
  return f.includes('MS_RDONLY') && f.includes('MS_NOSUID') && f.includes('MS_NODEV');
}

function findLastIndex<T>(xs: readonly T[], f: (x: T) => boolean): number {
  for (let i = xs.length - 1; i >= 0; i--) if (f(xs[i])) return i;
  return -1;
}

function sameSet(a: readonly number[], b: readonly number[]): boolean {
  const sa = new Set(a);
  const sb = new Set(b);
  return sa.size === sb.size && [...sa].every((x) => sb.has(x));
}
