// Filesystem data options the kernel accepts, for the types whose parameters are fixed.
// For any other type (overlay, nfs, ext4, cgroup, …) the set depends on the filesystem and
// its version, so the rules do not guess.

/** Parameter names (the part before `=`) each filesystem type accepts. */
export const DATA_OPTIONS_BY_TYPE: Readonly<Record<string, readonly string[]>> = {
  tmpfs: [
    'size',
    'nr_blocks',
    'nr_inodes',
    'mode',
    'uid',
    'gid',
    'huge',
    'mpol',
    'noswap',
    'inode32',
    'inode64',
    'quota',
    'usrquota',
    'grpquota',
    'usrquota_block_hardlimit',
    'usrquota_inode_hardlimit',
    'grpquota_block_hardlimit',
    'grpquota_inode_hardlimit',
    'casefold',
    'strict_encoding',
  ],
  devpts: ['newinstance', 'ptmxmode', 'mode', 'uid', 'gid', 'max'],
  proc: ['hidepid', 'gid', 'subset'],
  mqueue: [],
  sysfs: [],
};

/** Security-module options the kernel takes on any filesystem (SELinux, Smack). */
export const DATA_OPTIONS_ANY_TYPE: readonly string[] = [
  'context',
  'fscontext',
  'defcontext',
  'rootcontext',
  'seclabel',
  'smackfsdef',
  'smackfsfloor',
  'smackfshat',
  'smackfsroot',
  'smackfstransmute',
];

/** Whether the data options of `type` are known (and anything else is refused by the kernel). */
export function knownDataOptions(type: string | undefined): readonly string[] | undefined {
  return type !== undefined && Object.prototype.hasOwnProperty.call(DATA_OPTIONS_BY_TYPE, type)
    ? DATA_OPTIONS_BY_TYPE[type]
    : undefined;
}

/** Options crun gives a meaning and runc does not (runc passes them on as filesystem data). */
export const CRUN_ONLY_OPTIONS: readonly string[] = [
  'rsync',
  'rasync',
  'rdirsync',
  'rmand',
  'rnomand',
  'copy-symlink',
  'src-nofollow',
  'dest-nofollow',
];

/**
 * Real options of common filesystems one letter away from a runtime option (xfs `nouuid`
 * vs `nosuid`, ext4 `i_version` vs `iversion`): never "corrected" on a filesystem whose
 * parameters Bindery does not know.
 */
export const FILESYSTEM_OPTIONS_NEAR_RUNTIME_NAMES: readonly string[] = ['nouuid', 'i_version'];
