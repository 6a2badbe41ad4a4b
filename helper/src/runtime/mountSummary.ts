// The mounts of a container as the protocol shows them (MountSummary), kept up to date from
// the operation events of its launch.
import {
  type MountAttr,
  type MsFlag,
  type NormalizedMount,
  type Operation,
  operationTarget,
  type Plan,
} from '@bindery/plan';
import type { MountSummary, OperationEvent } from '../protocol';

const FLAG_WORDS: Partial<Record<MsFlag, string>> = {
  MS_RDONLY: 'ro',
  MS_NOSUID: 'nosuid',
  MS_NODEV: 'nodev',
  MS_NOEXEC: 'noexec',
  MS_SYNCHRONOUS: 'sync',
  MS_DIRSYNC: 'dirsync',
  MS_MANDLOCK: 'mand',
  MS_NOSYMFOLLOW: 'nosymfollow',
  MS_NOATIME: 'noatime',
  MS_NODIRATIME: 'nodiratime',
  MS_RELATIME: 'relatime',
  MS_STRICTATIME: 'strictatime',
  MS_LAZYTIME: 'lazytime',
  MS_I_VERSION: 'iversion',
  MS_SILENT: 'silent',
};

const PROPAGATION_WORDS: Partial<Record<MsFlag, string>> = {
  MS_PRIVATE: 'private',
  MS_SLAVE: 'slave',
  MS_SHARED: 'shared',
  MS_UNBINDABLE: 'unbindable',
};

const ATTR_WORDS: Partial<Record<MountAttr, string>> = {
  MOUNT_ATTR_RDONLY: 'ro',
  MOUNT_ATTR_NOSUID: 'nosuid',
  MOUNT_ATTR_NODEV: 'nodev',
  MOUNT_ATTR_NOEXEC: 'noexec',
  MOUNT_ATTR_NOATIME: 'noatime',
  MOUNT_ATTR_NODIRATIME: 'nodiratime',
  MOUNT_ATTR_STRICTATIME: 'strictatime',
  MOUNT_ATTR_NOSYMFOLLOW: 'nosymfollow',
};

/** Effective options in the words a user writes them: `rbind,ro,nosuid,rprivate`. */
export function effectiveOptions(m: NormalizedMount): string {
  const words: string[] = [];
  if (m.bind) words.push(m.recursive ? 'rbind' : 'bind');
  words.push(m.flagsSet.includes('MS_RDONLY') ? 'ro' : 'rw');
  for (const f of m.flagsSet) if (f !== 'MS_RDONLY' && FLAG_WORDS[f]) words.push(FLAG_WORDS[f]!);
  for (const a of m.attrSet) if (ATTR_WORDS[a]) words.push(`r${ATTR_WORDS[a]}`);
  for (const p of m.propagation) {
    const kind = p.find((f) => PROPAGATION_WORDS[f]);
    if (kind) words.push(`${p.includes('MS_REC') ? 'r' : ''}${PROPAGATION_WORDS[kind]}`);
  }
  if (m.tmpcopyup) words.push('tmpcopyup');
  words.push(...m.data);
  return words.join(',');
}

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
