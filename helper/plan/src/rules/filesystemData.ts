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
 * What crun makes of an option that runc passes on as filesystem data (a sentence), or
 * undefined when crun reads it as runc does. Severities follow runc; the message says this.
 */
export function crunOnlyMeaning(option: string): string | undefined {
  if (CRUN_ONLY_OPTIONS.includes(option))
    return `"${option}" is understood by crun only; runc passes it to the filesystem.`;
  const idmap = /^(r?idmap)=/.exec(option);
  if (idmap)
    return `crun reads "${idmap[1]}=uids=…;gids=…" as an id-mapped mount with those mappings and accepts it; runc does not know the form and passes it to the filesystem as data (write "${idmap[1]}" with uidMappings and gidMappings on the mount for both).`;
  return undefined;
}

/**
 * Real options of common filesystems one letter away from a runtime option (xfs `nouuid`
 * vs `nosuid`, ext4 `i_version` vs `iversion`): never "corrected" on a filesystem whose
 * parameters Bindery does not know.
 */
export const FILESYSTEM_OPTIONS_NEAR_RUNTIME_NAMES: readonly string[] = ['nouuid', 'i_version'];

/**
 * How the kernel reads the value of a data option (fs_parser.h): `flag` takes none; `u32` is
 * kstrtouint with base 0 (decimal, 0-octal, 0x-hex); `octal` is base 8; `memparse` a number
 * with an optional K/M/G/T/P/E suffix; `size` the same or a percentage of RAM; a list the
 * accepted words. Options not listed take any string (or are not checked).
 */
export type DataOptionValue = 'flag' | 'u32' | 'octal' | 'memparse' | 'size' | readonly string[];

export const DATA_OPTION_VALUES: Readonly<
  Record<string, Readonly<Record<string, DataOptionValue>>>
> = {
  tmpfs: {
    size: 'size',
    nr_blocks: 'memparse',
    nr_inodes: 'memparse',
    mode: 'octal',
    uid: 'u32',
    gid: 'u32',
    huge: ['never', 'always', 'within_size', 'advise'],
    noswap: 'flag',
    inode32: 'flag',
    inode64: 'flag',
    quota: 'flag',
    usrquota: 'flag',
    grpquota: 'flag',
  },
  devpts: {
    newinstance: 'flag',
    uid: 'u32',
    gid: 'u32',
    mode: 'octal',
    ptmxmode: 'octal',
    max: 'u32',
  },
  proc: {
    gid: 'u32',
    // proc_parse_hidepid_param: 0, 1, 2, 4 or their names.
    hidepid: ['0', '1', '2', '4', 'off', 'noaccess', 'invisible', 'ptraceable'],
    subset: ['pid'],
  },
};

const U32_MAX = 0xffffffff;

function parseU32(text: string, radix: 0 | 8): number | undefined {
  const t = text.startsWith('+') ? text.slice(1) : text;
  let n: number;
  if (radix === 8) n = /^[0-7]+$/.test(t) ? parseInt(t, 8) : NaN;
  else if (/^0[xX][0-9a-fA-F]+$/.test(t)) n = parseInt(t.slice(2), 16);
  else if (/^0[0-7]*$/.test(t)) n = parseInt(t, 8);
  else if (/^[1-9][0-9]*$/.test(t)) n = Number(t);
  else n = NaN;
  return Number.isNaN(n) || n > U32_MAX ? undefined : n;
}

/** memparse(): the number part as simple_strtoull reads it (base 0), then one size letter. */
const MEMPARSE = /^(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)?[KkMmGgTtPpEe]?$/;

/**
 * Why the kernel refuses `option` (a `key` or `key=value` data option of `type`), or
 * undefined when it accepts it (or Bindery does not know the option).
 */
export function dataOptionValueProblem(type: string, option: string): string | undefined {
  const eq = option.indexOf('=');
  const key = eq >= 0 ? option.slice(0, eq) : option;
  const kind = DATA_OPTION_VALUES[type]?.[key];
  if (kind === undefined) return undefined;
  if (kind === 'flag')
    return eq >= 0 ? `"${key}" is a flag and takes no value; write it alone` : undefined;
  if (eq < 0) return `"${key}" needs a value (${key}=…)`;
  const value = option.slice(eq + 1);
  if (Array.isArray(kind))
    return kind.includes(value)
      ? undefined
      : `${key} takes one of ${kind.map((k) => `"${k}"`).join(', ')}`;
  switch (kind) {
    case 'u32':
      return parseU32(value, 0) === undefined
        ? `${key} takes a number from 0 to ${U32_MAX} (decimal, or 0-prefixed octal, or 0x hex)`
        : undefined;
    case 'octal':
      return parseU32(value, 8) === undefined
        ? `${key} takes an octal mode such as 755 or 1777`
        : undefined;
    case 'memparse':
      return MEMPARSE.test(value)
        ? undefined
        : `${key} takes a number with an optional k, m or g suffix`;
    case 'size': {
      const v = value.endsWith('%') ? value.slice(0, -1) : value;
      return MEMPARSE.test(v)
        ? undefined
        : `${key} takes a size such as 64m, 65536k or 50% (of RAM)`;
    }
  }
  return undefined;
}
