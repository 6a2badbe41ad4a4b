// The one door between the runtime and the kernel.
//
// Every privileged step the runtime takes goes through this interface, so that the whole
// mount sequence can be unit-tested with a recording fake (recordingSyscalls.ts) and the
// real implementation (koffiSyscalls.ts, the only file that loads koffi) stays a thin,
// checked wrapper. Calls never throw for a kernel error: they return a result carrying the
// errno name, and the caller decides what a person should be told.

import { S_IFMT, type SchedAttr, type SeccompFilter } from '@bindery/plan';

export type SysResult<T = void> =
  { ok: true; value: T } | { ok: false; errno: string; call: string };

export function ok<T>(value: T): SysResult<T> {
  return { ok: true, value };
}

export const OK: SysResult<void> = { ok: true, value: undefined };

/** What sched_setattr(2) sets: a SchedAttr without the names the plan gives it. */
export type ThreadScheduling = Pick<
  SchedAttr,
  'policyValue' | 'flagsValue' | 'nice' | 'priority' | 'runtime' | 'deadline' | 'period'
>;

export interface FileStat {
  /** st_mode, file type bits included. */
  mode: number;
  uid: number;
  gid: number;
  /** Device number of a character or block device (st_rdev). */
  rdev: number;
  /** Device and inode, to tell whether two paths are the same file. */
  dev: number;
  ino: number;
}

export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
}

/**
 * What the container's init needs (init.ts, rootfs.ts, processSetup.ts and the OCI init):
 * mounts, files inside the rootfs, namespaces and the process set-up.
 */
export interface InitSyscalls {
  // --- mounts -----------------------------------------------------------------------
  mount(
    source: string | null,
    target: string,
    fstype: string | null,
    flags: number,
    data: string | null,
  ): SysResult;
  umount2(target: string, flags: number): SysResult;
  /**
   * mount_setattr(2) on `dirfd`+`path` (AT_EMPTY_PATH when path is ''); `usernsFd`: the
   * user namespace whose mapping MOUNT_ATTR_IDMAP applies.
   */
  mountSetattr(
    dirfd: number,
    path: string,
    flags: number,
    attrSet: number,
    attrClr: number,
    propagation: number,
    usernsFd?: number,
  ): SysResult;
  /** open_tree(2): with OPEN_TREE_CLONE, a detached copy of the mount at `dirfd`+`path` (AT_EMPTY_PATH when path is ''). */
  openTree(dirfd: number, path: string, flags: number): SysResult<number>;
  /** move_mount(2) of the detached mount `fromFd` onto the inode `toFd` is open on (both by fd). */
  moveMount(fromFd: number, toFd: number): SysResult;
  pivotRoot(newRoot: string, putOld: string): SysResult;
  chroot(path: string): SysResult;
  /** The MS_* flags the mount holding `fd` has now (fstatfs f_flags, translated). */
  mountFlags(fd: number): SysResult<number>;
  /** The filesystem's magic number (fstatfs f_type), e.g. PROC_SUPER_MAGIC. */
  filesystemType(fd: number): SysResult<number>;

  // --- whose rights file access is checked with ------------------------------------
  /**
   * Makes the kernel check this thread's file accesses as `id` (setfsuid, setfsgid and
   * this thread's supplementary groups; the filesystem capabilities drop with a non-zero
   * fsuid), or as the process's own identity again with `null`. Per thread: libuv's pool
   * threads keep root's rights, so only synchronous calls see the identity.
   */
  setFsIdentity(id: { uid: number; gid: number; groups: readonly number[] } | null): SysResult;
  /** faccessat2(fd, "", mode, AT_EMPTY_PATH|AT_EACCESS): may the current fs identity use it? */
  accessFd(fd: number, mode: number): SysResult;

  // --- files (all *at calls; paths are single components or relative to dirfd) ---------
  /** openat2(2) with a `resolve` mask (RESOLVE_IN_ROOT …). */
  openat2(
    dirfd: number,
    path: string,
    flags: number,
    mode: number,
    resolve: number,
  ): SysResult<number>;
  openat(dirfd: number, path: string, flags: number, mode: number): SysResult<number>;
  close(fd: number): SysResult;
  mkdirat(dirfd: number, name: string, mode: number): SysResult;
  mknodat(dirfd: number, name: string, mode: number, dev: number): SysResult;
  symlinkat(linkTarget: string, dirfd: number, name: string): SysResult;
  /** readlinkat(2): what the symlink `name` in `dirfd` points at (EINVAL when it is not one). */
  readlinkat(dirfd: number, name: string): SysResult<string>;
  fstat(fd: number): SysResult<FileStat>;
  fchmod(fd: number, mode: number): SysResult;
  /** fchownat(2) with AT_SYMLINK_NOFOLLOW: `name` itself is never followed. */
  lchownat(dirfd: number, name: string, uid: number, gid: number): SysResult;
  /** Copy the tree under directory fd `from` into directory fd `to` (tmpcopyup), keeping modes and owners. */
  copyTree(from: number, to: number): SysResult;
  /**
   * Read a whole file of the current root (the host's /etc/resolv.conf before pivot_root,
   * the container's /etc/passwd after it); with `maxBytes`, at most that much (EFBIG past it).
   */
  readFile(path: string, maxBytes?: number): SysResult<string>;
  /** Create or replace a host file (the network files in the state directory), never through a symlink. */
  writeFile(path: string, content: string, mode: number): SysResult;
  /** write(2) all of `content` to an open fd (a /proc file: one write, as the kernel parses it whole). */
  writeFd(fd: number, content: string): SysResult;
  /** True when `path` (in the current root) is an executable regular file. */
  isExecutable(path: string): boolean;
  dup3(oldfd: number, newfd: number, flags: number): SysResult;
  closeRange(first: number, last: number, flags: number): SysResult;

  // --- namespaces and process ---------------------------------------------------------
  unshare(flags: number): SysResult;
  setns(fd: number, nstype: number): SysResult;
  chdir(path: string): SysResult;
  fchdir(fd: number): SysResult;
  sethostname(name: string): SysResult;
  setdomainname(name: string): SysResult;
  prctl(option: number, arg2: number, arg3?: number): SysResult<number>;
  /** The ids of the calling thread only (the raw syscalls): for the init just before execve. */
  setresuid(uid: number): SysResult;
  setresgid(gid: number): SysResult;
  setgroups(gids: number[]): SysResult;
  /** prlimit(0, resource, {soft, hard}); Infinity means RLIM_INFINITY. */
  setrlimit(resource: number, soft: number, hard: number): SysResult;
  /** capset(2) for this thread: effective, permitted and inheritable sets as bit masks over cap numbers. */
  capset(effective: bigint, permitted: bigint, inheritable: bigint): SysResult;
  setsid(): SysResult<number>;
  /** Every signal back to its default disposition and none blocked, so the container's process starts clean. */
  resetSignals(): SysResult;
  /**
   * Build `filter` with libseccomp and load it into this thread (seccomp_load). ENOSYS when
   * libseccomp (Debian: libseccomp2) is not installed; a syscall name it does not know is
   * skipped, as runc skips it. A filter that notifies (SCMP_ACT_NOTIFY) is loaded with a new
   * listener: its fd is the value (the caller sends it on and closes it); otherwise undefined.
   */
  seccompLoad(filter: SeccompFilter): SysResult<number | undefined>;
  /** personality(2): this process's execution domain; returns the previous persona. */
  personality(persona: number): SysResult<number>;
  /** ioprio_set(IOPRIO_WHO_PROCESS, 0, ioprio): this process's I/O class and priority. */
  ioprioSet(ioprio: number): SysResult;
  /**
   * sched_setattr(tid, attr, 0): the scheduling policy of thread `tid`, default 0: the
   * calling one (the process's, in the single-threaded init).
   */
  schedSetattr(attr: ThreadScheduling, tid?: number): SysResult;
  /** sched_getattr(tid): the scheduling policy of thread `tid` (0: the calling one). */
  schedGetattr(tid: number): SysResult<ThreadScheduling>;
  /** sched_setaffinity(2): the CPUs thread `tid` (0: the calling one) may run on. */
  schedSetaffinity(tid: number, cpus: readonly number[]): SysResult;
  /** Replaces the process; returns only on failure. */
  execve(path: string, argv: string[], envp: string[]): SysResult;
  getpid(): number;
  /** Bring a network interface up (SIOCGIFFLAGS/SIOCSIFFLAGS with IFF_UP). */
  linkUp(name: string): SysResult;

  // --- terminals (process.terminal, --console-socket) -------------------------------------
  /**
   * A new pseudo-terminal from the multiplexer at `ptmx` (the container's `/dev/ptmx`, after
   * pivot_root, so the pair lives in the container's devpts): the master, checked to be one
   * (TIOCGPTN), unlocked, and its slave opened through the master (TIOCGPTPEER), never by a
   * path. Both close-on-exec and O_NOCTTY.
   */
  openPty(ptmx: string): SysResult<{ master: number; slave: number; index: number }>;
  /** TIOCSWINSZ: the terminal's size in characters. */
  setWindowSize(fd: number, rows: number, cols: number): SysResult;
  /** fchown(2) of an open file (the terminal's slave, given to the process's user as runc does). */
  fchown(fd: number, uid: number, gid: number): SysResult;
  /** TIOCSCTTY: the terminal `fd` is open on becomes this session's controlling terminal. */
  setControllingTerminal(fd: number): SysResult;
  /** A SOCK_STREAM unix socket connected to `path` (a console socket), close-on-exec. */
  connectUnix(path: string): SysResult<number>;
  /** sendmsg(2) of one fd as SCM_RIGHTS with `name` as the data, as runc sends a pty master. */
  sendFd(socket: number, fd: number, name: string): SysResult;
}

/**
 * What the daemon side needs (the daemon, the launcher, the container handle, the OCI
 * commands that signal): peers, pidfds, the output pipes, acting with a peer's file rights,
 * and entering a PID namespace for the next init it spawns.
 */
export interface DaemonSyscalls
  extends Pick<
    InitSyscalls,
    | 'close'
    | 'mknodat'
    | 'setFsIdentity'
    | 'unshare'
    | 'setns'
    // warm inits wait at SCHED_IDLE and get the launcher's scheduling back when taken
    | 'schedGetattr'
    | 'schedSetattr'
    | 'setWindowSize'
    | 'mountSetattr'
    // a container without a mount namespace leaves its mounts on the host until teardown
    | 'umount2'
  > {
  // --- terminals: the pty master the helper keeps, a console socket's fd ---
  /** Set O_NONBLOCK on an open file (a pty master the helper writes input to). */
  setNonBlocking(fd: number): SysResult;
  /** A non-blocking SOCK_STREAM unix socket listening at `path` (mode 0600), to receive an fd on. */
  listenUnix(path: string): SysResult<number>;
  /**
   * Accept one connection on `listener` (EAGAIN when none waits: never blocks) and receive
   * the one fd sent on it (SCM_RIGHTS, close-on-exec), with the sender's credentials.
   */
  receiveFd(listener: number): SysResult<{ fd: number; peer: PeerCred }>;

  getPeerCred(fd: number): SysResult<PeerCred>;
  /** Supplementary groups of a unix socket's peer at connect() time (SO_PEERGROUPS). */
  getPeerGroups(fd: number): SysResult<number[]>;
  /** The gid of a group by name (getgrnam, through NSS), or undefined when there is none. */
  groupId(name: string): number | undefined;
  pidfdOpen(pid: number): SysResult<number>;
  pidfdSendSignal(pidfd: number, signal: number): SysResult;
  /** pidfd_getfd(2): a copy of fd `targetFd` of the process `pidfd` refers to (close-on-exec). */
  pidfdGetfd(pidfd: number, targetFd: number): SysResult<number>;
  /**
   * bpf(BPF_PROG_LOAD) of a BPF_PROG_TYPE_CGROUP_DEVICE program (struct bpf_insn array); its
   * fd. A refusal's `call` carries the end of the verifier's log.
   */
  bpfLoadDeviceProgram(insns: Buffer, license: string): SysResult<number>;
  /** bpf(BPF_PROG_ATTACH with BPF_F_ALLOW_MULTI, or BPF_PROG_DETACH) of that program on a cgroup2 directory's fd. */
  bpfDeviceProgram(attach: boolean, cgroupFd: number, progFd: number): SysResult;
  /**
   * Resolves when `fd` (a pidfd: the process exited) becomes readable. Waits in poll(2) on
   * a libuv pool thread, which it occupies until then.
   */
  waitReadable(fd: number): Promise<SysResult>;
}

/** The whole door, as koffiSyscalls.ts and the recording fake implement it. */
export interface Syscalls extends InitSyscalls, DaemonSyscalls {}

// Constants from the kernel's uapi headers (identical on x86_64 and arm64).
// The CLONE_NEW* flags live with the plan, which says which namespaces a launch creates.
export {
  CLONE_NEWNS,
  CLONE_NEWCGROUP,
  CLONE_NEWUTS,
  CLONE_NEWIPC,
  CLONE_NEWUSER,
  CLONE_NEWPID,
  CLONE_NEWNET,
  CLONE_NEWTIME,
} from '@bindery/plan';

export const O_RDONLY = 0o0;
export const O_WRONLY = 0o1;
/** unshare(2): a filesystem context (root, cwd, umask) of this thread's own, which setns(CLONE_NEWNS) needs. */
export const CLONE_FS = 0x200;
export const O_RDWR = 0o2;
export const O_CREAT = 0o100;
export const O_EXCL = 0o200;
export const O_NOCTTY = 0o400;
export const O_TRUNC = 0o1000;
export const O_APPEND = 0o2000;
export const O_DIRECTORY = 0o200000;
export const O_NOFOLLOW = 0o400000;
export const O_CLOEXEC = 0o2000000;
export const O_PATH = 0o10000000;
export const O_NONBLOCK = 0o4000;

export const AT_FDCWD = -100;
export const AT_EMPTY_PATH = 0x1000;
export const AT_SYMLINK_NOFOLLOW = 0x100;
/** faccessat2(2): check with the effective ids, not the real ones. */
export const AT_EACCESS = 0x200;
export { AT_RECURSIVE } from '@bindery/plan';

export const RESOLVE_NO_XDEV = 0x01;
export const RESOLVE_NO_MAGICLINKS = 0x02;
export const RESOLVE_NO_SYMLINKS = 0x04;
export const RESOLVE_BENEATH = 0x08;
export const RESOLVE_IN_ROOT = 0x10;

/** sched(7): below every nice level; the policy warm inits wait in (initLauncher.ts). */
export const SCHED_IDLE = 5;

export const MNT_DETACH = 0x2;
/** umount2(2): do not follow a symlink in the last component of the target. */
export const UMOUNT_NOFOLLOW = 0x8;

/** open_tree(2): a detached copy rather than the mount itself; OPEN_TREE_CLOEXEC is O_CLOEXEC. */
export const OPEN_TREE_CLONE = 0x1;
/** move_mount(2): the source, and the target, are the fds themselves (paths ''). */
export const MOVE_MOUNT_F_EMPTY_PATH = 0x4;
export const MOVE_MOUNT_T_EMPTY_PATH = 0x40;

/** access(2) modes. */
export const R_OK = 4;
export const W_OK = 2;
export const X_OK = 1;

/** statfs(2) f_type of procfs. */
export const PROC_SUPER_MAGIC = 0x9fa0;
/** statfs(2) f_type of tmpfs. */
export const TMPFS_MAGIC = 0x01021994;

// S_IFMT lives with the plan, which checks the file-type bits of a spec's device modes.
export { S_IFMT };
export const S_IFDIR = 0o040000;
export const S_IFREG = 0o100000;
export const S_IFLNK = 0o120000;
export const S_IFCHR = 0o020000;
export const S_IFBLK = 0o060000;
export const S_IFIFO = 0o010000;

export const CLOSE_RANGE_CLOEXEC = 1 << 2;
/** ~0U: as close_range(2)'s last fd, every fd from the first up. */
export const MAX_FD = 0xffffffff;

export const PR_SET_NO_NEW_PRIVS = 38;
export const PR_SET_KEEPCAPS = 8;
export const PR_CAPBSET_DROP = 24;
export const PR_CAP_AMBIENT = 47;
export const PR_CAP_AMBIENT_RAISE = 2;
export const PR_SET_PDEATHSIG = 1;

export function makedev(major: number, minor: number): number {
  return ((major & 0xfff) << 8) | (minor & 0xff) | ((minor & ~0xff) << 12);
}

export function isDir(mode: number): boolean {
  return (mode & S_IFMT) === S_IFDIR;
}
