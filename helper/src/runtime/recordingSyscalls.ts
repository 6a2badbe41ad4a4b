// A Syscalls fake for unit tests: a small in-memory file tree and a log of every call that
// changes something, written the way strace would show it (fds shown as the path they
// stand for). Lets the whole mount sequence be tested without root.
import * as path from 'node:path';
import { MS, type MsFlag, notifies, renderAction, type SeccompFilter } from '@bindery/plan';
import {
  AT_FDCWD,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  RESOLVE_IN_ROOT,
  RESOLVE_NO_SYMLINKS,
  S_IFDIR,
  S_IFLNK,
  S_IFMT,
  S_IFREG,
  TMPFS_MAGIC,
  OK,
  ok,
  type FileStat,
  type PeerCred,
  type SysResult,
  type ThreadScheduling,
  type Syscalls,
} from './syscalls';

interface Node {
  mode: number;
  rdev?: number;
  link?: string;
  content?: string;
}

interface Failure {
  call: string;
  errno: string;
  /** Only calls whose log line contains this text fail. */
  match?: string;
  once: boolean;
}

export function msFlagNames(flags: number): string {
  const names = (Object.keys(MS) as MsFlag[]).filter((k) => (flags & MS[k]) !== 0);
  return names.length ? names.join('|') : '0';
}

export class RecordingSyscalls implements Syscalls {
  /** Calls that change something, in order. */
  readonly calls: string[] = [];
  readonly files = new Map<string, Node>();
  private readonly fds = new Map<number, string>();
  private nextFd = 10;
  private failures: Failure[] = [];
  private cwd = '/';
  /** The host path that is `/` for the process (changes at pivot_root). */
  private root = '/';
  pid = 1;

  constructor(tree: Record<string, 'dir' | 'file' | { link: string } | { chr: number }> = {}) {
    this.files.set('/', { mode: S_IFDIR | 0o755 });
    for (const [p, kind] of Object.entries(tree)) this.add(p, kind);
  }

  add(p: string, kind: 'dir' | 'file' | { link: string } | { chr: number }): void {
    const parts = p.split('/').filter(Boolean);
    for (let i = 1; i < parts.length; i++) {
      const d = '/' + parts.slice(0, i).join('/');
      if (!this.files.has(d)) this.files.set(d, { mode: S_IFDIR | 0o755 });
    }
    if (kind === 'dir') this.files.set(p, { mode: S_IFDIR | 0o755 });
    else if (kind === 'file') this.files.set(p, { mode: S_IFREG | 0o644 });
    else if ('link' in kind) this.files.set(p, { mode: S_IFLNK | 0o777, link: kind.link });
    else this.files.set(p, { mode: 0o020000 | 0o666, rdev: kind.chr });
  }

  /** Make the next (or every) call named `call` fail with `errno`, optionally only when its log line contains `match`. */
  failOn(call: string, errno: string, match?: string, once = true): void {
    this.failures.push({ call, errno, match, once });
  }

  private injected(
    call: string,
    line: string,
  ): { ok: false; errno: string; call: string } | undefined {
    const i = this.failures.findIndex(
      (f) => f.call === call && (f.match === undefined || line.includes(f.match)),
    );
    if (i < 0) return undefined;
    const f = this.failures[i];
    if (f.once) this.failures.splice(i, 1);
    return { ok: false as const, errno: f.errno, call };
  }

  private log(call: string, line: string): SysResult {
    const full = `${call} ${line}`.trim();
    const inj = this.injected(call, full);
    this.calls.push(inj ? `${full} = ${inj.errno}` : full);
    return inj ?? OK;
  }

  /** A path argument as the kernel would see it: /proc/self/fd/N → the fd's file. */
  private show(p: string | null): string {
    if (p === null) return 'NULL';
    const m = /^\/proc\/self\/fd\/(\d+)$/.exec(p);
    if (m) return `fd:${this.fds.get(Number(m[1])) ?? '?'}`;
    return p;
  }

  private abs(dirfd: number, p: string): string {
    if (p.startsWith('/')) return path.posix.join(this.root, p);
    const base = dirfd === AT_FDCWD ? path.posix.join(this.root, this.cwd) : this.fds.get(dirfd);
    return path.posix.join(base ?? '/nonexistent-fd', p);
  }

  /** Walk `rel` under `root`, following symlinks inside `root` (RESOLVE_IN_ROOT semantics). */
  private walk(root: string, rel: string, noSymlinks: boolean, depth = 0): SysResult<string> {
    if (depth > 40) return { ok: false, errno: 'ELOOP', call: 'openat2' };
    let cur = root;
    const parts = rel.split('/').filter((x) => x && x !== '.');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i];
      if (part === '..') {
        cur = cur === root ? root : path.posix.dirname(cur);
        continue;
      }
      const next = path.posix.join(cur, part);
      const node = this.files.get(next);
      if (!node) return { ok: false, errno: 'ENOENT', call: 'openat2' };
      if ((node.mode & S_IFMT) === S_IFLNK) {
        if (noSymlinks) return { ok: false, errno: 'ELOOP', call: 'openat2' };
        const target = node.link ?? '';
        const restRel = [
          target.startsWith('/') ? target : path.posix.relative(root, cur) + '/' + target,
          ...parts.slice(i + 1),
        ].join('/');
        return this.walk(root, restRel, noSymlinks, depth + 1);
      }
      if (i < parts.length - 1 && (node.mode & S_IFMT) !== S_IFDIR)
        return { ok: false, errno: 'ENOTDIR', call: 'openat2' };
      cur = next;
    }
    return ok(cur);
  }

  private newFd(p: string): number {
    const fd = this.nextFd++;
    this.fds.set(fd, p);
    return fd;
  }

  /** Open fds, for leak checks. */
  openFds(): number {
    return this.fds.size;
  }

  mount(
    source: string | null,
    target: string,
    fstype: string | null,
    flags: number,
    data: string | null,
  ): SysResult {
    const r = this.log(
      'mount',
      `${this.show(source)} ${this.show(target)} ${fstype ?? 'NULL'} ${msFlagNames(flags)} ${data ?? 'NULL'}`,
    );
    if (r.ok && (flags & MS.MS_BIND) === 0 && fstype === 'tmpfs') {
      // A fresh tmpfs hides what was there.
      const t = /^\/proc\/self\/fd\/(\d+)$/.exec(target);
      const dir = t ? this.fds.get(Number(t[1])) : target;
      if (dir)
        for (const k of [...this.files.keys()]) if (k.startsWith(dir + '/')) this.files.delete(k);
    }
    if (r.ok && (flags & MS.MS_BIND) === 0 && fstype === 'devpts') {
      // A new devpts instance comes with its multiplexer, ptmx (5:2).
      const t = /^\/proc\/self\/fd\/(\d+)$/.exec(target);
      const dir = t ? this.fds.get(Number(t[1])) : target;
      if (dir) this.files.set(path.posix.join(dir, 'ptmx'), { mode: 0o020000 | 0o666, rdev: (5 << 8) | 2 });
    }
    return r;
  }
  umount2(target: string, flags: number): SysResult {
    return this.log('umount2', `${this.show(target)} ${flags}`);
  }
  mountSetattr(
    dirfd: number,
    p: string,
    flags: number,
    attrSet: number,
    attrClr: number,
    propagation: number,
    usernsFd?: number,
  ): SysResult {
    const userns = usernsFd === undefined ? '' : ` userns=${this.fds.get(usernsFd) ?? usernsFd}`;
    return this.log(
      'mount_setattr',
      `fd:${this.fds.get(dirfd) ?? dirfd} "${p}" ${flags.toString(16)} set=${attrSet.toString(16)} clr=${attrClr.toString(16)} prop=${propagation}${userns}`,
    );
  }
  openTree(dirfd: number, p: string, flags: number): SysResult<number> {
    const from = p === '' ? (this.fds.get(dirfd) ?? `fd${dirfd}`) : this.abs(dirfd, p);
    const r = this.log('open_tree', `${from} ${flags.toString(16)}`);
    return r.ok ? ok(this.newFd(`tree:${from}`)) : (r as SysResult<number>);
  }
  moveMount(fromFd: number, toFd: number): SysResult {
    return this.log('move_mount', `fd:${this.fds.get(fromFd) ?? fromFd} fd:${this.fds.get(toFd) ?? toFd}`);
  }
  pivotRoot(newRoot: string, putOld: string): SysResult {
    const r = this.log(
      'pivot_root',
      `${newRoot} ${putOld} (cwd ${path.posix.join(this.root, this.cwd)})`,
    );
    if (r.ok) {
      this.root = path.posix.join(this.root, this.cwd);
      this.cwd = '/';
    }
    return r;
  }
  chroot(p: string): SysResult {
    const r = this.log('chroot', `${p} (cwd ${path.posix.join(this.root, this.cwd)})`);
    if (r.ok) this.root = path.posix.join(this.root, path.posix.resolve(this.cwd, p));
    return r;
  }
  mountFlags(_fd: number): SysResult<number> {
    return ok(MS.MS_NOSUID | MS.MS_NODEV | MS.MS_NOEXEC);
  }
  /** The filesystem magic of the files under a directory (tmpfs elsewhere), e.g. procfs's for /proc. */
  readonly fsMagic = new Map<string, number>();
  filesystemType(fd: number): SysResult<number> {
    const p = this.fds.get(fd) ?? '';
    for (const [dir, magic] of this.fsMagic) if (p === dir || p.startsWith(`${dir}/`)) return ok(magic);
    return ok(TMPFS_MAGIC);
  }
  /** The identity file accesses are checked with, as set by setFsIdentity (null: the process's own). */
  fsIdentity: { uid: number; gid: number; groups: readonly number[] } | null = null;
  setFsIdentity(id: { uid: number; gid: number; groups: readonly number[] } | null): SysResult {
    this.fsIdentity = id;
    return this.log('setfsidentity', id ? `${id.uid}:${id.gid}:${id.groups.join(',')}` : 'own');
  }
  accessFd(fd: number, mode: number): SysResult {
    return this.log('faccessat2', `fd:${this.fds.get(fd)} ${mode}`);
  }

  openat2(
    dirfd: number,
    p: string,
    _flags: number,
    _mode: number,
    resolve: number,
  ): SysResult<number> {
    const root = dirfd === AT_FDCWD ? this.root : this.fds.get(dirfd);
    if (root === undefined) return { ok: false, errno: 'EBADF', call: 'openat2' };
    const inj = this.injected('openat2', `openat2 ${path.posix.join(root, p)}`);
    if (inj) return inj;
    const r =
      resolve & RESOLVE_IN_ROOT
        ? this.walk(root, p, (resolve & RESOLVE_NO_SYMLINKS) !== 0)
        : this.walk('/', path.posix.join(root, p), false);
    if (!r.ok) return r;
    if (_flags & O_DIRECTORY && (this.files.get(r.value)!.mode & S_IFMT) !== S_IFDIR)
      return { ok: false, errno: 'ENOTDIR', call: 'openat2' };
    return ok(this.newFd(r.value));
  }
  openat(dirfd: number, p: string, flags: number, mode: number): SysResult<number> {
    const full = this.abs(dirfd, p);
    const inj = this.injected('openat', `openat ${full}`);
    if (inj) return inj;
    const exists = this.files.has(full);
    if (flags & O_CREAT) {
      if (exists && flags & O_EXCL) return { ok: false, errno: 'EEXIST', call: 'openat' };
      if (!exists) {
        this.files.set(full, { mode: S_IFREG | mode });
        this.calls.push(`create ${full} ${mode.toString(8)}`);
      }
      return ok(this.newFd(full));
    }
    const r = this.walk('/', full, false);
    if (!r.ok) return { ok: false, errno: r.errno, call: 'openat' };
    return ok(this.newFd(r.value));
  }
  close(fd: number): SysResult {
    if (!this.fds.delete(fd)) return { ok: false, errno: 'EBADF', call: 'close' };
    return OK;
  }
  mkdirat(dirfd: number, name: string, mode: number): SysResult {
    const full = this.abs(dirfd, name);
    if (this.files.has(full)) return { ok: false, errno: 'EEXIST', call: 'mkdirat' };
    const r = this.log('mkdir', `${full} ${mode.toString(8)}`);
    if (r.ok) this.files.set(full, { mode: S_IFDIR | mode });
    return r;
  }
  mknodat(dirfd: number, name: string, mode: number, dev: number): SysResult {
    const full = this.abs(dirfd, name);
    if (this.files.has(full)) return { ok: false, errno: 'EEXIST', call: 'mknodat' };
    const r = this.log('mknod', `${full} ${mode.toString(8)} ${dev}`);
    if (r.ok) this.files.set(full, { mode, rdev: dev });
    return r;
  }
  symlinkat(linkTarget: string, dirfd: number, name: string): SysResult {
    const full = this.abs(dirfd, name);
    if (this.files.has(full)) return { ok: false, errno: 'EEXIST', call: 'symlinkat' };
    const r = this.log('symlink', `${linkTarget} ${full}`);
    if (r.ok) this.files.set(full, { mode: S_IFLNK | 0o777, link: linkTarget });
    return r;
  }
  readlinkat(dirfd: number, name: string): SysResult<string> {
    const n = this.files.get(this.abs(dirfd, name));
    if (!n) return { ok: false, errno: 'ENOENT', call: 'readlinkat' };
    if (n.link === undefined) return { ok: false, errno: 'EINVAL', call: 'readlinkat' };
    return ok(n.link);
  }
  fstat(fd: number): SysResult<FileStat> {
    const p = this.fds.get(fd);
    const n = p === undefined ? undefined : this.files.get(p);
    if (!n) return { ok: false, errno: 'EBADF', call: 'fstat' };
    return ok({ mode: n.mode, uid: 0, gid: 0, rdev: n.rdev ?? 0, dev: 1, ino: 1 });
  }
  fchmod(fd: number, mode: number): SysResult {
    return this.log('fchmod', `fd:${this.fds.get(fd)} ${mode.toString(8)}`);
  }
  lchownat(dirfd: number, name: string, uid: number, gid: number): SysResult {
    return this.log('chown', `${this.abs(dirfd, name)} ${uid}:${gid}`);
  }
  copyTree(from: number, to: number): SysResult {
    return this.log('copy', `fd:${this.fds.get(from)} fd:${this.fds.get(to)}`);
  }
  readFile(p: string, maxBytes?: number): SysResult<string> {
    const n = this.files.get(path.posix.join(this.root, p));
    if (
      n?.content !== undefined &&
      maxBytes !== undefined &&
      Buffer.byteLength(n.content) > maxBytes
    )
      return { ok: false, errno: 'EFBIG', call: 'read' };
    if (!n || n.content === undefined) return { ok: false, errno: 'ENOENT', call: 'read' };
    return ok(n.content);
  }
  writeFd(fd: number, content: string): SysResult {
    return this.log('write', `fd:${this.fds.get(fd)} ${JSON.stringify(content)}`);
  }
  writeFile(p: string, content: string, mode: number): SysResult {
    const r = this.log('write', `${p} ${mode.toString(8)}`);
    if (r.ok) this.files.set(p, { mode: S_IFREG | mode, content });
    return r;
  }
  /** Give a host file some content (e.g. /etc/resolv.conf). */
  setContent(p: string, content: string): void {
    this.files.set(p, { mode: S_IFREG | 0o644, content });
  }
  isExecutable(p: string): boolean {
    const n = this.files.get(path.posix.join(this.root, p));
    return !!n && (n.mode & S_IFMT) === S_IFREG;
  }
  dup3(oldfd: number, newfd: number, flags: number): SysResult {
    return this.log('dup3', `${oldfd} ${newfd} ${flags}`);
  }
  closeRange(first: number, last: number, flags: number): SysResult {
    return this.log('close_range', `${first} ${last >>> 0} ${flags}`);
  }
  unshare(flags: number): SysResult {
    return this.log('unshare', `0x${flags.toString(16)}`);
  }
  setns(fd: number, nstype: number): SysResult {
    return this.log('setns', `fd:${this.fds.get(fd)} 0x${nstype.toString(16)}`);
  }
  chdir(p: string): SysResult {
    const r = this.log('chdir', p);
    if (r.ok) this.cwd = path.posix.resolve(this.cwd, p);
    return r;
  }
  fchdir(fd: number): SysResult {
    const p = this.fds.get(fd);
    const r = this.log('fchdir', `fd:${p}`);
    if (r.ok && p)
      this.cwd = path.posix.relative(this.root, p) ? '/' + path.posix.relative(this.root, p) : '/';
    return r;
  }
  sethostname(name: string): SysResult {
    return this.log('sethostname', name);
  }
  setdomainname(name: string): SysResult {
    return this.log('setdomainname', name);
  }
  prctl(option: number, arg2: number, arg3 = 0): SysResult<number> {
    const r = this.log('prctl', `${option} ${arg2}${arg3 ? ` ${arg3}` : ''}`);
    return r.ok ? ok(0) : r;
  }
  setresuid(uid: number): SysResult {
    return this.log('setresuid', String(uid));
  }
  setresgid(gid: number): SysResult {
    return this.log('setresgid', String(gid));
  }
  setgroups(gids: number[]): SysResult {
    return this.log('setgroups', `[${gids.join(',')}]`);
  }
  setrlimit(resource: number, soft: number, hard: number): SysResult {
    return this.log('prlimit', `${resource} ${soft} ${hard}`);
  }
  capset(effective: bigint, permitted: bigint, inheritable: bigint): SysResult {
    return this.log(
      'capset',
      `e=${effective.toString(16)} p=${permitted.toString(16)} i=${inheritable.toString(16)}`,
    );
  }
  seccompLoad(filter: SeccompFilter): SysResult<number | undefined> {
    const r = this.log(
      'seccomp_load',
      `default=${renderAction(filter.defaultAction)} arch=${filter.architectures.join(',')} rules=${filter.rules.length}${filter.flags.length ? ` flags=${filter.flags.join('|')}` : ''}`,
    );
    if (!r.ok) return r;
    return ok(notifies(filter) ? this.newFd('seccomp-listener') : undefined);
  }
  personality(persona: number): SysResult<number> {
    const r = this.log('personality', `0x${persona.toString(16)}`);
    return r.ok ? ok(0) : r;
  }
  ioprioSet(ioprio: number): SysResult {
    return this.log('ioprio_set', `class=${ioprio >> 13} data=${ioprio & 0x1fff}`);
  }
  schedSetattr(a: ThreadScheduling, tid = 0): SysResult {
    return this.log(
      'sched_setattr',
      `${tid ? `tid=${tid} ` : ''}policy=${a.policyValue} flags=${a.flagsValue} nice=${a.nice} priority=${a.priority} runtime=${a.runtime} deadline=${a.deadline} period=${a.period}`,
    );
  }
  /** Every thread starts as SCHED_OTHER at nice 0. */
  schedGetattr(tid: number): SysResult<ThreadScheduling> {
    const r = this.log('sched_getattr', `tid=${tid}`);
    if (!r.ok) return r;
    return ok({ policyValue: 0, flagsValue: 0, nice: 0, priority: 0, runtime: 0, deadline: 0, period: 0 });
  }
  schedSetaffinity(tid: number, cpus: readonly number[]): SysResult {
    return this.log('sched_setaffinity', `${tid} [${cpus.join(',')}]`);
  }
  setsid(): SysResult<number> {
    const r = this.log('setsid', '');
    return r.ok ? ok(this.pid) : r;
  }
  resetSignals(): SysResult {
    return this.log('reset_signals', '');
  }
  execve(p: string, argv: string[], envp: string[]): SysResult {
    return this.log('execve', `${p} ${JSON.stringify(argv)} ${JSON.stringify(envp)}`);
  }
  getpid(): number {
    return this.pid;
  }
  linkUp(name: string): SysResult {
    return this.log('link_up', name);
  }
  openPty(ptmx: string): SysResult<{ master: number; slave: number; index: number }> {
    const r = this.walk(this.root, ptmx, false);
    const inj = this.injected('open_pty', `open_pty ${ptmx}`);
    if (inj) {
      this.calls.push(`open_pty ${ptmx} = ${inj.errno}`);
      return inj;
    }
    if (!r.ok) {
      this.calls.push(`open_pty ${ptmx} = ${r.errno}`);
      return { ok: false, errno: r.errno, call: 'openat' };
    }
    this.calls.push(`open_pty ${ptmx}`);
    const index = this.ptys++;
    const slavePath = path.posix.join(this.root, `dev/pts/${index}`);
    this.files.set(slavePath, { mode: 0o020000 | 0o620, rdev: (136 << 8) | index });
    return ok({ master: this.newFd(`ptmx:${index}`), slave: this.newFd(slavePath), index });
  }
  private ptys = 0;
  setWindowSize(fd: number, rows: number, cols: number): SysResult {
    return this.log('set_window_size', `${this.fds.get(fd) ?? fd} ${rows}x${cols}`);
  }
  fchown(fd: number, uid: number, gid: number): SysResult {
    return this.log('fchown', `${this.fds.get(fd) ?? fd} ${uid}:${gid}`);
  }
  setControllingTerminal(fd: number): SysResult {
    return this.log('set_controlling_terminal', `${this.fds.get(fd) ?? fd}`);
  }
  setNonBlocking(fd: number): SysResult {
    return this.log('set_nonblocking', `${this.fds.get(fd) ?? fd}`);
  }
  connectUnix(p: string): SysResult<number> {
    const r = this.log('connect_unix', p);
    return r.ok ? ok(this.newFd(`socket:${p}`)) : (r as SysResult<number>);
  }
  sendFd(socket: number, fd: number, name: string): SysResult {
    return this.log('send_fd', `${this.fds.get(socket) ?? socket} ${this.fds.get(fd) ?? fd} ${name}`);
  }
  listenUnix(p: string): SysResult<number> {
    const r = this.log('listen_unix', p);
    return r.ok ? ok(this.newFd(`listener:${p}`)) : (r as SysResult<number>);
  }
  receiveFd(listener: number): SysResult<{ fd: number; peer: PeerCred }> {
    const r = this.log('receive_fd', `${this.fds.get(listener) ?? listener}`);
    return r.ok
      ? ok({ fd: this.newFd('received'), peer: { pid: this.pid, uid: 0, gid: 0 } })
      : (r as SysResult<{ fd: number; peer: PeerCred }>);
  }
  getPeerCred(_fd: number) {
    return { ok: false as const, errno: 'ENOTSOCK', call: 'getsockopt' };
  }
  getPeerGroups(_fd: number) {
    return { ok: false as const, errno: 'ENOTSOCK', call: 'getsockopt' };
  }
  groupId(_name: string): number | undefined {
    return undefined;
  }
  pidfdGetfd(pidfd: number, targetFd: number): SysResult<number> {
    const r = this.log('pidfd_getfd', `${this.fds.get(pidfd)} ${targetFd}`);
    return r.ok ? ok(this.newFd(`got:${targetFd}`)) : (r as SysResult<number>);
  }
  bpfLoadDeviceProgram(insns: Buffer, license: string): SysResult<number> {
    const r = this.log('bpf_prog_load', `cgroup_device ${insns.length / 8} insns ${license}`);
    return r.ok ? ok(this.newFd('bpf-prog')) : (r as SysResult<number>);
  }
  bpfDeviceProgram(attach: boolean, cgroupFd: number, progFd: number): SysResult {
    return this.log(attach ? 'bpf_prog_attach' : 'bpf_prog_detach', `${this.fds.get(cgroupFd) ?? cgroupFd} ${this.fds.get(progFd) ?? progFd}`);
  }
  pidfdOpen(pid: number): SysResult<number> {
    return ok(this.newFd(`pidfd:${pid}`));
  }
  pidfdSendSignal(pidfd: number, signal: number): SysResult {
    return this.log('pidfd_send_signal', `${this.fds.get(pidfd)} ${signal}`);
  }
  waitReadable(_fd: number): Promise<SysResult> {
    return new Promise(() => {});
  }
}
