// The real Syscalls: libc through koffi (loaded by koffiLoader.ts; libseccomp in koffiSeccomp.ts).
//
// Every call is synchronous and runs on the calling thread, which is what the namespace
// work needs (see README.md here, "A launch"). Each wrapper reads errno right after the
// call and turns a failure into a SysResult carrying the errno name.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { koffi } from './koffiLoader';
import { MS } from '@bindery/plan';
import { errnoName } from './errno';
import { koffiSeccomp } from './koffiSeccomp';
import {
  AT_EACCESS,
  AT_EMPTY_PATH,
  MOVE_MOUNT_F_EMPTY_PATH,
  MOVE_MOUNT_T_EMPTY_PATH,
  AT_FDCWD,
  O_NOCTTY,
  O_RDWR,
  AT_SYMLINK_NOFOLLOW,
  O_CLOEXEC,
  O_CREAT,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_TRUNC,
  O_WRONLY,
  OK,
  ok,
  type FileStat,
  type PeerCred,
  type SysResult,
  type Syscalls,
} from './syscalls';

// Syscall numbers glibc has no wrapper for, or whose wrapper does more (the set-id calls:
// every thread). The ones from 424 up are shared by every architecture; pivot_root is not.
const SYS = {
  x64: { pivot_root: 155, setgroups: 116, setresuid: 117, setresgid: 119, ioprio_set: 251, sched_setattr: 314, sched_getattr: 315, bpf: 321 },
  arm64: { pivot_root: 41, setgroups: 159, setresuid: 147, setresgid: 149, ioprio_set: 30, sched_setattr: 274, sched_getattr: 275, bpf: 280 },
} as const;
const IOPRIO_WHO_PROCESS = 1;
/** glibc's cpu_set_t: 1024 CPUs. */
const CPU_SET_BYTES = 128;
/** sizeof(struct sched_attr) without the utilization clamps (SCHED_ATTR_SIZE_VER0). */
const SCHED_ATTR_SIZE_VER0 = 48;
const SYS_faccessat2 = 439;
const SYS_pidfd_send_signal = 424;
const SYS_pidfd_open = 434;
const SYS_openat2 = 437;
const SYS_mount_setattr = 442;
const SYS_open_tree = 428;
const SYS_move_mount = 429;
const SYS_pidfd_getfd = 438;
// bpf(2): commands, the program type and attach type of a cgroup device filter (uapi/linux/bpf.h).
const BPF_PROG_LOAD = 5;
const BPF_PROG_ATTACH = 8;
const BPF_PROG_DETACH = 9;
const BPF_PROG_TYPE_CGROUP_DEVICE = 15;
const BPF_CGROUP_DEVICE = 6;
/** Several programs on one cgroup, each detachable by its fd (runc attaches with it too). */
const BPF_F_ALLOW_MULTI = 1 << 1;
/** union bpf_attr up to prog_flags: the kernel zero-fills the rest. */
const BPF_PROG_LOAD_ATTR_SIZE = 48;
const BPF_ATTACH_ATTR_SIZE = 20;
const BPF_LOG_SIZE = 16 * 1024;

const RLIM_INFINITY = 0xffffffffffffffffn;
const SIG_SETMASK = 2;
const AF_INET = 2;
const SOCK_DGRAM = 2;
const SOCK_CLOEXEC = 0o2000000;
const SIOCGIFFLAGS = 0x8913;
const SIOCSIFFLAGS = 0x8914;
const IFF_UP = 0x1;
const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
const SO_PEERGROUPS = 59;
const LINUX_CAPABILITY_VERSION_3 = 0x20080522;
// Terminals and fd passing (asm-generic/ioctls.h, sys/socket.h; the same on x86_64 and arm64).
const TIOCGPTN = 0x80045430;
const TIOCSPTLCK = 0x40045431;
const TIOCGPTPEER = 0x5441;
const TIOCSWINSZ = 0x5414;
const TIOCSCTTY = 0x540e;
const F_GETFL = 3;
const F_SETFL = 4;
const AF_UNIX = 1;
const SOCK_STREAM = 1;
const SOCK_NONBLOCK = 0o4000;
const SCM_RIGHTS = 1;
const MSG_CMSG_CLOEXEC = 0x40000000;
const MSG_CTRUNC = 0x8;
const SUN_PATH_MAX = 108;
// statfs(2) f_flags (include/linux/statfs.h). Most equal the MS_* of the same name, but not
// ST_RELATIME and ST_NOSYMFOLLOW, and ST_VALID has MS_REMOUNT's bit: so they are translated.
const ST_RDONLY = 0x0001;
const ST_NOSUID = 0x0002;
const ST_NODEV = 0x0004;
const ST_NOEXEC = 0x0008;
const ST_SYNCHRONOUS = 0x0010;
const ST_MANDLOCK = 0x0040;
const ST_NOATIME = 0x0400;
const ST_NODIRATIME = 0x0800;
const ST_RELATIME = 0x1000;
const ST_NOSYMFOLLOW = 0x2000;
const ST_TO_MS: readonly (readonly [number, number])[] = [
  [ST_RDONLY, MS.MS_RDONLY],
  [ST_NOSUID, MS.MS_NOSUID],
  [ST_NODEV, MS.MS_NODEV],
  [ST_NOEXEC, MS.MS_NOEXEC],
  [ST_SYNCHRONOUS, MS.MS_SYNCHRONOUS],
  [ST_MANDLOCK, MS.MS_MANDLOCK],
  [ST_NOATIME, MS.MS_NOATIME],
  [ST_NODIRATIME, MS.MS_NODIRATIME],
  [ST_RELATIME, MS.MS_RELATIME],
  [ST_NOSYMFOLLOW, MS.MS_NOSYMFOLLOW],
];

let instance: Syscalls | undefined;

/** The process-wide real Syscalls (libc is loaded once). */
export function koffiSyscalls(): Syscalls {
  instance ??= createKoffiSyscalls();
  return instance;
}

function createKoffiSyscalls(): Syscalls {
  const arch = process.arch as keyof typeof SYS;
  if (!(arch in SYS)) throw new Error(`bindery: unsupported architecture ${process.arch}`);
  const libc = koffi.load('libc.so.6');
  koffi.struct('bindery_iovec', { base: 'void *', len: 'size_t' });
  koffi.struct('bindery_msghdr', {
    name: 'void *',
    namelen: 'uint32_t',
    iov: 'bindery_iovec *',
    iovlen: 'size_t',
    control: 'void *',
    controllen: 'size_t',
    flags: 'int',
  });
  koffi.struct('bindery_bpf_prog_load', {
    prog_type: 'uint32_t',
    insn_cnt: 'uint32_t',
    insns: 'void *',
    license: 'const char *',
    log_level: 'uint32_t',
    log_size: 'uint32_t',
    log_buf: 'void *',
    kern_version: 'uint32_t',
    prog_flags: 'uint32_t',
  });
  const seccompLoad = koffiSeccomp();

  const c = {
    mount: libc.func(
      'int mount(const char *source, const char *target, const char *fstype, unsigned long flags, const char *data)',
    ),
    umount2: libc.func('int umount2(const char *target, int flags)'),
    fstatfs: libc.func('int fstatfs(int fd, void *buf)'),
    openat: libc.func('int openat(int dirfd, const char *path, int flags, uint32_t mode)'),
    close: libc.func('int close(int fd)'),
    mkdirat: libc.func('int mkdirat(int dirfd, const char *path, uint32_t mode)'),
    mknodat: libc.func('int mknodat(int dirfd, const char *path, uint32_t mode, uint64_t dev)'),
    symlinkat: libc.func('int symlinkat(const char *target, int dirfd, const char *path)'),
    fchmod: libc.func('int fchmod(int fd, uint32_t mode)'),
    fchown: libc.func('int fchown(int fd, uint32_t uid, uint32_t gid)'),
    fchownat: libc.func(
      'int fchownat(int dirfd, const char *path, uint32_t uid, uint32_t gid, int flags)',
    ),
    dup3: libc.func('int dup3(int oldfd, int newfd, int flags)'),
    closeRange: libc.func('int close_range(unsigned int first, unsigned int last, int flags)'),
    // off_t is 64 bits on every architecture the helper supports.
    unshare: libc.func('int unshare(int flags)'),
    setns: libc.func('int setns(int fd, int nstype)'),
    chdir: libc.func('int chdir(const char *path)'),
    fchdir: libc.func('int fchdir(int fd)'),
    chroot: libc.func('int chroot(const char *path)'),
    sethostname: libc.func('int sethostname(const char *name, size_t len)'),
    setdomainname: libc.func('int setdomainname(const char *name, size_t len)'),
    prctl: libc.func(
      'int prctl(int option, unsigned long arg2, unsigned long arg3, unsigned long arg4, unsigned long arg5)',
    ),
    prlimit: libc.func('int prlimit(int pid, int resource, const void *newLimit, void *oldLimit)'),
    capset: libc.func('int capset(void *header, const void *data)'),
    setsid: libc.func('int setsid()'),
    sigaction: libc.func('int sigaction(int sig, const void *act, void *oldact)'),
    sigprocmask: libc.func('int sigprocmask(int how, const void *set, void *oldset)'),
    execve: libc.func('int execve(const char *path, const char **argv, const char **envp)'),
    getpid: libc.func('int getpid()'),
    socket: libc.func('int socket(int domain, int type, int protocol)'),
    ioctl: libc.func('int ioctl(int fd, unsigned long request, void *arg)'),
    poll: libc.func('int poll(void *fds, unsigned long n, int timeout)'),
    getsockopt: libc.func('int getsockopt(int fd, int level, int name, void *value, void *len)'),
    getgrnam: libc.func('void *getgrnam(const char *name)'),
    ioctlInt: libc.func('ioctl', 'int', ['int', 'unsigned long', 'unsigned long']),
    fcntl: libc.func('int fcntl(int fd, int cmd, int arg)'),
    connect: libc.func('int connect(int fd, const void *addr, uint32_t len)'),
    bind: libc.func('int bind(int fd, const void *addr, uint32_t len)'),
    listen: libc.func('int listen(int fd, int backlog)'),
    accept4: libc.func('int accept4(int fd, void *addr, void *len, int flags)'),
    sendmsg: libc.func('long sendmsg(int fd, const bindery_msghdr *msg, int flags)'),
    recvmsg: libc.func('long recvmsg(int fd, _Inout_ bindery_msghdr *msg, int flags)'),
    sysOpenat2: libc.func('syscall', 'long', ['long', 'int', 'const char *', 'void *', 'size_t']),
    sysMountSetattr: libc.func('syscall', 'long', [
      'long',
      'int',
      'const char *',
      'uint32_t',
      'void *',
      'size_t',
    ]),
    sysOpenTree: libc.func('syscall', 'long', ['long', 'int', 'const char *', 'uint32_t']),
    sysMoveMount: libc.func('syscall', 'long', [
      'long',
      'int',
      'const char *',
      'int',
      'const char *',
      'uint32_t',
    ]),
    sysPidfdGetfd: libc.func('syscall', 'long', ['long', 'int', 'int', 'uint32_t']),
    sysPivotRoot: libc.func('syscall', 'long', ['long', 'const char *', 'const char *']),
    personality: libc.func('int personality(unsigned long persona)'),
    schedSetaffinity: libc.func('int sched_setaffinity(int pid, size_t size, const void *mask)'),
    sysIoprioSet: libc.func('syscall', 'long', ['long', 'int', 'int', 'int']),
    sysSchedSetattr: libc.func('syscall', 'long', ['long', 'int', 'void *', 'unsigned int']),
    sysSchedGetattr: libc.func('syscall', 'long', ['long', 'int', 'void *', 'unsigned int', 'unsigned int']),
    // The raw syscall changes only the calling thread; glibc's setgroups changes every thread.
    sysSetgroups: libc.func('syscall', 'long', ['long', 'size_t', 'const uint32_t *']),
    sysSetresid: libc.func('syscall', 'long', ['long', 'uint32_t', 'uint32_t', 'uint32_t']),
    sysFaccessat2: libc.func('syscall', 'long', ['long', 'int', 'const char *', 'int', 'int']),
    setfsuid: libc.func('int setfsuid(uint32_t uid)'),
    setfsgid: libc.func('int setfsgid(uint32_t gid)'),
    getgroups: libc.func('int getgroups(int size, _Out_ uint32_t *list)'),
    sysPidfdOpen: libc.func('syscall', 'long', ['long', 'int', 'uint32_t']),
    sysBpfLoad: libc.func('syscall', 'long', ['long', 'int', 'bindery_bpf_prog_load *', 'unsigned int']),
    sysBpf: libc.func('syscall', 'long', ['long', 'int', 'void *', 'unsigned int']),
    sysPidfdSendSignal: libc.func('syscall', 'long', ['long', 'int', 'int', 'void *', 'uint32_t']),
  };

  /** The process's own supplementary groups, to restore after acting as someone else. */
  let ownGroups: SysResult<number[]> | undefined;
  const readOwnGroups = (): SysResult<number[]> => {
    const list = new Uint32Array(65536);
    const n = check('getgroups', c.getgroups(list.length, list));
    return n.ok ? ok([...list.subarray(0, n.value)]) : n;
  };

  /** Turn a C return value into a result; `-1` means "look at errno". */
  const check = (call: string, rc: number | bigint): SysResult<number> => {
    const n = Number(rc);
    if (n === -1) return { ok: false, errno: errnoName(koffi.errno()), call };
    return ok(n);
  };
  const unit = (call: string, rc: number | bigint): SysResult => {
    const r = check(call, rc);
    return r.ok ? OK : r;
  };
  /** Node's fs throws errors with a `code` that already is the errno name. */
  const fsCall = <T>(call: string, f: () => T): SysResult<T> => {
    try {
      return ok(f());
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      return { ok: false, errno: typeof code === 'string' ? code : 'EIO', call };
    }
  };

  const sys: Syscalls = {
    mount: (source, target, fstype, flags, data) =>
      unit('mount', c.mount(source, target, fstype, flags, data || null)),
    umount2: (target, flags) => unit('umount2', c.umount2(target, flags)),
    mountSetattr: (dirfd, p, flags, attrSet, attrClr, propagation, usernsFd) => {
      // struct mount_attr { u64 attr_set, attr_clr, propagation, userns_fd; }
      const attr = Buffer.alloc(32);
      attr.writeBigUInt64LE(BigInt(attrSet), 0);
      attr.writeBigUInt64LE(BigInt(attrClr), 8);
      attr.writeBigUInt64LE(BigInt(propagation), 16);
      attr.writeBigUInt64LE(BigInt(usernsFd ?? 0), 24);
      const f = p === '' ? flags | AT_EMPTY_PATH : flags;
      return unit(
        'mount_setattr',
        c.sysMountSetattr(SYS_mount_setattr, dirfd, p, f, attr, attr.length),
      );
    },
    openTree: (dirfd, p, flags) =>
      check(
        'open_tree',
        c.sysOpenTree(SYS_open_tree, dirfd, p, p === '' ? flags | AT_EMPTY_PATH : flags),
      ),
    moveMount: (fromFd, toFd) =>
      unit(
        'move_mount',
        c.sysMoveMount(
          SYS_move_mount,
          fromFd,
          '',
          toFd,
          '',
          MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH,
        ),
      ),
    pivotRoot: (newRoot, putOld) =>
      unit('pivot_root', c.sysPivotRoot(SYS[arch].pivot_root, newRoot, putOld)),

    mountFlags: (fd) => {
      const buf = Buffer.alloc(120);
      const r = unit('fstatfs', c.fstatfs(fd, buf));
      if (!r.ok) return r;
      const st = Number(buf.readBigUInt64LE(80)); // f_flags, same offset on x86_64 and arm64
      let flags = 0;
      for (const [bit, msFlag] of ST_TO_MS) if (st & bit) flags |= msFlag;
      return ok(flags);
    },

    filesystemType: (fd) => {
      const buf = Buffer.alloc(120);
      const r = unit('fstatfs', c.fstatfs(fd, buf));
      return r.ok ? ok(Number(buf.readBigInt64LE(0))) : r; // f_type
    },

    setFsIdentity: (id) => {
      ownGroups ??= readOwnGroups();
      if (!ownGroups.ok) return ownGroups;
      const uid = id ? id.uid : process.getuid!();
      const gid = id ? id.gid : process.getgid!();
      const groups = id ? id.groups : ownGroups.value;
      // Groups and gid first: once the fsuid is not root, changing them needs no capability we keep.
      const g = unit(
        'setgroups',
        c.sysSetgroups(SYS[arch].setgroups, groups.length, groups.length ? Uint32Array.from(groups) : null),
      );
      if (!g.ok) return g;
      c.setfsgid(gid);
      c.setfsuid(uid);
      // setfsuid/setfsgid return the previous id and never fail visibly: read them back.
      const nowUid = c.setfsuid(-1 >>> 0) as number;
      const nowGid = c.setfsgid(-1 >>> 0) as number;
      if (nowUid !== uid || nowGid !== gid) return { ok: false, errno: 'EPERM', call: 'setfsuid' };
      return OK;
    },
    accessFd: (fd, mode) =>
      unit('faccessat2', c.sysFaccessat2(SYS_faccessat2, fd, '', mode, AT_EMPTY_PATH | AT_EACCESS)),

    openat2: (dirfd, p, flags, mode, resolve) => {
      const how = Buffer.alloc(24);
      how.writeBigUInt64LE(BigInt(flags), 0);
      how.writeBigUInt64LE(BigInt(mode), 8);
      how.writeBigUInt64LE(BigInt(resolve), 16);
      return check('openat2', c.sysOpenat2(SYS_openat2, dirfd, p, how, how.length));
    },
    openat: (dirfd, p, flags, mode) => check('openat', c.openat(dirfd, p, flags, mode)),
    close: (fd) => unit('close', c.close(fd)),
    mkdirat: (dirfd, name, mode) => unit('mkdirat', c.mkdirat(dirfd, name, mode)),
    mknodat: (dirfd, name, mode, dev) => unit('mknodat', c.mknodat(dirfd, name, mode, dev)),
    symlinkat: (target, dirfd, name) => unit('symlinkat', c.symlinkat(target, dirfd, name)),
    // The fd's magic link names the directory; `name` itself is read, never followed.
    readlinkat: (dirfd, name) =>
      fsCall('readlinkat', () => fs.readlinkSync(`/proc/self/fd/${dirfd}/${name}`)),
    fstat: (fd) =>
      fsCall('fstat', (): FileStat => {
        const s = fs.fstatSync(fd);
        return { mode: s.mode, uid: s.uid, gid: s.gid, rdev: s.rdev, dev: s.dev, ino: s.ino };
      }),
    fchmod: (fd, mode) => unit('fchmod', c.fchmod(fd, mode)),
    lchownat: (dirfd, name, uid, gid) =>
      unit('fchownat', c.fchownat(dirfd, name, uid, gid, AT_SYMLINK_NOFOLLOW)),
    copyTree: (from, to) =>
      fsCall('copy', () => copyTree(`/proc/self/fd/${from}`, `/proc/self/fd/${to}`)),
    readFile: (p, maxBytes) =>
      fsCall('read', () => (maxBytes === undefined ? fs.readFileSync(p, 'utf8') : readAtMost(p, maxBytes))),
    writeFd: (fd, content) =>
      fsCall('write', () => {
        const buf = Buffer.from(content);
        if (fs.writeSync(fd, buf) !== buf.length)
          throw Object.assign(new Error('short write'), { code: 'EIO' });
      }),
    writeFile: (p, content, mode) =>
      fsCall('write', () => {
        const fd = fs.openSync(p, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC, mode);
        try {
          fs.writeSync(fd, content);
          fs.fchmodSync(fd, mode);
        } finally {
          fs.closeSync(fd);
        }
      }),
    isExecutable: (p) => {
      try {
        fs.accessSync(p, fs.constants.X_OK);
        return fs.statSync(p).isFile();
      } catch {
        return false;
      }
    },
    dup3: (oldfd, newfd, flags) => unit('dup3', c.dup3(oldfd, newfd, flags)),
    closeRange: (first, last, flags) => unit('close_range', c.closeRange(first, last >>> 0, flags)),

    unshare: (flags) => unit('unshare', c.unshare(flags)),
    setns: (fd, nstype) => unit('setns', c.setns(fd, nstype)),
    chdir: (p) => unit('chdir', c.chdir(p)),
    fchdir: (fd) => unit('fchdir', c.fchdir(fd)),
    chroot: (p) => unit('chroot', c.chroot(p)),
    sethostname: (name) => unit('sethostname', c.sethostname(name, Buffer.byteLength(name))),
    setdomainname: (name) => unit('setdomainname', c.setdomainname(name, Buffer.byteLength(name))),
    prctl: (option, arg2, arg3 = 0) => check('prctl', c.prctl(option, arg2, arg3, 0, 0)),
    // Raw syscalls: the calling thread only, as runc's Go init. glibc's wrappers would signal
    // every Node thread and wait for each (its set-id broadcast); those threads die at the
    // execve that follows and run no container code (SECURITY.md, "The init's ids").
    setresuid: (uid) => unit('setresuid', c.sysSetresid(SYS[arch].setresuid, uid, uid, uid)),
    setresgid: (gid) => unit('setresgid', c.sysSetresid(SYS[arch].setresgid, gid, gid, gid)),
    setgroups: (gids) =>
      unit(
        'setgroups',
        c.sysSetgroups(SYS[arch].setgroups, gids.length, gids.length ? Uint32Array.from(gids) : null),
      ),
    setrlimit: (resource, soft, hard) => {
      const lim = Buffer.alloc(16);
      lim.writeBigUInt64LE(soft === Infinity ? RLIM_INFINITY : BigInt(soft), 0);
      lim.writeBigUInt64LE(hard === Infinity ? RLIM_INFINITY : BigInt(hard), 8);
      return unit('prlimit', c.prlimit(0, resource, lim, null));
    },
    capset: (effective, permitted, inheritable) => {
      const header = Buffer.alloc(8);
      header.writeUInt32LE(LINUX_CAPABILITY_VERSION_3, 0);
      const data = Buffer.alloc(24);
      const lo = (v: bigint) => Number(v & 0xffffffffn);
      const hi = (v: bigint) => Number((v >> 32n) & 0xffffffffn);
      data.writeUInt32LE(lo(effective), 0);
      data.writeUInt32LE(lo(permitted), 4);
      data.writeUInt32LE(lo(inheritable), 8);
      data.writeUInt32LE(hi(effective), 12);
      data.writeUInt32LE(hi(permitted), 16);
      data.writeUInt32LE(hi(inheritable), 20);
      return unit('capset', c.capset(header, data));
    },
    setsid: () => check('setsid', c.setsid()),
    personality: (persona) => check('personality', c.personality(persona)),
    schedSetaffinity: (tid, cpus) => {
      const mask = Buffer.alloc(CPU_SET_BYTES);
      for (const cpu of cpus) {
        if (cpu >= CPU_SET_BYTES * 8) return { ok: false, errno: 'EINVAL', call: 'sched_setaffinity' };
        mask[cpu >> 3] |= 1 << (cpu & 7);
      }
      return unit('sched_setaffinity', c.schedSetaffinity(tid, mask.length, mask));
    },
    ioprioSet: (ioprio) =>
      unit('ioprio_set', c.sysIoprioSet(SYS[arch].ioprio_set, IOPRIO_WHO_PROCESS, 0, ioprio)),
    schedSetattr: (a, tid = 0) => {
      const attr = Buffer.alloc(SCHED_ATTR_SIZE_VER0);
      attr.writeUInt32LE(SCHED_ATTR_SIZE_VER0, 0);
      attr.writeUInt32LE(a.policyValue, 4);
      attr.writeBigUInt64LE(BigInt(a.flagsValue), 8);
      attr.writeInt32LE(a.nice, 16);
      attr.writeUInt32LE(a.priority, 20);
      attr.writeBigUInt64LE(BigInt(a.runtime), 24);
      attr.writeBigUInt64LE(BigInt(a.deadline), 32);
      attr.writeBigUInt64LE(BigInt(a.period), 40);
      return unit('sched_setattr', c.sysSchedSetattr(SYS[arch].sched_setattr, tid, attr, 0));
    },
    schedGetattr: (tid) => {
      const attr = Buffer.alloc(SCHED_ATTR_SIZE_VER0);
      const r = unit(
        'sched_getattr',
        c.sysSchedGetattr(SYS[arch].sched_getattr, tid, attr, attr.length, 0),
      );
      if (!r.ok) return r;
      return ok({
        policyValue: attr.readUInt32LE(4),
        flagsValue: Number(attr.readBigUInt64LE(8)),
        nice: attr.readInt32LE(16),
        priority: attr.readUInt32LE(20),
        runtime: Number(attr.readBigUInt64LE(24)),
        deadline: Number(attr.readBigUInt64LE(32)),
        period: Number(attr.readBigUInt64LE(40)),
      });
    },
    resetSignals: () => {
      // An all-zero struct sigaction is SIG_DFL with an empty mask on every ABI.
      const act = Buffer.alloc(256);
      for (let sig = 1; sig <= 64; sig++) {
        if (sig === 9 || sig === 19 || sig === 32 || sig === 33) continue; // KILL, STOP, glibc-internal
        const r = unit('sigaction', c.sigaction(sig, act, null));
        if (!r.ok) return r;
      }
      return unit('sigprocmask', c.sigprocmask(SIG_SETMASK, Buffer.alloc(128), null));
    },
    seccompLoad,
    execve: (p, argv, envp) => unit('execve', c.execve(p, [...argv, null], [...envp, null])),
    getpid: () => c.getpid() as number,
    linkUp: (name) => {
      const sock = check('socket', c.socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
      if (!sock.ok) return sock;
      try {
        const ifr = Buffer.alloc(40);
        ifr.write(name, 0, 15, 'latin1');
        const get = unit('ioctl(SIOCGIFFLAGS)', c.ioctl(sock.value, SIOCGIFFLAGS, ifr));
        if (!get.ok) return get;
        ifr.writeUInt16LE(ifr.readUInt16LE(16) | IFF_UP, 16);
        return unit('ioctl(SIOCSIFFLAGS)', c.ioctl(sock.value, SIOCSIFFLAGS, ifr));
      } finally {
        c.close(sock.value);
      }
    },

    openPty: (ptmx) => {
      const m = check('openat(ptmx)', c.openat(AT_FDCWD, ptmx, O_RDWR | O_NOCTTY | O_CLOEXEC, 0));
      if (!m.ok) return m;
      const master = m.value;
      const fail = (r: { ok: false; errno: string; call: string }) => {
        c.close(master);
        return r;
      };
      // Only a pty master answers TIOCGPTN: anything else the container put at /dev/ptmx is refused.
      const n = Buffer.alloc(4);
      const got = unit('ioctl(TIOCGPTN)', c.ioctl(master, TIOCGPTN, n));
      if (!got.ok) return fail(got);
      const unlock = unit('ioctl(TIOCSPTLCK)', c.ioctl(master, TIOCSPTLCK, Buffer.alloc(4)));
      if (!unlock.ok) return fail(unlock);
      const s = check('ioctl(TIOCGPTPEER)', c.ioctlInt(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC));
      if (!s.ok) return fail(s);
      return ok({ master, slave: s.value, index: n.readUInt32LE(0) });
    },
    setWindowSize: (fd, rows, cols) => {
      const ws = Buffer.alloc(8); // struct winsize: rows, cols, xpixel, ypixel (u16 each)
      ws.writeUInt16LE(rows, 0);
      ws.writeUInt16LE(cols, 2);
      return unit('ioctl(TIOCSWINSZ)', c.ioctl(fd, TIOCSWINSZ, ws));
    },
    fchown: (fd, uid, gid) => unit('fchown', c.fchown(fd, uid, gid)),
    setControllingTerminal: (fd) => unit('ioctl(TIOCSCTTY)', c.ioctlInt(fd, TIOCSCTTY, 0)),
    setNonBlocking: (fd) => {
      const fl = check('fcntl(F_GETFL)', c.fcntl(fd, F_GETFL, 0));
      if (!fl.ok) return fl;
      return unit('fcntl(F_SETFL)', c.fcntl(fd, F_SETFL, fl.value | O_NONBLOCK));
    },
    connectUnix: (p) => {
      const addr = unixAddress(p);
      if (!addr) return { ok: false, errno: 'ENAMETOOLONG', call: 'connect' };
      const sock = check('socket', c.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
      if (!sock.ok) return sock;
      const r = unit('connect', c.connect(sock.value, addr, addr.length));
      if (r.ok) return sock;
      c.close(sock.value);
      return r;
    },
    sendFd: (socket, fd, name) => {
      const data = Buffer.from(name);
      const control = Buffer.alloc(24); // CMSG_SPACE(sizeof(int))
      control.writeBigUInt64LE(20n, 0); // cmsg_len = CMSG_LEN(sizeof(int))
      control.writeInt32LE(SOL_SOCKET, 8);
      control.writeInt32LE(SCM_RIGHTS, 12);
      control.writeInt32LE(fd, 16);
      const msg = {
        name: null,
        namelen: 0,
        iov: [{ base: data, len: data.length }],
        iovlen: 1,
        control,
        controllen: control.length,
        flags: 0,
      };
      const r = check('sendmsg', c.sendmsg(socket, msg, 0));
      if (!r.ok) return r;
      return r.value === data.length ? OK : { ok: false, errno: 'EIO', call: 'sendmsg' };
    },
    listenUnix: (p) => {
      const addr = unixAddress(p);
      if (!addr) return { ok: false, errno: 'ENAMETOOLONG', call: 'bind' };
      const sock = check('socket', c.socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0));
      if (!sock.ok) return sock;
      // Only root (the helper) may connect: the socket is made 0600 before it listens.
      const steps: [string, () => number][] = [
        ['bind', () => c.bind(sock.value, addr, addr.length) as number],
        ['chmod', () => (fs.chmodSync(p, 0o600), 0)],
        ['listen', () => c.listen(sock.value, 1) as number],
      ];
      for (const [call, step] of steps) {
        const r = call === 'chmod' ? fsCall(call, step) : unit(call, step());
        if (!r.ok) {
          c.close(sock.value);
          return r;
        }
      }
      return sock;
    },
    receiveFd: (listener) => {
      const conn = check('accept4', c.accept4(listener, null, null, SOCK_CLOEXEC | SOCK_NONBLOCK));
      if (!conn.ok) return conn;
      try {
        const peer = sys.getPeerCred(conn.value);
        if (!peer.ok) return peer;
        const data = Buffer.alloc(256);
        const control = Buffer.alloc(64);
        const msg = {
          name: null,
          namelen: 0,
          iov: [{ base: data, len: data.length }],
          iovlen: 1,
          control,
          controllen: control.length,
          flags: 0,
        };
        const r = check('recvmsg', c.recvmsg(conn.value, msg, MSG_CMSG_CLOEXEC));
        if (!r.ok) return r;
        const level = control.readInt32LE(8);
        const type = control.readInt32LE(12);
        const len = Number(control.readBigUInt64LE(0));
        if (msg.flags & MSG_CTRUNC || level !== SOL_SOCKET || type !== SCM_RIGHTS || len !== 20) {
          // Whatever fds did arrive are closed: only one, as SCM_RIGHTS, is accepted.
          for (let off = 16; off + 4 <= Math.min(len, control.length); off += 4)
            if (level === SOL_SOCKET && type === SCM_RIGHTS) c.close(control.readInt32LE(off));
          return { ok: false, errno: 'EPROTO', call: 'recvmsg' };
        }
        return ok({ fd: control.readInt32LE(16), peer: peer.value });
      } finally {
        c.close(conn.value);
      }
    },

    getPeerCred: (fd) => {
      const cred = Buffer.alloc(12);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(12, 0);
      const r = unit(
        'getsockopt(SO_PEERCRED)',
        c.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, len),
      );
      if (!r.ok) return r;
      const v: PeerCred = {
        pid: cred.readInt32LE(0),
        uid: cred.readUInt32LE(4),
        gid: cred.readUInt32LE(8),
      };
      return ok(v);
    },
    getPeerGroups: (fd) => {
      // Room for 64 groups first; ERANGE says how much is needed when that is not enough.
      let buf = Buffer.alloc(4 * 64);
      const len = Buffer.alloc(4);
      len.writeUInt32LE(buf.length, 0);
      let r = unit('getsockopt(SO_PEERGROUPS)', c.getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, buf, len));
      if (!r.ok && r.errno === 'ERANGE') {
        buf = Buffer.alloc(len.readUInt32LE(0));
        len.writeUInt32LE(buf.length, 0);
        r = unit('getsockopt(SO_PEERGROUPS)', c.getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, buf, len));
      }
      if (!r.ok) return r;
      const groups: number[] = [];
      for (let off = 0; off + 4 <= len.readUInt32LE(0); off += 4) groups.push(buf.readUInt32LE(off));
      return ok(groups);
    },
    groupId: (name) => {
      const grp = c.getgrnam(name);
      // struct group { char *gr_name; char *gr_passwd; gid_t gr_gid; … }
      return grp === null ? undefined : (koffi.decode(grp, 2 * koffi.sizeof('void *'), 'uint32_t') as number);
    },
    pidfdOpen: (pid) => check('pidfd_open', c.sysPidfdOpen(SYS_pidfd_open, pid, 0)),
    pidfdGetfd: (pidfd, targetFd) =>
      check('pidfd_getfd', c.sysPidfdGetfd(SYS_pidfd_getfd, pidfd, targetFd, 0)),
    bpfLoadDeviceProgram: (insns, license) => {
      const log = Buffer.alloc(BPF_LOG_SIZE);
      const attr = {
        prog_type: BPF_PROG_TYPE_CGROUP_DEVICE,
        insn_cnt: insns.length / 8,
        insns,
        license,
        log_level: 1,
        log_size: log.length,
        log_buf: log,
        kern_version: 0,
        prog_flags: 0,
      };
      const r = check('bpf(BPF_PROG_LOAD)', c.sysBpfLoad(SYS[arch].bpf, BPF_PROG_LOAD, attr, BPF_PROG_LOAD_ATTR_SIZE));
      if (r.ok) return r;
      // The verifier says why it refused the program: its last lines name the instruction.
      const said = log.subarray(0, Math.max(0, log.indexOf(0))).toString('utf8').trim().split('\n').slice(-3).join('; ');
      return { ...r, call: said ? `bpf(BPF_PROG_LOAD): ${said}` : r.call };
    },
    bpfDeviceProgram: (attach, cgroupFd, progFd) => {
      const attr = Buffer.alloc(BPF_ATTACH_ATTR_SIZE);
      attr.writeUInt32LE(cgroupFd, 0); // target_fd
      attr.writeUInt32LE(progFd, 4); // attach_bpf_fd
      attr.writeUInt32LE(BPF_CGROUP_DEVICE, 8); // attach_type
      attr.writeUInt32LE(attach ? BPF_F_ALLOW_MULTI : 0, 12); // attach_flags
      const cmd = attach ? BPF_PROG_ATTACH : BPF_PROG_DETACH;
      return unit(attach ? 'bpf(BPF_PROG_ATTACH)' : 'bpf(BPF_PROG_DETACH)', c.sysBpf(SYS[arch].bpf, cmd, attr, attr.length));
    },
    pidfdSendSignal: (pidfd, signal) =>
      unit(
        'pidfd_send_signal',
        c.sysPidfdSendSignal(SYS_pidfd_send_signal, pidfd, signal, null, 0),
      ),
    waitReadable: (fd) =>
      new Promise((resolve) => {
        const pfd = Buffer.alloc(8);
        pfd.writeInt32LE(fd, 0);
        pfd.writeInt16LE(1 /* POLLIN */, 4);
        const again = () =>
          c.poll.async(pfd, 1, -1, (err: unknown, rc: number) => {
            if (err) resolve({ ok: false, errno: 'EIO', call: 'poll' });
            else if (rc === -1)
              again(); // EINTR; errno is not readable from another thread's call
            else resolve(OK);
          });
        again();
      }),
  };
  return sys;
}

/** A sockaddr_un for `p`, or undefined when the path does not fit (108 bytes with its NUL). */
function unixAddress(p: string): Buffer | undefined {
  const name = Buffer.from(p);
  if (name.length + 1 > SUN_PATH_MAX) return undefined;
  const addr = Buffer.alloc(2 + name.length + 1);
  addr.writeUInt16LE(AF_UNIX, 0);
  name.copy(addr, 2);
  return addr;
}

/**
 * tmpcopyup: copy a directory tree keeping modes, owners and symlinks as they are. Paths
 * are /proc/self/fd/N roots, so nothing here resolves a path through the rootfs by name.
 */
function copyTree(from: string, to: string): void {
  for (const name of fs.readdirSync(from)) {
    const src = path.join(from, name);
    const dst = path.join(to, name);
    const st = fs.lstatSync(src);
    if (st.isSymbolicLink()) {
      fs.symlinkSync(fs.readlinkSync(src), dst);
      fs.lchownSync(dst, st.uid, st.gid);
      continue;
    }
    if (st.isDirectory()) {
      fs.mkdirSync(dst, { mode: st.mode & 0o7777 });
      copyTree(src, dst);
    } else if (st.isFile()) {
      fs.copyFileSync(src, dst, fs.constants.COPYFILE_EXCL);
    } else {
      continue; // devices, sockets and fifos are not copied
    }
    fs.chownSync(dst, st.uid, st.gid);
    fs.chmodSync(dst, st.mode & 0o7777);
  }
  const top = fs.statSync(from);
  fs.chmodSync(to, top.mode & 0o7777);
  fs.chownSync(to, top.uid, top.gid);
}

/** A file's text, refusing (EFBIG) one longer than `maxBytes`: never reads past that. */
function readAtMost(p: string, maxBytes: number): string {
  // Non-blocking, and regular files only: a FIFO or a device put there would hang or flood the read.
  const fd = fs.openSync(p, fs.constants.O_RDONLY | fs.constants.O_NOCTTY | fs.constants.O_NONBLOCK);
  try {
    if (!fs.fstatSync(fd).isFile()) throw Object.assign(new Error('not a regular file'), { code: 'EINVAL' });
    const buf = Buffer.alloc(maxBytes + 1);
    let n = 0;
    for (let r; n < buf.length && (r = fs.readSync(fd, buf, n, buf.length - n, null)) > 0; ) n += r;
    if (n > maxBytes) throw Object.assign(new Error('file too large'), { code: 'EFBIG' });
    return buf.toString('utf8', 0, n);
  } finally {
    fs.closeSync(fd);
  }
}
