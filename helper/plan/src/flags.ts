// What each mount option means to the kernel, the way runc reads it.
//
// Values are those of <sys/mount.h> and <linux/mount.h>. The tables are exported so the
// language server can reuse them for hover and completion.
import type { MountAttr, MsFlag } from './types';

export const MS: Record<MsFlag, number> = {
  MS_RDONLY: 0x1,
  MS_NOSUID: 0x2,
  MS_NODEV: 0x4,
  MS_NOEXEC: 0x8,
  MS_SYNCHRONOUS: 0x10,
  MS_REMOUNT: 0x20,
  MS_MANDLOCK: 0x40,
  MS_DIRSYNC: 0x80,
  MS_NOSYMFOLLOW: 0x100,
  MS_NOATIME: 0x400,
  MS_NODIRATIME: 0x800,
  MS_BIND: 0x1000,
  MS_MOVE: 0x2000,
  MS_REC: 0x4000,
  MS_SILENT: 0x8000,
  MS_UNBINDABLE: 0x20000,
  MS_PRIVATE: 0x40000,
  MS_SLAVE: 0x80000,
  MS_SHARED: 0x100000,
  MS_RELATIME: 0x200000,
  MS_I_VERSION: 0x800000,
  MS_STRICTATIME: 0x1000000,
  MS_LAZYTIME: 0x2000000,
};

export const MOUNT_ATTR: Record<MountAttr, number> = {
  MOUNT_ATTR_RDONLY: 0x1,
  MOUNT_ATTR_NOSUID: 0x2,
  MOUNT_ATTR_NODEV: 0x4,
  MOUNT_ATTR_NOEXEC: 0x8,
  MOUNT_ATTR__ATIME: 0x70,
  MOUNT_ATTR_RELATIME: 0x0,
  MOUNT_ATTR_NOATIME: 0x10,
  MOUNT_ATTR_STRICTATIME: 0x20,
  MOUNT_ATTR_NODIRATIME: 0x80,
  MOUNT_ATTR_IDMAP: 0x100000,
  MOUNT_ATTR_NOSYMFOLLOW: 0x200000,
};

/** mount_setattr(2) flag: apply to the whole subtree. */
export const AT_RECURSIVE = 0x8000;

/** Canonical order for printing flags: by value, as strace does. */
export const MS_ORDER: MsFlag[] = (Object.keys(MS) as MsFlag[]).sort((a, b) => MS[a] - MS[b]);
export const MOUNT_ATTR_ORDER: MountAttr[] = (Object.keys(MOUNT_ATTR) as MountAttr[]).sort(
  (a, b) => MOUNT_ATTR[a] - MOUNT_ATTR[b] || a.localeCompare(b),
);

export type OptionKind = 'flag' | 'propagation' | 'recursive' | 'special' | 'data';

export interface OptionInfo {
  kind: OptionKind;
  /** For 'flag' and 'propagation': the MS_* flags; for 'recursive': the MOUNT_ATTR_* attribute. */
  flags: (MsFlag | MountAttr)[];
  /** True when the option clears its flags instead of setting them. */
  clear: boolean;
  /** One line for hover and completion. */
  doc: string;
}

function flag(flags: MsFlag[], clear: boolean, doc: string): OptionInfo {
  return { kind: 'flag', flags, clear, doc };
}
function prop(flags: MsFlag[], doc: string): OptionInfo {
  return { kind: 'propagation', flags, clear: false, doc };
}
function rec(attr: MountAttr, clear: boolean, doc: string): OptionInfo {
  return { kind: 'recursive', flags: [attr], clear, doc };
}

/**
 * runc's option table (libcontainer/specconv). `defaults` is in runc's table with no flag,
 * so runc passes it on as filesystem data; it is therefore absent here and reads as data.
 */
export const MOUNT_OPTIONS: Readonly<Record<string, OptionInfo>> = {
  async: flag(['MS_SYNCHRONOUS'], true, 'Writes are asynchronous (clears MS_SYNCHRONOUS).'),
  atime: flag(['MS_NOATIME'], true, 'Update access times (clears MS_NOATIME).'),
  bind: flag(
    ['MS_BIND'],
    false,
    'Bind mount: makes this entry a bind mount of `source` (only this mount, not submounts).',
  ),
  dev: flag(['MS_NODEV'], true, 'Allow device files (clears MS_NODEV).'),
  diratime: flag(['MS_NODIRATIME'], true, 'Update directory access times (clears MS_NODIRATIME).'),
  dirsync: flag(['MS_DIRSYNC'], false, 'Directory changes are synchronous (MS_DIRSYNC).'),
  exec: flag(['MS_NOEXEC'], true, 'Allow executing programs (clears MS_NOEXEC).'),
  iversion: flag(['MS_I_VERSION'], false, 'Update the inode version on change (MS_I_VERSION).'),
  lazytime: flag(['MS_LAZYTIME'], false, 'Keep timestamps in memory only (MS_LAZYTIME).'),
  loud: flag(['MS_SILENT'], true, 'Print kernel messages (clears MS_SILENT).'),
  mand: flag(
    ['MS_MANDLOCK'],
    false,
    'Allow mandatory locks (MS_MANDLOCK; removed from recent kernels).',
  ),
  noatime: flag(['MS_NOATIME'], false, 'Do not update access times (MS_NOATIME).'),
  nodev: flag(['MS_NODEV'], false, 'No device files (MS_NODEV).'),
  nodiratime: flag(
    ['MS_NODIRATIME'],
    false,
    'Do not update directory access times (MS_NODIRATIME).',
  ),
  noexec: flag(['MS_NOEXEC'], false, 'No program may be executed from here (MS_NOEXEC).'),
  noiversion: flag(['MS_I_VERSION'], true, 'Do not update inode versions (clears MS_I_VERSION).'),
  nolazytime: flag(['MS_LAZYTIME'], true, 'Write timestamps through (clears MS_LAZYTIME).'),
  nomand: flag(['MS_MANDLOCK'], true, 'No mandatory locks (clears MS_MANDLOCK).'),
  norelatime: flag(['MS_RELATIME'], true, 'Clears MS_RELATIME.'),
  nostrictatime: flag(['MS_STRICTATIME'], true, 'Clears MS_STRICTATIME.'),
  nosuid: flag(['MS_NOSUID'], false, 'Ignore set-user-ID and set-group-ID bits (MS_NOSUID).'),
  nosymfollow: flag(
    ['MS_NOSYMFOLLOW'],
    false,
    'Do not follow symlinks when resolving paths (MS_NOSYMFOLLOW, kernel 5.10+).',
  ),
  rbind: flag(
    ['MS_BIND', 'MS_REC'],
    false,
    'Recursive bind mount: `source` with every mount below it (MS_BIND|MS_REC).',
  ),
  relatime: flag(
    ['MS_RELATIME'],
    false,
    'Update access times only when older than modification times (MS_RELATIME).',
  ),
  remount: flag(['MS_REMOUNT'], false, 'Change the flags of an existing mount (MS_REMOUNT).'),
  ro: flag(
    ['MS_RDONLY'],
    false,
    'Read-only (MS_RDONLY). On a bind mount this takes a second remount call; submounts of an rbind stay writable (use rro).',
  ),
  rw: flag(['MS_RDONLY'], true, 'Read-write (clears MS_RDONLY).'),
  silent: flag(['MS_SILENT'], false, 'Suppress some kernel messages (MS_SILENT).'),
  strictatime: flag(['MS_STRICTATIME'], false, 'Always update access times (MS_STRICTATIME).'),
  suid: flag(['MS_NOSUID'], true, 'Honour set-user-ID bits (clears MS_NOSUID).'),
  sync: flag(['MS_SYNCHRONOUS'], false, 'Writes are synchronous (MS_SYNCHRONOUS).'),
  symfollow: flag(['MS_NOSYMFOLLOW'], true, 'Follow symlinks (clears MS_NOSYMFOLLOW).'),

  private: prop(
    ['MS_PRIVATE'],
    'Propagation: no mount events to or from peers (MS_PRIVATE), after the mount.',
  ),
  rprivate: prop(
    ['MS_REC', 'MS_PRIVATE'],
    'Propagation: private, for this mount and every submount (MS_REC|MS_PRIVATE).',
  ),
  slave: prop(
    ['MS_SLAVE'],
    'Propagation: receive mount events from the master, send none (MS_SLAVE).',
  ),
  rslave: prop(
    ['MS_REC', 'MS_SLAVE'],
    'Propagation: slave, for this mount and every submount (MS_REC|MS_SLAVE).',
  ),
  shared: prop(['MS_SHARED'], 'Propagation: share mount events with peers (MS_SHARED).'),
  rshared: prop(
    ['MS_REC', 'MS_SHARED'],
    'Propagation: shared, for this mount and every submount (MS_REC|MS_SHARED).',
  ),
  unbindable: prop(
    ['MS_UNBINDABLE'],
    'Propagation: private and cannot be bind-mounted (MS_UNBINDABLE).',
  ),
  runbindable: prop(
    ['MS_REC', 'MS_UNBINDABLE'],
    'Propagation: unbindable, for this mount and every submount (MS_REC|MS_UNBINDABLE).',
  ),

  rro: rec(
    'MOUNT_ATTR_RDONLY',
    false,
    'Read-only including every submount (mount_setattr MOUNT_ATTR_RDONLY, AT_RECURSIVE; kernel 5.12+).',
  ),
  rrw: rec(
    'MOUNT_ATTR_RDONLY',
    true,
    'Read-write including every submount (clears MOUNT_ATTR_RDONLY recursively).',
  ),
  rnosuid: rec(
    'MOUNT_ATTR_NOSUID',
    false,
    'nosuid including every submount (MOUNT_ATTR_NOSUID, AT_RECURSIVE).',
  ),
  rsuid: rec(
    'MOUNT_ATTR_NOSUID',
    true,
    'suid including every submount (clears MOUNT_ATTR_NOSUID recursively).',
  ),
  rnodev: rec(
    'MOUNT_ATTR_NODEV',
    false,
    'nodev including every submount (MOUNT_ATTR_NODEV, AT_RECURSIVE).',
  ),
  rdev: rec(
    'MOUNT_ATTR_NODEV',
    true,
    'dev including every submount (clears MOUNT_ATTR_NODEV recursively).',
  ),
  rnoexec: rec(
    'MOUNT_ATTR_NOEXEC',
    false,
    'noexec including every submount (MOUNT_ATTR_NOEXEC, AT_RECURSIVE).',
  ),
  rexec: rec(
    'MOUNT_ATTR_NOEXEC',
    true,
    'exec including every submount (clears MOUNT_ATTR_NOEXEC recursively).',
  ),
  rnodiratime: rec(
    'MOUNT_ATTR_NODIRATIME',
    false,
    'nodiratime including every submount (MOUNT_ATTR_NODIRATIME, AT_RECURSIVE).',
  ),
  rdiratime: rec(
    'MOUNT_ATTR_NODIRATIME',
    true,
    'diratime including every submount (clears MOUNT_ATTR_NODIRATIME recursively).',
  ),
  rrelatime: rec(
    'MOUNT_ATTR_RELATIME',
    false,
    'relatime including every submount (MOUNT_ATTR_RELATIME, AT_RECURSIVE).',
  ),
  rnorelatime: rec('MOUNT_ATTR_RELATIME', true, 'norelatime including every submount.'),
  rnoatime: rec(
    'MOUNT_ATTR_NOATIME',
    false,
    'noatime including every submount (MOUNT_ATTR_NOATIME, AT_RECURSIVE).',
  ),
  ratime: rec(
    'MOUNT_ATTR_NOATIME',
    true,
    'atime including every submount (clears MOUNT_ATTR_NOATIME recursively).',
  ),
  rstrictatime: rec(
    'MOUNT_ATTR_STRICTATIME',
    false,
    'strictatime including every submount (MOUNT_ATTR_STRICTATIME, AT_RECURSIVE).',
  ),
  rnostrictatime: rec('MOUNT_ATTR_STRICTATIME', true, 'nostrictatime including every submount.'),
  rnosymfollow: rec(
    'MOUNT_ATTR_NOSYMFOLLOW',
    false,
    'nosymfollow including every submount (MOUNT_ATTR_NOSYMFOLLOW, kernel 5.14+).',
  ),
  rsymfollow: rec(
    'MOUNT_ATTR_NOSYMFOLLOW',
    true,
    'symfollow including every submount (clears MOUNT_ATTR_NOSYMFOLLOW recursively).',
  ),

  tmpcopyup: {
    kind: 'special',
    flags: [],
    clear: false,
    doc: 'tmpfs only: copy what the rootfs has at the destination into the new tmpfs.',
  },
  idmap: {
    kind: 'special',
    flags: ['MOUNT_ATTR_IDMAP'],
    clear: false,
    doc: "Bind mounts only: an ID-mapped mount using the mount's (or the container's) uid/gid mappings.",
  },
  ridmap: {
    kind: 'special',
    flags: ['MOUNT_ATTR_IDMAP'],
    clear: false,
    doc: 'Like idmap, for this mount and every submount.',
  },
};

/** Atime attributes are an enum inside MOUNT_ATTR__ATIME: setting one must also clear the field. */
export const ATIME_ATTRS: ReadonlySet<MountAttr> = new Set<MountAttr>([
  'MOUNT_ATTR_RELATIME',
  'MOUNT_ATTR_NOATIME',
  'MOUNT_ATTR_STRICTATIME',
]);

/** What an option string means: a known option, or filesystem data. */
/** What every option outside runc's table is; one shared, frozen answer (asked per option per plan). */
const DATA_OPTION: OptionInfo = Object.freeze({
  kind: 'data',
  flags: Object.freeze([]) as unknown as OptionInfo['flags'],
  clear: false,
  doc: 'Passed to the filesystem as data (the last argument of mount(2)).',
});

/** MOUNT_OPTIONS as a Map: looked up for every option of every mount on each plan. */
const OPTION_TABLE = new Map(Object.entries(MOUNT_OPTIONS));

export function optionInfo(option: string): OptionInfo {
  return OPTION_TABLE.get(option) ?? DATA_OPTION;
}

export function msFlagsValue(flags: readonly MsFlag[]): number {
  let v = 0;
  for (const f of flags) v |= MS[f];
  return v >>> 0;
}

export function mountAttrValue(attrs: readonly MountAttr[]): number {
  let v = 0;
  for (const a of attrs) v |= MOUNT_ATTR[a];
  return v >>> 0;
}

/** Sort and de-duplicate flag names into the canonical (value) order. */
export function sortMsFlags(flags: Iterable<MsFlag>): MsFlag[] {
  // Called several times per mount per plan; a Set given is used as is, not copied.
  const set = flags instanceof Set ? flags : new Set(flags);
  return set.size === 0 ? [] : MS_ORDER.filter((f) => set.has(f));
}

export function sortMountAttrs(attrs: Iterable<MountAttr>): MountAttr[] {
  const set = attrs instanceof Set ? attrs : new Set(attrs);
  return set.size === 0 ? [] : MOUNT_ATTR_ORDER.filter((a) => set.has(a));
}
