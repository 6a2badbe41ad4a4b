// What each mount `type` is, for hover and completion. Our own words; facts from the kernel's
// documentation and how runc/crun treat the type. Which data options a type accepts is the
// plan's table (helper/plan/src/rules/filesystemData.ts); their meaning is in mountOptions.ts.

export interface MountTypeDoc {
  summary: string;
  /** A typical `source` value. */
  source: string;
}

export const MOUNT_TYPES: Record<string, MountTypeDoc> = {
  bind: {
    summary:
      'Makes a file or directory of the host visible at the destination. Only the `bind` or `rbind` option makes it a bind mount — runc and crun refuse `type: "bind"` without one of them. `ro`, `nosuid`, `nodev`, `noexec` need a second, remount step, which the helper performs for you.',
    source: 'a host path (relative paths resolve against the bundle)',
  },
  none: {
    summary:
      "No filesystem type; used with `bind`/`rbind` options for bind mounts (the runtime spec's own examples write this). Without a bind option it is not a valid mount.",
    source: 'a host path',
  },
  tmpfs: {
    summary:
      'A filesystem in memory (and swap), empty at every start. Its size is limited by `size=` (default: half of RAM) and its root directory takes `mode=`, otherwise the mode of the directory it covers. `tmpcopyup` copies what the image had there.',
    source: '"tmpfs" (any name; it shows in the mount table)',
  },
  proc: {
    summary:
      "The process filesystem of the container's PID namespace. Must be mounted at `/proc` on a real directory of the rootfs (not a symlink: CVE-2023-27561). Nothing may be mounted over paths below it except a short allow-list (runc, CVE-2019-16884).",
    source: '"proc"',
  },
  sysfs: {
    summary:
      'Kernel objects (devices, drivers, cgroups before v2). Usually mounted read-only at `/sys`. With a user namespace but no network namespace of its own the kernel refuses it, and runc fails.',
    source: '"sysfs"',
  },
  devpts: {
    summary:
      'Pseudo-terminals (`/dev/pts`). `newinstance` gives the container its own set, `ptmxmode=0666` makes `/dev/pts/ptmx` usable, `gid=5` gives new terminals to the `tty` group (the gid must be mapped in a user namespace).',
    source: '"devpts"',
  },
  mqueue: {
    summary:
      "POSIX message queues of the container's IPC namespace, at `/dev/mqueue`. Takes no data options.",
    source: '"mqueue"',
  },
  cgroup: {
    summary:
      "The cgroup hierarchy at `/sys/fs/cgroup`. Runtimes translate this type themselves (cgroup v1 controllers as separate mounts, or cgroup2 on a unified host). Without a cgroup namespace it shows the host's tree.",
    source: '"cgroup"',
  },
  cgroup2: {
    summary:
      "The unified cgroup v2 hierarchy. Without a cgroup namespace it shows the host's tree.",
    source: '"cgroup2"',
  },
  overlay: {
    summary:
      'Stacks a writable upper directory over read-only lower ones. The layout comes from data options: `lowerdir=A:B`, `upperdir=`, `workdir=` (same filesystem as upperdir).',
    source: '"overlay"',
  },
  devtmpfs: {
    summary:
      "The host kernel's device nodes. Exposes every host device; containers normally get a tmpfs `/dev` with selected nodes instead.",
    source: '"devtmpfs"',
  },
  ramfs: {
    summary:
      'Like tmpfs but without a size limit and never swapped. Rarely what you want in a container.',
    source: '"ramfs"',
  },
};

/** Where each well-known destination is normally mounted from, for completion. */
export const COMMON_DESTINATIONS: Record<string, string> = {
  '/proc': 'proc',
  '/dev': 'tmpfs',
  '/dev/pts': 'devpts',
  '/dev/shm': 'tmpfs',
  '/dev/mqueue': 'mqueue',
  '/sys': 'sysfs',
  '/sys/fs/cgroup': 'cgroup',
  '/tmp': 'tmpfs',
  '/run': 'tmpfs',
  '/etc/hosts': 'bind',
  '/etc/hostname': 'bind',
  '/etc/resolv.conf': 'bind',
};
