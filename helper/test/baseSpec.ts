// The OCI spec that tests and benchmarks build bundles from, in the layout `runc spec` writes,
// shared by the helper, server and client tests. Every call returns fresh objects, so a caller
// may reshape what it gets. Callers that differ say so through the options, so that each
// keeps its exact text: some assert line positions in it.

export interface SpecMount {
  destination: string;
  type?: string;
  source?: string;
  options?: string[];
}

/** runc's default mounts, as `runc spec` writes them. */
const RUNC_MOUNTS = {
  '/proc': { destination: '/proc', type: 'proc', source: 'proc' },
  '/dev': {
    destination: '/dev',
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
  },
  '/dev/pts': {
    destination: '/dev/pts',
    type: 'devpts',
    source: 'devpts',
    options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', 'gid=5'],
  },
  '/dev/shm': {
    destination: '/dev/shm',
    type: 'tmpfs',
    source: 'shm',
    options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
  },
  '/dev/mqueue': {
    destination: '/dev/mqueue',
    type: 'mqueue',
    source: 'mqueue',
    options: ['nosuid', 'noexec', 'nodev'],
  },
  '/sys': {
    destination: '/sys',
    type: 'sysfs',
    source: 'sysfs',
    options: ['nosuid', 'noexec', 'nodev', 'ro'],
  },
  '/sys/fs/cgroup': {
    destination: '/sys/fs/cgroup',
    type: 'cgroup',
    source: 'cgroup',
    options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
  },
} satisfies Record<string, SpecMount>;

export type RuncMountPoint = keyof typeof RUNC_MOUNTS;

/** The mounts every Linux container gets (runc's defaults without the cgroup mount). */
export const SYSTEM_MOUNT_POINTS: RuncMountPoint[] = [
  '/proc',
  '/dev',
  '/dev/pts',
  '/dev/shm',
  '/dev/mqueue',
  '/sys',
];

/** A fresh copy of runc's default mount at `point`, with `change` laid over it. */
export function runcMount(point: RuncMountPoint, change: Partial<SpecMount> = {}): SpecMount {
  return { ...structuredClone(RUNC_MOUNTS[point]), ...change };
}

/** Fresh copies of runc's default mounts at `points`, in the order given. */
export function runcMounts(...points: RuncMountPoint[]): SpecMount[] {
  return points.map((p) => runcMount(p));
}

/** The `linux.namespaces` entries for `types`. */
export function namespaces(...types: string[]): { type: string }[] {
  return types.map((type) => ({ type }));
}

/** The namespaces these specs unshare unless told otherwise. */
export const DEFAULT_NAMESPACES = ['pid', 'network', 'ipc', 'uts', 'mount'];

/** runc's default masked and read-only paths. */
export const RUNC_MASKED_PATHS = [
  '/proc/acpi',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/sched_debug',
  '/sys/firmware',
  '/proc/scsi',
];
export const RUNC_READONLY_PATHS = [
  '/proc/bus',
  '/proc/fs',
  '/proc/irq',
  '/proc/sys',
  '/proc/sysrq-trigger',
];

/**
 * What differs from the base. A field left undefined takes the default; `null` leaves it out
 * of the spec (so a test can add it later, where JSON.stringify then puts it last).
 */
export interface BaseSpecOptions {
  terminal?: boolean | null;
  user?: Record<string, unknown>;
  args?: string[];
  env?: string[] | null;
  cwd?: string;
  /** More `process` fields, after the ones above (or replacing them, in place). */
  process?: Record<string, unknown>;
  readonlyRoot?: boolean | null;
  hostname?: string;
  mounts?: unknown[];
  namespaces?: string[];
  /** Left out unless given. */
  maskedPaths?: string[];
  readonlyPaths?: string[];
  /** More `linux` fields, after the ones above (or replacing them, in place). */
  linux?: Record<string, unknown>;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reshape the spec freely
type Loose = any;

/**
 * A small valid spec: root runs `sh` in `/` with a read-only rootfs, hostname `box`, the
 * system mounts and five namespaces.
 */
export function baseSpec(o: BaseSpecOptions = {}): Loose {
  return {
    ociVersion: '1.2.0',
    process: present({
      terminal: o.terminal === undefined ? false : o.terminal,
      user: o.user ?? { uid: 0, gid: 0 },
      args: o.args ?? ['sh'],
      env: o.env === undefined ? ['PATH=/usr/bin:/bin'] : o.env,
      cwd: o.cwd ?? '/',
      ...o.process,
    }),
    root: present({
      path: 'rootfs',
      readonly: o.readonlyRoot === undefined ? true : o.readonlyRoot,
    }),
    hostname: o.hostname ?? 'box',
    mounts: o.mounts ?? runcMounts(...SYSTEM_MOUNT_POINTS),
    linux: present({
      namespaces: namespaces(...(o.namespaces ?? DEFAULT_NAMESPACES)),
      maskedPaths: o.maskedPaths,
      readonlyPaths: o.readonlyPaths,
      ...o.linux,
    }),
  };
}

/** `fields` without the null or undefined ones (JSON.stringify would drop undefined, but a test that sets one later must see it appended, as before). */
function present(fields: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(fields).filter(([, v]) => v !== null && v !== undefined),
  );
}
