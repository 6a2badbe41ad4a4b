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

/** Which of the plan's mounts an operation belongs to, or -1. */
export function mountOfOperation(plan: Plan, op: Operation): number {
  if (op.origin.kind === 'spec') {
    const mi = op.origin.mountIndex;
    return mi === undefined ? -1 : plan.mounts.findIndex((m) => m.index === mi);
  }
  const target = operationTarget(op);
  return plan.mounts.findIndex((m) => m.index === null && m.destination === target);
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
