// What a running container's mount table says against the plan's normalised mounts: the
// editor's "asked ro, mounted rw". The plan decides what each entry asks for (the same
// reading of the options that produced the operations); this only holds it against the
// kernel's answer.
import { cleanDestination } from './paths';
import type { MountinfoEntry } from './mountinfo';
import { visibleMountAt } from './mountinfo';
import type { MountAttr, MsFlag, NormalizedMount } from './types';

export interface MountDifference {
  /** Stable key, for tests and quick filtering. */
  kind: 'not-mounted' | 'readonly' | 'nosuid' | 'nodev' | 'noexec' | 'fstype';
  message: string;
}

type AskedFlags = Pick<NormalizedMount, 'flagsSet' | 'attrSet' | 'attrClr'>;

/**
 * Whether the mount ends up with a per-mount flag: mount_setattr(2) runs after mount(2), so
 * a recursive attribute (rro, rnosuid …) overrides the mount flag, set or cleared.
 */
function asks(m: AskedFlags, flag: MsFlag, attr: MountAttr): boolean {
  if (m.attrSet.includes(attr)) return true;
  if (m.attrClr.includes(attr)) return false;
  return m.flagsSet.includes(flag);
}

const PER_MOUNT: readonly {
  option: 'nosuid' | 'nodev' | 'noexec';
  flag: MsFlag;
  attr: MountAttr;
}[] = [
  { option: 'nosuid', flag: 'MS_NOSUID', attr: 'MOUNT_ATTR_NOSUID' },
  { option: 'nodev', flag: 'MS_NODEV', attr: 'MOUNT_ATTR_NODEV' },
  { option: 'noexec', flag: 'MS_NOEXEC', attr: 'MOUNT_ATTR_NOEXEC' },
];

/** Filesystem types the kernel reports under another name than the spec's. */
const FSTYPE_ALIASES: Record<string, string[]> = {
  cgroup: ['cgroup', 'cgroup2'],
};

/**
 * Differences between one normalised mount and the mount the container has at its
 * destination. Only what the spec asks is held against the kernel: an unasked nosuid is not
 * a finding, but ro/rw always is, since an entry that does not ask read-only asks writable.
 */
export function mountDrift(
  mount: Pick<NormalizedMount, 'destination' | 'type' | 'bind'> & AskedFlags,
  actual: MountinfoEntry | undefined,
): MountDifference[] {
  if (!actual) {
    return [
      {
        kind: 'not-mounted',
        message: `nothing is mounted at ${cleanDestination(mount.destination)} in the running container (a symlink in the rootfs may have moved it)`,
      },
    ];
  }
  const has = new Set(actual.options);
  const diffs: MountDifference[] = [];
  const askedRo = asks(mount, 'MS_RDONLY', 'MOUNT_ATTR_RDONLY');
  // A read-only superblock makes the mount read-only whatever its own flag says.
  const mountedRo = has.has('ro') || actual.superOptions.includes('ro');
  if (askedRo !== mountedRo) {
    diffs.push({
      kind: 'readonly',
      message: `asked ${askedRo ? 'ro' : 'rw'}, mounted ${mountedRo ? 'ro' : 'rw'}${mountedRo && !has.has('ro') ? ' (the filesystem itself is read-only)' : ''}`,
    });
  }
  for (const { option, flag, attr } of PER_MOUNT) {
    if (asks(mount, flag, attr) && !has.has(option))
      diffs.push({ kind: option, message: `asked ${option}, mounted without it` });
  }
  // The kernel ignores the type of a bind; "none" names no filesystem.
  if (!mount.bind && mount.type && mount.type !== 'none') {
    const accepted = FSTYPE_ALIASES[mount.type] ?? [mount.type];
    if (!accepted.includes(actual.fstype))
      diffs.push({ kind: 'fstype', message: `asked type ${mount.type}, mounted ${actual.fstype}` });
  }
  return diffs;
}

export interface MountDriftEntry {
  /** The spec's entry, as the plan normalised it (`index` is its place in `mounts`). */
  mount: NormalizedMount & { index: number };
  actual: MountinfoEntry | undefined;
  differences: MountDifference[];
}

/**
 * Every spec mount of a plan against a running container's mount table (its PID 1's, so
 * mount points are container paths). The runtime's own additions are not compared, nor an
 * entry hidden by a later one at the same destination (the kernel shows only the top one),
 * nor the indexes in `skip` (mounts the helper reported as failed).
 */
export function specMountDrift(
  mounts: readonly NormalizedMount[],
  table: readonly MountinfoEntry[],
  skip: ReadonlySet<number> = new Set(),
): MountDriftEntry[] {
  const fromSpec = mounts.filter(
    (m): m is NormalizedMount & { index: number } => m.index !== null && m.destination !== '',
  );
  const topAt = new Map<string, number>();
  for (const m of fromSpec)
    topAt.set(m.destination, Math.max(m.index, topAt.get(m.destination) ?? -1));
  const out: MountDriftEntry[] = [];
  for (const m of fromSpec) {
    if (skip.has(m.index) || topAt.get(m.destination) !== m.index) continue;
    const actual = visibleMountAt(table, m.destination);
    out.push({ mount: m, actual, differences: mountDrift(m, actual) });
  }
  return out;
}

/** The flags a user cares about, as the kernel applied them: `ro,nosuid,nodev`. */
export function describeMountedFlags(actual: MountinfoEntry): string {
  const keep = ['ro', 'rw', 'nosuid', 'nodev', 'noexec', 'noatime', 'nosymfollow'];
  return actual.options.filter((o) => keep.includes(o)).join(',');
}
