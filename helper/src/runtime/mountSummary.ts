// The mounts of a container as the protocol shows them (MountSummary), kept up to date from
// the operation events of its launch.
import { effectiveOptions, type Operation, operationTarget, type Plan } from '@bindery/plan';
import type { MountSummary, OperationEvent } from '../protocol';

export function planMountSummaries(plan: Plan): MountSummary[] {
  return plan.mounts.map((m) => ({
    index: m.index,
    destination: m.destination,
    type: m.type,
    source: m.source,
    options: effectiveOptions(m),
    state: 'planned',
  }));
}

/**
 * Where each of the plan's mounts is, by spec index and (for the runtime's own) by
 * destination: made once per plan, so a launch's steps find their mount without a scan each
 * (the daemon does this for every step, three per bind).
 */
interface MountLookup {
  bySpecIndex: Map<number, number>;
  addedByDestination: Map<string, number>;
}
const lookups = new WeakMap<Plan, MountLookup>();

function lookupOf(plan: Plan): MountLookup {
  const known = lookups.get(plan);
  if (known) return known;
  const l: MountLookup = { bySpecIndex: new Map(), addedByDestination: new Map() };
  // The first mount of a key wins, as a scan from the start would find it.
  plan.mounts.forEach((m, i) => {
    if (m.index !== null) {
      if (!l.bySpecIndex.has(m.index)) l.bySpecIndex.set(m.index, i);
    } else if (!l.addedByDestination.has(m.destination)) l.addedByDestination.set(m.destination, i);
  });
  lookups.set(plan, l);
  return l;
}

/** Which of the plan's mounts an operation belongs to, or -1. */
export function mountOfOperation(plan: Plan, op: Operation): number {
  const l = lookupOf(plan);
  if (op.origin.kind === 'spec') {
    const mi = op.origin.mountIndex;
    return mi === undefined ? -1 : (l.bySpecIndex.get(mi) ?? -1);
  }
  const target = operationTarget(op);
  return target === undefined ? -1 : (l.addedByDestination.get(target) ?? -1);
}

/** Record an operation's outcome on its mount: a mount is applied once all its steps are. */
export function applyOperationEvent(plan: Plan, mounts: MountSummary[], ev: OperationEvent): void {
  const i = mountOfOperation(plan, ev.operation);
  if (i < 0) return;
  if (!ev.ok) {
    mounts[i].state = 'failed';
    if (ev.errno) mounts[i].errno = ev.errno;
  } else if (mounts[i].state !== 'failed' && ev.operation.op === 'mount') {
    mounts[i].state = 'applied';
  }
}
