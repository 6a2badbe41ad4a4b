// The contract of the mount plan: what `planBundle` takes and returns.
//
// The plan is the one truth shared by the language server (findings → diagnostics,
// operations → hover), the CLI (`bindery validate` / `bindery plan`) and the helper
// (executes the operations, refuses a plan with errors). It carries no LSP, VS Code or
// koffi types: positions and ranges are plain objects shaped like LSP's so the server can
// pass them through unchanged.

import type { IdMapping, LaunchSpec } from './launchSpec';
import type { CgroupDeviceRules, CgroupHierarchy, CgroupWrite } from './cgroupPlan';
import type { ExecLabelOp } from './execLabelPlan';
import type { ProcessAttrOp } from './processAttrPlan';
import type { SeccompFilter } from './seccompPlan';
import type { OomScoreAdjWrite, SysctlWrite } from './sysctlPlan';
import type { SpecDocument } from './document';
import type { PlanMemo } from './planMemo';

/** 0-based line and UTF-16 character offset, as in LSP. */
export interface Position {
  line: number;
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export type Severity = 'error' | 'warning' | 'information' | 'hint';

/** Path of a node in the spec document, e.g. `['mounts', 3, 'options', 1]`. */
export type JsonPath = (string | number)[];

export interface TextEdit {
  range: Range;
  newText: string;
}

/** A ready-to-apply correction for a finding (a quick fix in the editor). */
export interface Fix {
  title: string;
  edits: TextEdit[];
  /** The fix a user most likely wants; the editor may apply it with one key. */
  preferred?: boolean;
}

/** Another place in the document that explains a finding (the mount that hides this one…). */
export interface RelatedPlace {
  message: string;
  range: Range;
}

/** One rule the spec breaks, placed on the token that breaks it. */
export interface Finding {
  /** Stable, kebab-case, never renamed once shipped (e.g. `bind-without-bind-option`). */
  code: string;
  severity: Severity;
  /** Names the entry (`mounts[3] (/data)`) and says what to do. */
  message: string;
  range: Range;
  /** The offending node; `[]` for the document as a whole. */
  path: JsonPath;
  related?: RelatedPlace[];
  fixes?: Fix[];
  /**
   * Set on a warning about something the spec may do but Bindery cannot run yet (a user
   * namespace, joining a PID namespace…): the spec is fine for runc or crun, so it is not
   * an error, yet the helper refuses to launch it. See `launchRefusals`.
   */
  blocksLaunch?: true;
}

/** Where an operation or a normalised mount comes from. */
export type Origin =
  | {
      kind: 'spec';
      /** JSON path of the spec entry, e.g. `['mounts', 3]` or `['linux', 'maskedPaths', 0]`. */
      path: JsonPath;
      /** Index in `mounts` when the entry is a mount. */
      mountIndex?: number;
      range: Range;
    }
  | {
      kind: 'added';
      /** Why the runtime adds it, in words a user understands ("runc mounts /dev/pts when …"). */
      reason: string;
    };

/** Names of mount(2) flags, as in <sys/mount.h>. Values live in `flags.ts`. */
export type MsFlag =
  | 'MS_RDONLY'
  | 'MS_NOSUID'
  | 'MS_NODEV'
  | 'MS_NOEXEC'
  | 'MS_SYNCHRONOUS'
  | 'MS_REMOUNT'
  | 'MS_MANDLOCK'
  | 'MS_DIRSYNC'
  | 'MS_NOSYMFOLLOW'
  | 'MS_NOATIME'
  | 'MS_NODIRATIME'
  | 'MS_BIND'
  | 'MS_MOVE'
  | 'MS_REC'
  | 'MS_SILENT'
  | 'MS_UNBINDABLE'
  | 'MS_PRIVATE'
  | 'MS_SLAVE'
  | 'MS_SHARED'
  | 'MS_RELATIME'
  | 'MS_I_VERSION'
  | 'MS_STRICTATIME'
  | 'MS_LAZYTIME';

/** Names of mount_setattr(2) attributes (MOUNT_ATTR_*). Values live in `flags.ts`. */
export type MountAttr =
  | 'MOUNT_ATTR_RDONLY'
  | 'MOUNT_ATTR_NOSUID'
  | 'MOUNT_ATTR_NODEV'
  | 'MOUNT_ATTR_NOEXEC'
  | 'MOUNT_ATTR__ATIME'
  | 'MOUNT_ATTR_RELATIME'
  | 'MOUNT_ATTR_NOATIME'
  | 'MOUNT_ATTR_STRICTATIME'
  | 'MOUNT_ATTR_NODIRATIME'
  | 'MOUNT_ATTR_IDMAP'
  | 'MOUNT_ATTR_NOSYMFOLLOW';

/**
 * Paths in operations:
 * - `host`: a path on the host, before pivot_root (bind sources, the rootfs itself);
 * - `rootfs`: a path inside the container's root, resolved by the helper under the rootfs
 *   without following a symlink out of it (mount targets before pivot_root);
 * - `container`: a path in the container after pivot_root (masked and read-only paths).
 */
export type PathScope = 'host' | 'rootfs' | 'container';

interface OperationBase {
  origin: Origin;
}

/** The arguments of one mount(2) call. `target` is in `targetScope`; a bind `source` is a host path. */
export interface MountCall {
  source: string | null;
  target: string;
  targetScope: PathScope;
  fstype: string | null;
  flags: MsFlag[];
  /** The filesystem data string, comma-joined; '' when none. */
  data: string;
}

/**
 * mount(2): a filesystem or a bind, a propagation change, a remount. Build it with the
 * constructors in `operationConstructors.ts`.
 */
export interface MountOp extends OperationBase, MountCall {
  op: 'mount';
  /** A tmpfs over an existing directory: `mode=` of that directory goes first in `data` (runc). */
  keepTargetMode?: true;
  /**
   * The bind of the rootfs onto itself: the mount that becomes the container's root. The
   * runtime re-opens the root after it, and for a non-root requester checks that the
   * requester owns what is mounted.
   */
  becomesRoot?: true;
  /**
   * Whose rights open the bind source: 'requester' for a plan made for a non-root requester
   * (the kernel then checks the requester's uid, gid and groups on the very object that is
   * mounted); absent: the runtime's own (root's).
   */
  sourceAccess?: 'requester';
  /**
   * An id-mapped bind (`idmap`, `ridmap`, or the mount's own uidMappings/gidMappings), as
   * runc 1.2 makes it: the source cloned as a detached mount (open_tree OPEN_TREE_CLONE,
   * AT_RECURSIVE when MS_REC), given the mapping of a user namespace (mount_setattr
   * MOUNT_ATTR_IDMAP, AT_RECURSIVE for `ridmap`) and moved onto the target (move_mount)
   * instead of mount(2).
   */
  idmap?: MountIdmap;
}

/**
 * Whose ids an id-mapped mount shows: the mapping's user namespace is made from `uidMappings`
 * and `gidMappings` (the mount's own, else the container's), or is the one the container
 * joins (`usernsPath`). An id `containerID + n` on disk appears as `hostID + n`.
 */
export type MountIdmap = { recursive: boolean } & (
  | { uidMappings: IdMapping[]; gidMappings: IdMapping[] }
  | { usernsPath: string }
);

/**
 * runc's rootfsParentMountPrivate, before the rootfs is bound: when the mount holding the
 * rootfs is shared, make it private, so that nothing mounted for the container propagates
 * to the host and pivot_root accepts it. Nothing happens when it is not shared.
 */
export interface RootfsParentPrivateOp extends OperationBase {
  op: 'rootfs-parent-private';
  rootfs: string;
}

/**
 * One step of linux.readonlyPaths (runc's readonlyPath), in the container after pivot_root:
 * the path bound onto itself, then that bind remounted read-only keeping the flags it has
 * (nosuid, nodev, noexec, atime). A path the container does not have is skipped.
 */
export interface ReadonlyPathOp extends OperationBase, MountCall {
  op: 'readonly-path';
  step: 'bind' | 'remount';
}

/**
 * One entry of linux.maskedPaths, in the container after pivot_root. `cover` is what the
 * plan expects the path to need: '/dev/null' bound over a file, an empty tmpfs with
 * `tmpfsFlags` over a directory. Like runc (which tries the bind and falls back on
 * ENOTDIR), the other cover is used when the path turns out to be the other kind; a path
 * the container does not have is skipped.
 */
export interface MaskOp extends OperationBase {
  op: 'mask';
  target: string;
  targetScope: 'container';
  cover: 'dev-null' | 'tmpfs';
  tmpfsFlags: MsFlag[];
}

/** mount_setattr(2) with AT_RECURSIVE on `target`. */
export interface SetattrOp extends OperationBase {
  op: 'setattr';
  target: string;
  targetScope: PathScope;
  attrSet: MountAttr[];
  attrClr: MountAttr[];
  recursive: boolean;
}

/** Create the directory (and missing parents) a mount lands on, inside the rootfs. */
export interface MkdirOp extends OperationBase {
  op: 'mkdir';
  path: string;
  mode: number;
}

/** Create an empty regular file a file bind mount lands on, inside the rootfs. */
export interface MkfileOp extends OperationBase {
  op: 'mkfile';
  path: string;
  mode: number;
}

/** symlink(2) inside the rootfs, e.g. /dev/fd → /proc/self/fd. */
export interface SymlinkOp extends OperationBase {
  op: 'symlink';
  /** What the link points at (its content). */
  linkTarget: string;
  /** Where the link is created, inside the rootfs. */
  path: string;
}

/** tmpcopyup: copy what the rootfs had at `path` into the tmpfs just mounted there. */
export interface CopyUpOp extends OperationBase {
  op: 'copyup';
  path: string;
}

/**
 * Create a device node inside the rootfs (runc's createDevices). In a user namespace, where
 * mknod is not allowed, the helper creates an empty file and bind-mounts the host's node
 * instead; the plan then holds an mkfile and a bind mount rather than this step.
 */
export interface MknodOp extends OperationBase {
  op: 'mknod';
  path: string;
  /** c = character, b = block, p = FIFO, u = unbuffered character (as in the spec). */
  deviceType: 'c' | 'b' | 'p' | 'u';
  major: number;
  minor: number;
  /** Permission bits (the spec's fileMode, default 0666). */
  fileMode: number;
  uid: number;
  gid: number;
}

/** The files the runtime writes for a container's /etc and binds in (Docker's behaviour). */
export type NetworkFile = 'hosts' | 'hostname' | 'resolv.conf';

/** Write a network file into the container's state directory before it is bind-mounted. */
export interface WriteNetworkFileOp extends OperationBase {
  op: 'write-network-file';
  file: NetworkFile;
  /** Host path of the file in the state directory (the bind source of its mount). */
  hostPath: string;
}

export interface SetHostnameOp extends OperationBase {
  op: 'sethostname' | 'setdomainname';
  name: string;
}

/** pivot_root(2) into the rootfs, then detach the old root. */
export interface PivotRootOp extends OperationBase {
  op: 'pivot-root';
  rootfs: string;
}

/**
 * chroot(2) into the rootfs, for a spec without a mount namespace (runc 1.1's chroot):
 * pivot_root would swap the host's root, so the old root stays and is only out of sight.
 */
export interface ChrootOp extends OperationBase {
  op: 'chroot';
  rootfs: string;
}

/**
 * Load linux.seccomp's filter into the container's process: as the last step before execve
 * (with noNewPrivileges), or before the capabilities drop without it (loading a filter then
 * needs CAP_SYS_ADMIN), as runc does. It runs in the process set-up, not among the mounts.
 */
export interface SeccompOp extends OperationBase {
  op: 'seccomp';
  filter: SeccompFilter;
  beforeExecve: boolean;
  /**
   * With an SCMP_ACT_NOTIFY rule: the filter is loaded with a new listener, whose fd goes to
   * the unix socket at `path` (host path, resolved against the bundle) with SCM_RIGHTS and
   * runc's container process state (`metadata` included), as runc sends it to a seccomp agent.
   */
  listener?: SeccompListener;
}

/** linux.seccomp.listenerPath and listenerMetadata, for a filter that notifies. */
export interface SeccompListener {
  path: string;
  metadata?: string;
}

/** Write a kernel parameter in the container's namespaces (/proc/sys/…), after pivot_root. */
export type SysctlOp = SysctlWrite & OperationBase;
/** Write the init's own /proc/self/oom_score_adj, first (the process inherits it). */
export type OomScoreAdjOp = OomScoreAdjWrite & OperationBase;

/**
 * The container's own cgroup: the launcher creates a directory in every hierarchy, moves the
 * init in before it unshares anything, writes the limits, and removes them at teardown.
 */
export interface CgroupOp extends OperationBase {
  op: 'cgroup';
  hierarchies: CgroupHierarchy[];
  writes: CgroupWrite[];
  /** On a pure cgroup2 host: the device list an eBPF program (BPF_CGROUP_DEVICE) enforces, as runc's. */
  devices?: CgroupDeviceRules;
}

/**
 * Check the container's mount table (after the lock of a non-root requester's plan): every
 * mount has nosuid and nodev, except the targets listed, which may keep dev (the runtime's
 * own /dev tmpfs and devpts hold only the device nodes the runtime made).
 */
export interface CheckMountFlagsOp extends OperationBase {
  op: 'check-mount-flags';
  devAllowed: string[];
}

/**
 * process.terminal: a pseudo-terminal opened through the container's own `/dev/ptmx` after
 * pivot_root (so it lives in the container's devpts), sized by process.consoleSize, its
 * slave bound onto `/dev/console` and given to the process as stdio and controlling
 * terminal; the master goes to whoever launched the container (the helper, or an engine's
 * console socket). runc's setupConsole, at the same place in the order.
 */
export interface ConsoleOp extends OperationBase {
  op: 'console';
  ptmx: string;
  /** Where the slave is bound ('/dev/console'). */
  path: string;
  /** process.consoleSize when both are non-zero (runc ignores it otherwise). */
  size?: { rows: number; cols: number };
}

/**
 * personality(2), ioprio_set(2) or sched_setattr(2) for the container's process: made by the
 * process set-up before the capabilities drop and the seccomp filter, inherited across execve.
 */
export type ProcessAttrOperation = ProcessAttrOp & OperationBase;
/**
 * The AppArmor profile or SELinux label the process gets at execve: written by the process
 * set-up into the init thread's /proc/thread-self/attr file, after every other step.
 */
export type ExecLabelOperation = ExecLabelOp & OperationBase;
/** The six points of the lifecycle where the spec's hooks run (runtime-spec config.md, "POSIX-platform Hooks"). */
export type HookKind =
  | 'prestart'
  | 'createRuntime'
  | 'createContainer'
  | 'startContainer'
  | 'poststart'
  | 'poststop';

/**
 * Run one of the spec's hooks with the container's state as JSON on its stdin. `runsIn`
 * says whose namespaces and which process: 'runtime' hooks are run by the launcher on the
 * host (prestart, createRuntime, poststart, poststop), 'container' hooks by the container's
 * init (createContainer in its namespaces before pivot_root, startContainer after the
 * process set-up, with its path looked up inside the container), as runc 1.1 does.
 */
export interface HookOp extends OperationBase {
  op: 'hook';
  kind: HookKind;
  /** Index in `hooks.<kind>`. */
  index: number;
  path: string;
  /** argv as written, argv[0] included; empty: the program gets [path]. */
  args: string[];
  /** The hook's whole environment; undefined: the runtime's own (Go's exec.Cmd with a nil Env, as runc). */
  env?: string[];
  /** Seconds before the hook is killed and counts as failed; undefined: no limit. */
  timeoutSeconds?: number;
  runsIn: 'runtime' | 'container';
  /** A failure aborts the launch and tears the container down; otherwise it is a warning. */
  fatal: boolean;
}

export type Operation =
  | ConsoleOp
  | HookOp
  | CheckMountFlagsOp
  | ProcessAttrOperation
  | ExecLabelOperation
  | CgroupOp
  | SysctlOp
  | OomScoreAdjOp
  | SeccompOp
  | MountOp
  | RootfsParentPrivateOp
  | ReadonlyPathOp
  | MaskOp
  | SetattrOp
  | MkdirOp
  | MkfileOp
  | SymlinkOp
  | CopyUpOp
  | MknodOp
  | WriteNetworkFileOp
  | SetHostnameOp
  | PivotRootOp
  | ChrootOp;

/** What the options of one mount mean, the way runc reads them. */
export interface ParsedOptions {
  /** Flags set and cleared by the options, in runc's table. */
  flagsSet: MsFlag[];
  flagsClear: MsFlag[];
  /** Propagation changes, in order (each e.g. ['MS_REC', 'MS_PRIVATE']). */
  propagation: MsFlag[][];
  /** Recursive attributes (rro, rnosuid, …) for mount_setattr. */
  attrSet: MountAttr[];
  attrClr: MountAttr[];
  /** Filesystem data options, in order. */
  data: string[];
  tmpcopyup: boolean;
  idmap: 'none' | 'idmap' | 'ridmap';
}

/** A mount after normalisation: what the options really mean, the way runc reads them. */
export interface NormalizedMount extends ParsedOptions {
  /** Index in the spec's `mounts`, or null for a mount the runtime adds. */
  index: number | null;
  origin: Origin;
  destination: string;
  type: string;
  /** As written; for binds, also see `hostSource`. */
  source: string;
  /** For bind mounts: the absolute host path (relative sources resolved against the bundle). */
  hostSource?: string;
  bind: boolean;
  recursive: boolean;
}

/**
 * What the planner may ask about the host. Paths are absolute host paths. No method
 * follows a symlink in the last component (lstat semantics); intermediate components are
 * followed as the kernel would.
 */
export interface HostView {
  lstat(path: string): HostEntry | null;
  /** Names in a directory, or null when it is not a readable directory. */
  readdir(path: string): string[] | null;
  /** `uname -r`, for options that need a recent kernel; undefined when unknown. */
  kernelRelease?: string;
  /**
   * The first `maxBytes` of a regular file as UTF-8 (symlinks followed, as open(2) would),
   * or null when it cannot be read. Optional: checks that need contents are skipped without it.
   */
  readFile?(path: string, maxBytes: number): string | null;
  /**
   * Whether whoever this view stands for may read `path` itself (a directory: read and
   * search it): true, or why not, in words. Optional: without it the runtime's check (the
   * kernel's, on the opened source) is the only one.
   */
  readable?(path: string): true | string;
}

export interface HostEntry {
  type: 'file' | 'directory' | 'symlink' | 'other';
  /** For symlinks: what they point at. */
  linkTarget?: string;
}

/**
 * Who asks for the plan: the plan is made for them, and the helper runs it for them. Root
 * may run any valid spec; anyone else only what their own account could do (see
 * `requester.ts`).
 */
export interface Requester {
  uid: number;
  gid: number;
  /** Supplementary groups. */
  groups: readonly number[];
  /** The requester's own hard rlimits by name (RLIMIT_NOFILE…), Infinity for unlimited. */
  hardLimits?: Readonly<Record<string, number>>;
}

export interface PlanInput {
  /**
   * Who the plan is for; root when absent. For anyone else `host` must answer as that
   * requester would see the host (the daemon plans with the requester's credentials).
   */
  requester?: Requester;
  /** The text of config.json (JSON; comments and trailing commas are tolerated and flagged). */
  text: string;
  /** Absolute path of the bundle directory: relative `root.path` and bind sources resolve here. */
  bundleDir: string;
  host: HostView;
  /** For messages; defaults to 'config.json'. */
  fileName?: string;
  /** The container's state directory on the host, where network files are written. */
  stateDir?: string;
  /**
   * `text` already parsed (parseSpec(text, fileName)) by a caller that needs the positions
   * too, e.g. the language server: the plan reads it instead of parsing the text again.
   */
  document?: SpecDocument;
  /**
   * Findings of the previous plan of the same document, reused where an edit did not touch
   * what a rule reads (see planMemo.ts). Only for a process planning its own text again and
   * again (the language server); the helper plans every launch from scratch.
   */
  memo?: PlanMemo;
}

export interface Plan {
  /** Every mount in the order it is applied, the runtime's additions included. */
  mounts: NormalizedMount[];
  /** What the helper does, in order. Empty when the spec could not be parsed at all. */
  operations: Operation[];
  findings: Finding[];
  /** Absolute host path of the rootfs, when `root.path` is usable. */
  rootfs?: string;
  /**
   * The process, namespaces and names the helper launches with; present only when the spec
   * is launchable (no error finding). The helper reads nothing else from config.json.
   */
  launch?: LaunchSpec;
  /** Who the plan was made for; root when absent. */
  requester?: Requester;
}
