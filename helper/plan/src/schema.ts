// Bindery's own description of the OCI runtime spec (config.json) fields people write by
// hand: JSON type, allowed values, required fields, and a short doc for hover and completion.
// Structure findings (rules/structure.ts) are checked against it; the language server reads
// it for hover and key completion. Platforms other than Linux are accepted as opaque objects.
import type { JsonPath } from './types';

export type JsonType = 'string' | 'boolean' | 'integer' | 'number' | 'object' | 'array';

export interface FieldSchema {
  type: JsonType;
  /** Markdown: what the field does, and where runc and crun differ. */
  doc: string;
  enum?: readonly string[];
  /** Objects: the known keys. */
  properties?: Readonly<Record<string, FieldSchema>>;
  required?: readonly string[];
  /** Objects with free keys (annotations, sysctl): the schema of every value. */
  values?: FieldSchema;
  /** Objects whose content Bindery does not check (other platforms, extensions). */
  open?: boolean;
  items?: FieldSchema;
  minItems?: number;
  minimum?: number;
  maximum?: number;
  /** Strings that must be absolute paths. */
  absolutePath?: boolean;
  pattern?: RegExp;
  /** Said when `pattern` does not match, e.g. 'RLIMIT_ followed by the limit name'. */
  patternHint?: string;
  /** The value `pattern` most likely meant, for a one-click fix. */
  patternFix?: (value: string) => string | undefined;
  /**
   * Numbers outside `minimum`…`maximum` that runtimes accept anyway (a device fileMode with
   * the file-type bits); another rule says what happens to them.
   */
  tolerated?: (value: number) => boolean;
  /** A value to insert when completing the key. */
  example?: unknown;
}

const UINT32_MAX = 4294967295;
const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;

const str = (doc: string, extra: Partial<FieldSchema> = {}): FieldSchema => ({
  type: 'string',
  doc,
  ...extra,
});
const bool = (doc: string): FieldSchema => ({ type: 'boolean', doc });
const int = (doc: string, minimum?: number, maximum?: number): FieldSchema => ({
  type: 'integer',
  doc,
  minimum,
  maximum,
});
const uint32 = (doc: string) => int(doc, 0, UINT32_MAX);
const uint64 = (doc: string) => int(doc, 0);
const uint16 = (doc: string) => int(doc, 0, 65535);
// int64 bounds lie beyond a double's exact integers, so only the type is checked.
const int64 = (doc: string) => int(doc);
const obj = (
  doc: string,
  properties: Record<string, FieldSchema>,
  required?: string[],
): FieldSchema => ({
  type: 'object',
  doc,
  properties,
  required,
});
const arr = (doc: string, items: FieldSchema, extra: Partial<FieldSchema> = {}): FieldSchema => ({
  type: 'array',
  doc,
  items,
  ...extra,
});
const map = (doc: string, values: FieldSchema): FieldSchema => ({ type: 'object', doc, values });
const open = (doc: string): FieldSchema => ({ type: 'object', doc, open: true });
const strings = (doc: string, item = 'A string.') => arr(doc, str(item));

export const NAMESPACE_TYPES = [
  'mount',
  'pid',
  'network',
  'uts',
  'ipc',
  'user',
  'cgroup',
  'time',
] as const;
export type NamespaceType = (typeof NAMESPACE_TYPES)[number];

const idMapping = obj(
  'One range of ids: `size` ids starting at `containerID` inside the namespace are `hostID`… outside.',
  {
    containerID: uint32('First id of the range as seen inside the container.'),
    hostID: uint32('First id of the range on the host (outside the user namespace).'),
    size: uint32('How many consecutive ids the range maps.'),
  },
  ['containerID', 'hostID', 'size'],
);

const hook = obj(
  'A program the runtime runs at a point of the container lifecycle. It receives the container state as JSON on stdin.',
  {
    path: str(
      'Absolute path of the program. `startContainer` hooks are looked up inside the container; all other hooks on the host.',
      { absolutePath: true },
    ),
    args: strings('Full argv, including argv[0] (like execv).'),
    env: strings('Environment as `NAME=value` strings.'),
    timeout: int('Seconds before the runtime gives up on the hook and treats it as failed.', 1),
  },
  ['path'],
);

const hooks = (doc: string) => arr(doc, hook);

const mount = obj(
  'One mount, applied in order after the root filesystem is prepared. A later mount on the same or a parent path hides this one.',
  {
    destination: str(
      'Where the mount appears inside the container. Write an absolute path: relative destinations are deprecated, and runc reads them relative to `/`. Symlinks in the rootfs are resolved inside the rootfs, never out of it.',
      { example: '/data' },
    ),
    type: str(
      'Filesystem type passed to mount(2): `proc`, `sysfs`, `tmpfs`, `devpts`, `mqueue`, `cgroup`, `cgroup2`, `overlay`, … For a bind mount write `"bind"` **and** the `bind` or `rbind` option: runc and crun bind-mount only when one of those options is present; the type alone is not enough.',
      { example: 'tmpfs' },
    ),
    source: str(
      'What is mounted: a host path for bind mounts (a relative path is relative to the bundle directory), a device, or a free-form name for virtual filesystems (`proc`, `tmpfs`, `shm`), shown in the mount table.',
    ),
    options: strings(
      'mount(8)-style options, applied left to right (the last of `ro`/`rw` wins). runc sorts them into mount(2) flags (`ro`, `nosuid`, `nodev`, `noexec`, …), the bind options `bind`/`rbind`, propagation (`rprivate`, `shared`, …), recursive attributes applied with mount_setattr(2) (`rro`, `rnosuid`, …, Linux 5.12+), the special `tmpcopyup`, `idmap` and `ridmap`; everything else is passed to the filesystem as data (`mode=1777`, `size=64m`). Bind mounts accept no data.',
      'One option, e.g. `nosuid` or `mode=755`.',
    ),
    uidMappings: arr(
      'Id-mapped mount: user id ranges applied to this mount only (bind mounts, with a user namespace). Give gidMappings too.',
      idMapping,
    ),
    gidMappings: arr(
      'Id-mapped mount: group id ranges applied to this mount only. Give uidMappings too.',
      idMapping,
    ),
  },
  ['destination'],
);

const namespace = obj(
  'One namespace the container gets. Without `path` a new namespace is created; with `path` the container joins an existing one.',
  {
    type: str(
      'Which namespace: `mount`, `pid`, `network`, `uts` (hostname), `ipc`, `user`, `cgroup` or `time`. Each type may appear once.',
      { enum: NAMESPACE_TYPES },
    ),
    path: str(
      'Join the namespace at this absolute path (e.g. `/proc/1234/ns/net` or `/run/netns/blue`) instead of creating a new one.',
      { absolutePath: true },
    ),
  },
  ['type'],
);

const rlimit = obj(
  'One resource limit set with setrlimit(2) before the process starts.',
  {
    type: str(
      'The limit, as in <sys/resource.h>: `RLIMIT_NOFILE`, `RLIMIT_NPROC`, `RLIMIT_CORE`, …',
      {
        pattern: /^RLIMIT_[A-Z]+$/,
        patternHint: 'RLIMIT_ followed by the limit name in capitals, e.g. RLIMIT_NOFILE',
      },
    ),
    soft: uint64('The soft limit: what the process gets; it may raise it up to `hard`.'),
    hard: uint64('The hard limit: the ceiling an unprivileged process cannot raise.'),
  },
  ['type', 'soft', 'hard'],
);

const cpuList: Partial<FieldSchema> = {
  pattern: /^[0-9, -]*$/,
  patternHint: 'CPU numbers and ranges such as "0-3,7"',
};

const capabilitySet = (which: string) =>
  strings(
    `${which} Capability names as in capabilities(7), with the \`CAP_\` prefix (e.g. \`CAP_NET_BIND_SERVICE\`).`,
    'A capability, e.g. `CAP_CHOWN`.',
  );

const process = obj(
  'The program the container runs as its first process (PID 1 of a new PID namespace). Needed to start a container; a spec without it can only be created.',
  {
    terminal: bool(
      'Give the process a pseudo-terminal: its stdio and controlling terminal, also bound on `/dev/console` (the runtime sends the pty master to the console socket; Bindery keeps it and relays typing, output and resizes). Default false: stdio is passed through.',
    ),
    consoleSize: obj(
      'Initial size of the terminal, in characters (applied when both are non-zero; a client with a terminal of its own resizes it to that).',
      { height: uint64('Rows.'), width: uint64('Columns.') },
      ['height', 'width'],
    ),
    user: obj(
      'Who the process runs as, inside the container (ids are translated when there is a user namespace).',
      {
        uid: uint32('User id. REQUIRED by the spec on Linux; 0 is root inside the container.'),
        gid: uint32('Primary group id.'),
        umask: uint32(
          "File mode creation mask, in decimal (18 = 0022). Unset: the runtime's default, usually 0022.",
        ),
        additionalGids: arr('Supplementary group ids (setgroups(2)).', uint32('A group id.')),
        username: str('Windows only; ignored on Linux.'),
      },
    ),
    args: strings(
      "The command and its arguments, like execvp(3)'s argv: the first element is the program, searched in `PATH` from `env` when it has no `/`. At least one element.",
      'One argument.',
    ),
    commandLine: str('Windows only: the whole command line as one string. Ignored on Linux.'),
    env: strings(
      'Environment variables as `NAME=value` strings. Nothing is inherited from the runtime: set `PATH` yourself.',
      '`NAME=value`.',
    ),
    cwd: str(
      'Working directory of the process inside the container; must be absolute. Resolved after the mounts, so it can be a mount point.',
      { absolutePath: true, example: '/' },
    ),
    capabilities: obj(
      'Linux capabilities of the process, set by set. Omitted sets are empty; runc and crun both start from nothing, so list every capability you want in `bounding`, `permitted` and `effective`.',
      {
        bounding: capabilitySet('The bounding set: capabilities the process can ever gain.'),
        effective: capabilitySet('The effective set: what the kernel checks right now.'),
        inheritable: capabilitySet(
          'The inheritable set: kept across execve(2) together with file capabilities.',
        ),
        permitted: capabilitySet('The permitted set: what the process may make effective.'),
        ambient: capabilitySet(
          'The ambient set: kept across execve(2) of ordinary programs (needs permitted and inheritable too).',
        ),
      },
    ),
    rlimits: arr('Resource limits (setrlimit(2)). Each `type` at most once.', rlimit),
    noNewPrivileges: bool(
      'Set `no_new_privs`: setuid binaries and file capabilities no longer raise privileges. Recommended.',
    ),
    apparmorProfile: str(
      'AppArmor profile to run the process under (e.g. `docker-default`), loaded on the host: written as `exec <profile>` to /proc/thread-self/attr right before execve. A host without AppArmor refuses it (runc too).',
    ),
    oomScoreAdj: int(
      'Value written to /proc/self/oom_score_adj, from -1000 (never OOM-killed) to 1000 (killed first).',
      -1000,
      1000,
    ),
    selinuxLabel: str(
      'SELinux process label, e.g. `system_u:system_r:container_t:s0`: written to /proc/thread-self/attr/exec right before execve. A host without SELinux refuses it (runc too).',
    ),
    ioPriority: obj(
      'I/O scheduling class and priority (ioprio_set(2)).',
      {
        class: str('`IOPRIO_CLASS_RT`, `IOPRIO_CLASS_BE` or `IOPRIO_CLASS_IDLE`.', {
          enum: ['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE'],
        }),
        priority: int('Priority inside the class, 0 (highest) to 7.', 0, 7),
      },
      ['class'],
    ),
    scheduler: obj(
      'Scheduling policy (sched_setattr(2)).',
      {
        policy: str('The policy.', {
          enum: [
            'SCHED_OTHER',
            'SCHED_FIFO',
            'SCHED_RR',
            'SCHED_BATCH',
            'SCHED_ISO',
            'SCHED_IDLE',
            'SCHED_DEADLINE',
          ],
        }),
        nice: int('Nice value for SCHED_OTHER and SCHED_BATCH, -20 to 19.', -20, 19),
        priority: int('Static priority for SCHED_FIFO and SCHED_RR.', INT32_MIN, INT32_MAX),
        flags: arr(
          'SCHED_FLAG_* flags.',
          str('A flag.', {
            enum: [
              'SCHED_FLAG_RESET_ON_FORK',
              'SCHED_FLAG_RECLAIM',
              'SCHED_FLAG_DL_OVERRUN',
              'SCHED_FLAG_KEEP_POLICY',
              'SCHED_FLAG_KEEP_PARAMS',
              'SCHED_FLAG_UTIL_CLAMP_MIN',
              'SCHED_FLAG_UTIL_CLAMP_MAX',
            ],
          }),
        ),
        runtime: uint64('SCHED_DEADLINE runtime, in nanoseconds.'),
        deadline: uint64('SCHED_DEADLINE deadline, in nanoseconds.'),
        period: uint64('SCHED_DEADLINE period, in nanoseconds.'),
      },
      ['policy'],
    ),
    execCPUAffinity: obj('CPUs the process may run on, as lists like `0-3,7`.', {
      initial: str('Affinity while the runtime sets the process up.', cpuList),
      final: str('Affinity of the process once it runs the program.', cpuList),
    }),
  },
  ['cwd', 'args'],
);
process.properties!.args.minItems = 1;

const deviceCgroup = obj(
  'One device cgroup rule; rules apply in order and the last match wins. runc\'s default spec starts with `{"allow": false, "access": "rwm"}` (deny everything).',
  {
    allow: bool('Allow (true) or deny (false) the matching devices.'),
    type: str('`a` (all), `c` (character) or `b` (block).', { enum: ['a', 'c', 'b'] }),
    major: int64('Major number; omitted means any.'),
    minor: int64('Minor number; omitted means any.'),
    access: str('Any of `r` (read), `w` (write), `m` (mknod).', {
      pattern: /^[rwm]*$/,
      patternHint: 'letters r, w and m',
    }),
  },
  ['allow'],
);

/** S_IFMT: the file-type bits of a mode. */
export const S_IFMT = 0o170000;

/** A mode whose bits above the permissions are a file type (Docker once wrote S_IFCHR|0600). */
export function hasOnlyFileTypeBits(mode: number): boolean {
  return mode > 0o777 && mode <= 0o177777 && (mode & ~S_IFMT) <= 0o777;
}

const device = obj(
  "A device node the runtime creates in the container's /dev (and allows in the device cgroup).",
  {
    path: str('Where the node appears, e.g. `/dev/fuse`.', { absolutePath: true }),
    type: str('`c` (character), `b` (block), `u` (unbuffered character) or `p` (FIFO).', {
      enum: ['c', 'b', 'u', 'p'],
    }),
    major: int64('Major device number; required unless the type is `p`.'),
    minor: int64('Minor device number; required unless the type is `p`.'),
    fileMode: {
      ...int('Permissions of the node, in decimal (438 = 0666).', 0, 511),
      tolerated: hasOnlyFileTypeBits,
    },
    uid: uint32('Owner of the node.'),
    gid: uint32('Group of the node.'),
  },
  ['type', 'path'],
);

const seccompAction = str('What happens on a match.', {
  enum: [
    'SCMP_ACT_KILL',
    'SCMP_ACT_KILL_PROCESS',
    'SCMP_ACT_KILL_THREAD',
    'SCMP_ACT_TRAP',
    'SCMP_ACT_ERRNO',
    'SCMP_ACT_TRACE',
    'SCMP_ACT_ALLOW',
    'SCMP_ACT_LOG',
    'SCMP_ACT_NOTIFY',
  ],
});

const SECCOMP_ARCHITECTURES = [
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
];

const seccomp = obj(
  'A seccomp filter: system calls are matched against `syscalls`; anything else gets `defaultAction`.',
  {
    defaultAction: seccompAction,
    defaultErrnoRet: uint32(
      'errno returned by `SCMP_ACT_ERRNO` when no rule gives one (default EPERM).',
    ),
    architectures: arr(
      'Architectures the filter covers, e.g. `SCMP_ARCH_X86_64`.',
      str('An `SCMP_ARCH_*` name.', { enum: SECCOMP_ARCHITECTURES }),
    ),
    flags: arr(
      '`SECCOMP_FILTER_FLAG_*` flags for seccomp(2).',
      str('A flag.', {
        enum: [
          'SECCOMP_FILTER_FLAG_TSYNC',
          'SECCOMP_FILTER_FLAG_LOG',
          'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
          'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
        ],
      }),
    ),
    listenerPath: str('Unix socket that receives the notify fd for `SCMP_ACT_NOTIFY`.'),
    listenerMetadata: str('Opaque data sent to the listener.'),
    syscalls: arr(
      'Rules by system call name.',
      obj(
        'Calls named here get `action` (when the arguments match `args`).',
        {
          names: {
            ...strings('System call names, e.g. `mount`. At least one.', 'A system call name.'),
            minItems: 1,
          },
          action: seccompAction,
          errnoRet: uint32('errno for `SCMP_ACT_ERRNO`.'),
          args: arr(
            'Argument comparisons, all of which must match.',
            obj(
              'Compares one argument of the call.',
              {
                index: uint32('Which argument, from 0.'),
                value: uint64('The value compared with.'),
                valueTwo: uint64('The second value, for `SCMP_CMP_MASKED_EQ`.'),
                op: str('The comparison.', {
                  enum: [
                    'SCMP_CMP_NE',
                    'SCMP_CMP_LT',
                    'SCMP_CMP_LE',
                    'SCMP_CMP_EQ',
                    'SCMP_CMP_GE',
                    'SCMP_CMP_GT',
                    'SCMP_CMP_MASKED_EQ',
                  ],
                }),
              },
              ['index', 'value', 'op'],
            ),
          ),
        },
        ['names', 'action'],
      ),
    ),
  },
  ['defaultAction'],
);

const throttles = (doc: string) =>
  arr(
    doc,
    obj(
      'A rate limit for one device.',
      {
        major: int64('Major device number.'),
        minor: int64('Minor device number.'),
        rate: uint64('The limit.'),
      },
      ['major', 'minor'],
    ),
  );

const resources = obj(
  "cgroup limits for the container, applied by the runtime's cgroup manager (cgroupfs or systemd). Unset fields leave the parent's limits in force.",
  {
    devices: arr(
      'Device access rules (cgroup v1 devices controller; an eBPF program on cgroup v2).',
      deviceCgroup,
    ),
    memory: obj('Memory limits, in bytes.', {
      limit: int64('Memory limit; -1 means unlimited.'),
      reservation: int64('Soft limit (memory.low / soft_limit_in_bytes).'),
      swap: int64('Memory plus swap limit; -1 means unlimited.'),
      kernel: int64('Kernel memory limit (cgroup v1, deprecated).'),
      kernelTCP: int64('Kernel TCP buffer limit (cgroup v1).'),
      swappiness: uint64('Swappiness, 0 to 100 (cgroup v1).'),
      disableOOMKiller: bool('Disable the OOM killer for the container (cgroup v1).'),
      useHierarchy: bool('Hierarchical accounting (cgroup v1).'),
      checkBeforeUpdate: bool('Refuse an update that lowers the limit below current usage.'),
    }),
    cpu: obj('CPU shares, quota/period, real-time budget and `cpus`/`mems` sets.', {
      shares: uint64('Relative CPU weight (cgroup v1 shares).'),
      quota: int64('CPU time per period, in microseconds; -1 means unlimited.'),
      burst: uint64('Extra CPU time a period may borrow, in microseconds.'),
      period: uint64('The period of `quota`, in microseconds.'),
      realtimeRuntime: int64('Real-time CPU time per period, in microseconds.'),
      realtimePeriod: uint64('The period of `realtimeRuntime`, in microseconds.'),
      cpus: str('CPUs the container may use, e.g. `0-3,7`.'),
      mems: str('Memory nodes the container may use, e.g. `0-1`.'),
      idle: int64('1 makes the cgroup SCHED_IDLE.'),
    }),
    pids: obj(
      'Process count limit.',
      { limit: int64('Maximum number of tasks; -1 or 0 means no limit.') },
      ['limit'],
    ),
    blockIO: obj('Block I/O weights and throttles.', {
      weight: uint16('Relative I/O weight.'),
      leafWeight: uint16('Weight of the tasks of this cgroup against its children (cgroup v1).'),
      weightDevice: arr(
        'Per-device weights.',
        obj(
          'A weight for one device.',
          {
            major: int64('Major device number.'),
            minor: int64('Minor device number.'),
            weight: uint16('Relative I/O weight.'),
            leafWeight: uint16('Leaf weight (cgroup v1).'),
          },
          ['major', 'minor'],
        ),
      ),
      throttleReadBpsDevice: throttles('Read bytes per second, per device.'),
      throttleWriteBpsDevice: throttles('Write bytes per second, per device.'),
      throttleReadIOPSDevice: throttles('Read operations per second, per device.'),
      throttleWriteIOPSDevice: throttles('Write operations per second, per device.'),
    }),
    hugepageLimits: arr(
      'Huge page limits by page size.',
      obj(
        'The limit for one huge page size.',
        {
          pageSize: str('Page size, e.g. `2MB` or `1GB`.', {
            pattern: /^[1-9][0-9]*[KMG]B$/,
            patternHint: 'a size such as "2MB" or "1GB"',
          }),
          limit: uint64('Limit in bytes.'),
        },
        ['pageSize', 'limit'],
      ),
    ),
    network: obj('Network class id and interface priorities (cgroup v1).', {
      classID: uint32('net_cls class id of the container’s packets.'),
      priorities: arr(
        'Priority of the traffic per interface.',
        obj(
          'One interface priority.',
          { name: str('Interface name.'), priority: uint32('Its priority.') },
          ['name', 'priority'],
        ),
      ),
    }),
    rdma: map(
      'RDMA limits by device name.',
      obj('Limits for one RDMA device.', {
        hcaHandles: uint32('Maximum HCA handles.'),
        hcaObjects: uint32('Maximum HCA objects.'),
      }),
    ),
    unified: map(
      'cgroup v2 files to write, by name (e.g. `"memory.high": "1G"`).',
      str('Value written to the file.'),
    ),
  },
);

const timeOffset = (doc: string) =>
  obj(doc, {
    secs: int64('Seconds.'),
    nanosecs: uint32('Nanoseconds.'),
  });

const linux = obj('Linux-specific settings: namespaces, id mappings, cgroups, security.', {
  namespaces: arr(
    "The namespaces the container gets. Leaving one out shares the host's (e.g. no `network` entry means host networking).",
    namespace,
  ),
  uidMappings: arr(
    'User id ranges of the user namespace. Needs a `user` namespace; give gidMappings too.',
    idMapping,
  ),
  gidMappings: arr(
    'Group id ranges of the user namespace. Needs a `user` namespace; give uidMappings too.',
    idMapping,
  ),
  timeOffsets: obj('Clock offsets for a `time` namespace.', {
    boottime: timeOffset('Offset of CLOCK_BOOTTIME.'),
    monotonic: timeOffset('Offset of CLOCK_MONOTONIC.'),
  }),
  devices: arr("Device nodes created in the container's /dev.", device),
  netDevices: map(
    "Host network interfaces moved into the container's network namespace, by host name.",
    obj('Where the interface goes.', { name: str('Its name inside the container.') }),
  ),
  cgroupsPath: str(
    "cgroup of the container: a path (relative to the runtime's cgroup root, or absolute), or `slice:prefix:name` with the systemd cgroup driver.",
  ),
  resources,
  rootfsPropagation: str(
    "Propagation of the container's mount tree: `private`, `shared`, `slave` or `unbindable`. When unset the mount tree is made recursively private, so nothing mounted in the container leaks to the host. The `r` forms (`rprivate`, …) are not in the spec but runc, crun and containerd accept them.",
    {
      enum: [
        'private',
        'shared',
        'slave',
        'unbindable',
        'rprivate',
        'rshared',
        'rslave',
        'runbindable',
      ],
    },
  ),
  seccomp,
  sysctl: map(
    'Kernel parameters set inside the container, e.g. `"net.ipv4.ip_forward": "1"`. Only namespaced ones are allowed: runc refuses host-wide sysctls.',
    str('Value, always a string.'),
  ),
  maskedPaths: strings(
    'Paths made unreadable in the container: a read-only empty tmpfs on directories, /dev/null bound on files. Absolute paths; missing ones are skipped.',
    'An absolute container path.',
  ),
  readonlyPaths: strings(
    'Paths bind-mounted read-only on themselves in the container (e.g. `/proc/sys`). Absolute paths; missing ones are skipped.',
    'An absolute container path.',
  ),
  mountLabel: str(
    "SELinux label for the container's mounts (runc adds it as `context=` to mounts that accept data).",
  ),
  intelRdt: obj('Intel RDT (resctrl) cache and memory bandwidth settings.', {
    closID: str('resctrl group (class of service) of the container.'),
    schemata: strings('Lines written to the group’s schemata file.'),
    l3CacheSchema: str('L3 cache allocation, e.g. `L3:0=ffff0`.'),
    memBwSchema: str('Memory bandwidth allocation, e.g. `MB:0=20`.', {
      pattern: /^MB:[^\n]*$/,
      patternHint: 'a line starting with "MB:"',
    }),
    enableMonitoring: bool('Create a monitoring group for the container.'),
  }),
  memoryPolicy: obj('NUMA memory policy (set_mempolicy(2)).', {
    mode: str('The policy.', {
      enum: [
        'MPOL_DEFAULT',
        'MPOL_BIND',
        'MPOL_INTERLEAVE',
        'MPOL_WEIGHTED_INTERLEAVE',
        'MPOL_PREFERRED',
        'MPOL_PREFERRED_MANY',
        'MPOL_LOCAL',
      ],
    }),
    nodes: str('Memory nodes, e.g. `0-1`.'),
    flags: arr(
      'Mode flags.',
      str('A flag.', {
        enum: ['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'],
      }),
    ),
  }),
  personality: obj('Execution domain (personality(2)).', {
    domain: str('`LINUX` or `LINUX32`.', { enum: ['LINUX', 'LINUX32'] }),
    flags: strings('Personality flags.'),
  }),
});

export const SPEC_SCHEMA: FieldSchema = obj(
  'An OCI runtime configuration (`config.json`): what a runtime such as runc or crun needs to create a container from the bundle.',
  {
    ociVersion: str(
      'Version of the runtime specification this file follows, in SemVer, e.g. `1.2.0`. Specs are compatible within a major version, so a 1.x runtime reads any 1.x file.',
      {
        example: '1.2.0',
        // SemVer 2.0.0's own grammar (the spec says the version MUST be SemVer).
        pattern:
          /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(-(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(\.(0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*)?(\+[0-9a-zA-Z-]+(\.[0-9a-zA-Z-]+)*)?$/,
        patternHint: 'a SemVer 2.0.0 version such as "1.2.0" (the spec says MUST)',
        patternFix: (v) => {
          const m = /^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v);
          return m ? `${Number(m[1])}.${Number(m[2] ?? 0)}.${Number(m[3] ?? 0)}` : undefined;
        },
      },
    ),
    root: obj(
      "The container's root filesystem.",
      {
        path: str(
          'Directory that becomes `/`. A relative path is relative to the bundle directory; the spec recommends `rootfs`. It must exist and not be a symlink.',
          { example: 'rootfs' },
        ),
        readonly: bool(
          'Make the root filesystem read-only (done after all mounts, so mounts on top stay writable unless they say `ro`). Default false.',
        ),
      },
      ['path'],
    ),
    mounts: arr(
      'Mounts, in the order they are applied. runc and crun mount only what is listed here (plus the /dev device nodes); Bindery adds /proc, /sys, /dev, /dev/pts, /dev/shm, /dev/mqueue and the network files when missing and marks them as added in the plan, so writing a mount here overrides the default.',
      mount,
    ),
    process,
    hostname: str(
      'Hostname inside the container. Needs a `uts` namespace: runc, crun and youki refuse it otherwise.',
    ),
    domainname: str('NIS domain name inside the container. Needs a `uts` namespace.'),
    hooks: obj("Programs run at points of the container's lifecycle.", {
      prestart: hooks(
        'Deprecated: run in the runtime namespace after the container is created, before pivot_root. Use createRuntime.',
      ),
      createRuntime: hooks(
        'Run in the runtime namespace once the namespaces exist, before pivot_root.',
      ),
      createContainer: hooks('Run in the container namespace, before pivot_root.'),
      startContainer: hooks('Run in the container, just before the process is executed.'),
      poststart: hooks('Run in the runtime namespace after the process has started.'),
      poststop: hooks('Run in the runtime namespace after the container is deleted.'),
    }),
    annotations: map(
      'Free-form metadata as string pairs; keys are usually reverse-domain names (`org.example.key`). Runtimes pass them on without acting on them.',
      str('Annotation value.'),
    ),
    linux,
    solaris: open('Solaris settings; ignored on Linux.'),
    windows: open('Windows settings; ignored on Linux.'),
    vm: open('Settings for VM-based runtimes; ignored by runc and crun.'),
    zos: open('z/OS settings; ignored on Linux.'),
    freebsd: open('FreeBSD settings; ignored on Linux.'),
  },
  ['ociVersion'],
);

/** The schema of the value at `path` (array indices step into `items`), if Bindery knows it. */
export function schemaAt(
  path: JsonPath,
  schema: FieldSchema = SPEC_SCHEMA,
): FieldSchema | undefined {
  let cur: FieldSchema | undefined = schema;
  for (const seg of path) {
    if (!cur) return undefined;
    if (typeof seg === 'number') cur = cur.items;
    else cur = cur.properties?.[seg] ?? cur.values;
  }
  return cur;
}
