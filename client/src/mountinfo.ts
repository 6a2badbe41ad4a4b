// Reading a container's /proc/PID/mountinfo and comparing it with what the spec asked for.
// Pure: no `vscode`, no I/O. Field layout: proc(5), "/proc/[pid]/mountinfo".
import { posix } from 'node:path';
import { findSpecMounts, type SpecMountEntry } from './specMounts';

export interface MountinfoEntry {
  mountId: number;
  parentId: number;
  /** Path inside the filesystem that forms the root of this mount. */
  root: string;
  /** Relative to the process's root: for a container's PID 1, a path inside the container. */
  mountPoint: string;
  /** Per-mount options: rw/ro, nosuid, nodev, noexec, atime flags. */
  options: string[];
  /** Propagation and peer group fields, e.g. `shared:1`, `master:2`. */
  optional: string[];
  fstype: string;
  source: string;
  /** Per-superblock options, including filesystem data such as size= and mode=. */
  superOptions: string[];
}

export function parseMountinfo(text: string): MountinfoEntry[] {
  const entries: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    const sep = fields.indexOf('-', 6);
    if (fields.length < 10 || sep < 0 || fields.length < sep + 4) continue;
    entries.push({
      mountId: Number(fields[0]),
      parentId: Number(fields[1]),
      root: unescapeField(fields[3]),
      mountPoint: unescapeField(fields[4]),
      options: fields[5].split(','),
      optional: fields.slice(6, sep),
      fstype: fields[sep + 1],
      source: unescapeField(fields[sep + 2]),
      superOptions: fields[sep + 3].split(','),
    });
  }
  return entries;
}

/** The kernel escapes space, tab, newline and backslash as octal (\040 …). */
function unescapeField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The mount a process sees at `destination`: the last one stacked there. */
export function visibleMountAt(
  entries: MountinfoEntry[],
  destination: string,
): MountinfoEntry | undefined {
  const want = normalizeDestination(destination);
  for (let i = entries.length - 1; i >= 0; i--)
    if (entries[i].mountPoint === want) return entries[i];
  return undefined;
}

export function normalizeDestination(destination: string): string {
  const p = posix.normalize(posix.join('/', destination));
  return p.length > 1 && p.endsWith('/') ? p.slice(0, -1) : p;
}

/** What the spec's options ask for, read the way runc reads them (the last word wins). */
export interface RequestedFlags {
  readonly: boolean;
  nosuid: boolean;
  nodev: boolean;
  noexec: boolean;
  bind: boolean;
}

export function requestedFlags(type: string | undefined, options: string[]): RequestedFlags {
  const r: RequestedFlags = {
    readonly: false,
    nosuid: false,
    nodev: false,
    noexec: false,
    bind: type === 'bind',
  };
  for (const o of options) {
    switch (o) {
      case 'ro':
      case 'rro':
        r.readonly = true;
        break;
      case 'rw':
      case 'rrw':
        r.readonly = false;
        break;
      case 'nosuid':
      case 'rnosuid':
        r.nosuid = true;
        break;
      case 'suid':
      case 'rsuid':
        r.nosuid = false;
        break;
      case 'nodev':
      case 'rnodev':
        r.nodev = true;
        break;
      case 'dev':
      case 'rdev':
        r.nodev = false;
        break;
      case 'noexec':
      case 'rnoexec':
        r.noexec = true;
        break;
      case 'exec':
      case 'rexec':
        r.noexec = false;
        break;
      case 'bind':
      case 'rbind':
        r.bind = true;
        break;
    }
  }
  return r;
}

export interface MountDifference {
  /** Stable key, for tests and quick filtering. */
  kind: 'not-mounted' | 'readonly' | 'nosuid' | 'nodev' | 'noexec' | 'fstype';
  message: string;
}

/** Filesystem types the kernel reports under another name than the spec's. */
const FSTYPE_ALIASES: Record<string, string[]> = {
  cgroup: ['cgroup', 'cgroup2'],
};

/**
 * Differences between one spec entry and the mount the container actually has there.
 * Only what the user wrote is held against the kernel: an unasked nosuid is not a finding,
 * but ro/rw always is, since a spec entry without `ro` asks for a writable mount.
 */
export function compareMount(
  spec: { destination: string; type?: string; options: string[] },
  actual: MountinfoEntry | undefined,
): MountDifference[] {
  if (!actual) {
    return [
      {
        kind: 'not-mounted',
        message: `nothing is mounted at ${normalizeDestination(spec.destination)} in the running container (a symlink in the rootfs may have moved it)`,
      },
    ];
  }
  const asked = requestedFlags(spec.type, spec.options);
  const has = new Set(actual.options);
  const diffs: MountDifference[] = [];
  // A read-only superblock makes the mount read-only whatever its own flag says.
  const superRo = actual.superOptions.includes('ro');
  const mountedRo = has.has('ro') || superRo;
  if (asked.readonly !== mountedRo) {
    diffs.push({
      kind: 'readonly',
      message: `asked ${asked.readonly ? 'ro' : 'rw'}, mounted ${mountedRo ? 'ro' : 'rw'}${mountedRo && !has.has('ro') ? ' (the filesystem itself is read-only)' : ''}`,
    });
  }
  for (const flag of ['nosuid', 'nodev', 'noexec'] as const) {
    if (asked[flag] && !has.has(flag))
      diffs.push({ kind: flag, message: `asked ${flag}, mounted without it` });
  }
  if (!asked.bind && spec.type && spec.type !== 'none') {
    const accepted = FSTYPE_ALIASES[spec.type] ?? [spec.type];
    if (!accepted.includes(actual.fstype)) {
      diffs.push({ kind: 'fstype', message: `asked type ${spec.type}, mounted ${actual.fstype}` });
    }
  }
  return diffs;
}

/** The flags a user cares about, as the kernel applied them: `ro,nosuid,nodev`. */
export function describeActual(actual: MountinfoEntry): string {
  const keep = actual.options.filter((o) =>
    ['ro', 'rw', 'nosuid', 'nodev', 'noexec', 'noatime', 'nosymfollow'].includes(o),
  );
  return keep.join(',');
}

export interface EntryComparison {
  entry: SpecMountEntry;
  actual: MountinfoEntry | undefined;
  differences: MountDifference[];
}

/**
 * Every mount entry of a spec against the container's mount table. An entry hidden by a
 * later one with the same destination is not compared: the kernel only shows the top one.
 * `skip` holds indexes not to compare (mounts the helper reported as failed).
 */
export function compareSpecWithMountinfo(
  specText: string,
  entries: MountinfoEntry[],
  skip: ReadonlySet<number> = new Set(),
): EntryComparison[] {
  const specMounts = findSpecMounts(specText);
  const lastIndexAt = new Map<string, number>();
  for (const m of specMounts)
    if (m.destination) lastIndexAt.set(normalizeDestination(m.destination), m.index);
  const out: EntryComparison[] = [];
  for (const m of specMounts) {
    if (!m.destination || skip.has(m.index)) continue;
    if (lastIndexAt.get(normalizeDestination(m.destination)) !== m.index) continue;
    const actual = visibleMountAt(entries, m.destination);
    out.push({
      entry: m,
      actual,
      differences: compareMount(
        { destination: m.destination, type: m.type, options: m.options },
        actual,
      ),
    });
  }
  return out;
}
