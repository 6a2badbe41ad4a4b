// What the option table in the plan (helper/plan/src/flags.ts) does not say: where runc and
// crun differ, and what the filesystem data options mean. Keyed by the same option names.
// Where runtimes disagree the helper follows runc, and the notes say so.

/** Extra notes on options of the plan's table (flags, propagation, recursive, special). */
export const OPTION_NOTES: Record<string, string> = {
  bind: 'runc and crun both require `bind` or `rbind` to make a bind mount; `type: "bind"` alone is refused. youki tolerates it; the helper follows runc.',
  rbind:
    'Most specs want `rbind` for host directories: with plain `bind`, mounts below the source (e.g. `/srv/data/cache`) are missing in the container. Combined with `bind` it acts as `rbind`.',
  ro: 'runc mounts a bind first and then remounts it with `MS_REMOUNT|MS_BIND|MS_RDONLY`; the helper does the same.',
  rw: 'The default; useful only to cancel an earlier `ro` in the same list (the last one wins).',
  nosuid: 'On a bind mount this needs the remount step, like `ro`. runc and crun both apply it.',
  nodev: 'On a bind mount this needs the remount step, like `ro`.',
  noexec: 'On a bind mount this needs the remount step, like `ro`.',
  rro: 'runc applies recursive attributes only to bind mounts (and warns otherwise); crun applies them to any mount. Needs kernel 5.12 or later (mount_setattr).',
  rnosuid: 'runc: bind mounts only. crun: any mount. Kernel 5.12+.',
  rnodev: 'runc: bind mounts only. crun: any mount. Kernel 5.12+.',
  rnoexec: 'runc: bind mounts only. crun: any mount. Kernel 5.12+.',
  private: 'Propagation is changed by a separate mount(2) call after the mount itself.',
  rprivate:
    "What containerd and podman write for most bind mounts; the default propagation of the container's root.",
  shared:
    'Mounts made inside the container appear on the host and vice versa: needs a shared parent, and weakens isolation.',
  rshared:
    "Mounts reach the host (and come back) only when the source sits on a shared host mount and the container's root is not made private first: with the default `rprivate` root propagation the new mount starts a peer group of its own. Set `linux.rootfsPropagation` to `rshared` as well.",
  slave: 'Host mounts below the source show up in the container later; nothing flows back.',
  rslave:
    'The usual choice for a host path whose later mounts (e.g. removable media) must appear in the container.',
  tmpcopyup: 'A crun extension that runc also implements. Only on tmpfs; never on `/`.',
  idmap:
    "Needs a user namespace (or the mount's own `uidMappings` and `gidMappings`, both) and kernel 5.12+. runc and crun: bind mounts only.",
  ridmap: 'As `idmap`, recursive. runc 1.2+ and crun.',
  remount: 'Rarely useful in a spec: the target is not mounted yet when the runtime applies it.',
  mand: 'Removed in Linux 5.15; the kernel ignores it or refuses the mount.',
};

/**
 * Options crun understands and runc does not (the plan's CRUN_ONLY_OPTIONS). runc, and the
 * helper with it, passes them to the filesystem as data, where the kernel usually refuses them.
 */
export const CRUN_ONLY_NOTES: Record<string, string> = {
  rsync: 'crun: `sync` for every submount.',
  rasync: 'crun: `async` for every submount.',
  rdirsync: 'crun: `dirsync` for every submount.',
  rmand: 'crun: `mand` for every submount.',
  rnomand: 'crun: `nomand` for every submount.',
  'copy-symlink':
    'crun: when the bind source is a symlink, create the same symlink at the destination instead of mounting what it points at.',
  'src-nofollow': 'crun: do not follow a symlink in the last component of the bind source.',
  'dest-nofollow': 'crun: do not follow a symlink in the last component of the destination.',
};

/** Filesystem data options (`key=value` or bare), by mount type. */
export const DATA_OPTIONS: Record<string, Record<string, string>> = {
  tmpfs: {
    size: 'Size limit, in bytes or with a k/m/g suffix or as a percentage of RAM (`size=64m`, `size=50%`). Default: half of RAM.',
    nr_blocks: 'Size limit in pages (an alternative to `size=`).',
    nr_inodes: 'Maximum number of inodes (files). Default: half the number of RAM pages.',
    mode: 'Permission bits of the root directory, octal (`mode=1777` for /tmp, `mode=755` for /dev).',
    uid: 'Owner of the root directory (in a user namespace: the mapped host uid must exist).',
    gid: 'Group of the root directory.',
    huge: 'Transparent huge pages: never, always, within_size, advise.',
    mpol: 'NUMA memory policy (default, prefer:N, bind:N, interleave).',
    noswap: 'Never swap this tmpfs out (kernel 6.4+).',
    inode32: 'Use 32-bit inode numbers.',
    inode64: 'Use 64-bit inode numbers.',
  },
  devpts: {
    newinstance:
      'A new, private set of pseudo-terminals for this mount (always the case since Linux 4.7).',
    ptmxmode:
      'Mode of the `ptmx` node inside this devpts; `0666` so /dev/ptmx works for every user.',
    mode: 'Mode of new terminals (`620`: owner read/write, group write).',
    uid: 'Owner of new terminals.',
    gid: 'Group of new terminals; `gid=5` is the `tty` group. Must be mapped in a user namespace (rootless runc fails otherwise).',
    max: 'Maximum number of terminals.',
  },
  proc: {
    hidepid: "Hide other users' processes: `hidepid=2` or `invisible`.",
    gid: 'Group exempt from hidepid.',
    subset: '`subset=pid`: only the process directories, no system-wide files.',
  },
  cgroup2: {
    nsdelegate: 'Treat cgroup namespaces as delegation boundaries.',
    memory_recursiveprot: 'Memory protection applies to the whole subtree.',
    favordynmods: 'Faster cgroup migrations at the cost of fork/exit speed.',
    memory_localevents: 'memory.events counts only this cgroup.',
  },
  overlay: {
    lowerdir: 'Read-only layers, colon-separated, top first.',
    upperdir: 'Writable layer; must be on a filesystem that supports overlay upper dirs.',
    workdir: 'Empty scratch directory on the same filesystem as upperdir.',
    userxattr: 'Use `user.overlay.*` attributes: needed to mount overlay inside a user namespace.',
    redirect_dir: 'Allow renaming directories across layers (on, follow, off, nofollow).',
    index: 'Hard-link consistency across copy-up (on/off).',
    metacopy: 'Copy up metadata only, data on first write (on/off).',
    volatile: 'Skip syncs; the upper layer is unusable after a crash.',
    xino: 'Unique inode numbers across layers (on, off, auto).',
  },
  devtmpfs: {
    size: 'Size limit.',
    mode: 'Mode of the root directory.',
    nr_inodes: 'Maximum number of inodes.',
  },
  ramfs: {
    mode: 'Mode of the root directory.',
  },
};

/** `defaults` is special: runc has it in its table with no flag, so it ends up as data. */
export const DEFAULTS_NOTE =
  '`defaults` sets no flag; runc passes it on to the filesystem as data. Harmless on most filesystems, but it makes a bind mount fail ("bind mounts cannot have any filesystem-specific options applied"). Remove it.';
