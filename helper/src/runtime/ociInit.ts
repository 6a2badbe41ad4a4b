// The init side of Bindery as an OCI runtime (an engine's `create` and `exec`).
//
// `create`: the same runInit as the daemon's launches, with two differences an engine
// needs. The process's stdio are the init's own fds 0–2 (the caller's: pipes from conmon
// or containerd's shim), and right before execve the init *parks*: it tells `create` it is
// ready, and waits on the container's exec fifo until `start` writes to it. `create` has
// exited meanwhile, so the init belongs to the caller's subreaper, which reaps it.
//
// `exec`: a process started in a running container. Spawned into the container's PID
// namespace by the launcher, it joins the container's other namespaces (mount last) and
// runs the same process set-up (processSetup.ts) as an init.
//
// fds: 0–2 are the process's; 3 the messages to the launcher (initProtocol.ts); 4 the
// request; from 5 on, the caller's fds to preserve (`--preserve-fds`), which become 3, 4, …
// right before execve.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ExecLabelOp, ProcessAttrOp, ProcessSetup, SeccompOp } from '@bindery/plan';
import type { HookSubject } from './hooks';
import type { InitIO } from './init';
import { EVENT_FD, type InitMessage, type InitRequest } from './initProtocol';
import { koffiSyscalls } from './koffiSyscalls';
import { openTerminal } from './console';
import { execProcess, type ProcessStdio } from './processSetup';
import { connectSeccompAgent } from './seccompListener';
import { processStartTime } from './stateFile';
import { openStateFile } from './stateDirAccess';
import { EX_SOFTWARE } from '../exitCodes';
import {
  AT_FDCWD,
  CLONE_FS,
  CLONE_NEWNS,
  O_CLOEXEC,
  O_RDONLY,
  O_RDWR,
  PR_SET_PDEATHSIG,
  type Syscalls,
} from './syscalls';

export const OCI_CREATE_ARG = '--oci-create';
export const OCI_EXEC_ARG = '--oci-exec';
export const REQUEST_FD = 4;
/** Where the launcher puts the first fd to preserve; it becomes fd 3 of the process. */
export const PRESERVED_FDS_FROM = 5;

export interface OciCreateRequest extends InitRequest {
  /** The container's exec fifo: the init waits on it until `start`. */
  execFifo: string;
  preserveFds: number;
}

export interface OciExecRequest {
  process: ProcessSetup;
  /** The container's init, and its start time (a recycled pid is refused). */
  pid: number;
  startTime: string;
  /** Namespace files under /proc/PID/ns to join, mount last (`mnt`, `net`, …); pid is joined by the launcher. */
  namespaces: string[];
  preserveFds: number;
  /** Scheduler, I/O priority and personality, set before the capabilities drop (runc 1.4's exec). */
  attrs: (ProcessAttrOp | ExecLabelOp)[];
  /** Whose state a seccomp agent gets (seccompListener.ts). */
  container: HookSubject;
  /** The container's seccomp filter: an exec'd process gets it too (as with runc). */
  seccomp?: SeccompOp;
  /**
   * `exec --tty`: a new terminal from the container's /dev/ptmx, its master sent over the
   * launcher's connection to the engine's console socket (consoleSocket.ts), this init's fd.
   */
  terminal?: { consoleSocketFd: number; size?: { rows: number; cols: number } };
}

interface InitEntry {
  runInit(req: InitRequest, sys: Syscalls, io: InitIO): number;
  redirectInitMessages(write: (line: string) => void): void;
}

/** The entry for init.ts's main when started with an OCI argument; undefined otherwise. */
export function ociInitMain(argv: string[]): ((entry: InitEntry) => void) | undefined {
  if (argv[0] === OCI_CREATE_ARG) return (entry) => process.exit(createInit(entry));
  if (argv[0] === OCI_EXEC_ARG) return () => process.exit(execInit());
  return undefined;
}

function send(msg: InitMessage): void {
  fs.writeSync(EVENT_FD, JSON.stringify(msg) + '\n');
}

/** Read the launcher's request (it closes its end after writing), then close the fd. */
function readRequest<T>(): T {
  const text = fs.readFileSync(REQUEST_FD, 'utf8');
  fs.closeSync(REQUEST_FD);
  return JSON.parse(text) as T;
}

/** With the launcher gone before the process runs, nothing would tear a half-made container down. */
function dieWithLauncher(sys: Syscalls): void {
  const pd = sys.prctl(PR_SET_PDEATHSIG, 9 /* SIGKILL */);
  if (!pd.ok) {
    fs.writeSync(2, `bindery init: prctl(PR_SET_PDEATHSIG) failed: ${pd.errno}\n`);
    process.exit(EX_SOFTWARE);
  }
}

/** The caller's fds 5, 6, … become the process's 3, 4, … (not close-on-exec). */
function placePreservedFds(sys: Syscalls, count: number): void {
  for (let i = 0; i < count; i++) {
    const r = sys.dup3(PRESERVED_FDS_FROM + i, 3 + i, 0);
    if (!r.ok) throw new Error(`cannot pass on preserved fd ${3 + i}: ${r.errno}`);
  }
}

/**
 * The process's stdio: this init's own 0–2, passed as copies. Node marks 0–2 close-on-exec
 * at start-up, and the set-up's dup3 onto 0–2 is what clears that flag again.
 */
function inheritedStdio(sys: Syscalls): ProcessStdio {
  const copy = (fd: number) => {
    const slot = fs.openSync('/dev/null', 'r'); // a free fd number, close-on-exec
    const r = sys.dup3(fd, slot, O_CLOEXEC);
    if (!r.ok) throw new Error(`cannot copy fd ${fd}: ${r.errno}`);
    return slot;
  };
  return { stdin: copy(0), stdout: copy(1), stderr: copy(2) };
}

/** After `create` returned, what the init still has to say goes to the process's stderr. */
function toStderr(line: string): void {
  try {
    const msg = JSON.parse(line) as InitMessage;
    if (msg.type === 'stage-failure')
      fs.writeSync(2, `bindery: ${msg.failure.message} (hint: ${msg.failure.hint})\n`);
  } catch {
    // nothing readable to say
  }
}

/**
 * Why Go's exec.LookPath (runc's) would not run `arg0`, in its words, or undefined when it
 * would. Engines map these words to exit codes (podman: "executable file not found in $PATH"
 * and "no such file or directory" → 127, "permission denied" → 126). Called in the
 * container, as the process's user, after process set-up failed.
 */
export function lookPathError(arg0: string, env: readonly string[]): string | undefined {
  const problem = (file: string): string | undefined => {
    let st: fs.Stats;
    try {
      st = fs.statSync(file);
    } catch (e) {
      // Node says "ENOENT: no such file or directory, stat '…'": Go says the middle part.
      const why = /^[A-Z0-9]+: ([^,]+)/.exec((e as Error).message)?.[1] ?? (e as Error).message;
      return `stat ${file}: ${why}`;
    }
    return st.isDirectory() || (st.mode & 0o111) === 0 ? 'permission denied' : undefined;
  };
  if (arg0.includes('/')) {
    const p = problem(arg0);
    return p && `exec: "${arg0}": ${p}`;
  }
  const pathVar = env.find((e) => e.startsWith('PATH='))?.slice(5) ?? '';
  for (const dir of pathVar.split(':'))
    if (problem(path.join(dir || '.', arg0)) === undefined) return undefined;
  return `exec: "${arg0}": executable file not found in $PATH`;
}

/** A message line (no newline); a process set-up failure gets runc's words in front when the program is what is missing. */
function withLookPath(line: string, p: ProcessSetup): string {
  let msg: InitMessage;
  try {
    msg = JSON.parse(line) as InitMessage;
  } catch {
    return line;
  }
  if (msg.type !== 'stage-failure' || msg.failure.stage !== 'process') return line;
  const why = lookPathError(p.args[0], p.env);
  if (!why) return line;
  return JSON.stringify({
    ...msg,
    failure: { ...msg.failure, message: `${why}: ${msg.failure.message}` },
  });
}

function createInit(entry: InitEntry): number {
  const sys = koffiSyscalls();
  dieWithLauncher(sys);
  const req = readRequest<OciCreateRequest>();
  // Opened now, on the host side: after pivot_root the path is gone. O_RDWR so that the
  // open does not wait for a writer, and so that the read below waits for data instead of
  // seeing end-of-file while no `start` has the fifo open.
  const opened = openStateFile(sys, req, req.execFifo, O_RDWR | O_CLOEXEC);
  if (!opened.ok) {
    const message = `${opened.errno}: cannot open the exec fifo ${req.execFifo}`;
    // A forked init's launcher reads the event FIFO, not yet opened: stderr must say it.
    if (req.eventPipe) fs.writeSync(2, `bindery init: ${message}\n`);
    send({
      type: 'stage-failure',
      failure: {
        stage: 'namespaces',
        errno: opened.errno,
        message,
        hint: 'the state directory was removed while the container was being created',
      },
    });
    return 1;
  }
  const fifo = opened.value;
  entry.redirectInitMessages((line) =>
    fs.writeSync(EVENT_FD, withLookPath(line.trimEnd(), req.spec.process) + '\n'),
  );
  return entry.runInit(req, sys, {
    stdio: inheritedStdio(sys),
    beforeExec: (runStartHooks) => {
      // `create` exits once it has read this: the process must outlive it.
      const pd = sys.prctl(PR_SET_PDEATHSIG, 0);
      if (!pd.ok) throw new Error(`cannot clear the parent-death signal: ${pd.errno}`);
      send({ type: 'exec' });
      fs.closeSync(EVENT_FD);
      entry.redirectInitMessages(toStderr);
      waitForStart(fifo);
      // startContainer runs once `start` has been called (runc: after the fifo is written).
      const hookFailure = runStartHooks();
      if (hookFailure) return hookFailure;
      placePreservedFds(sys, req.preserveFds);
    },
  });
}

/** Blocks until `start` writes a byte to the exec fifo. */
function waitForStart(fifo: number): void {
  const buf = Buffer.alloc(1);
  for (;;) {
    try {
      if (fs.readSync(fifo, buf, 0, 1, null) === 1) break;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'EINTR' && code !== 'EAGAIN') throw e;
    }
  }
  fs.closeSync(fifo);
}

function execInit(): number {
  const sys = koffiSyscalls();
  dieWithLauncher(sys);
  const req = readRequest<OciExecRequest>();
  const fail = (errno: string, message: string, hint: string) => {
    send({ type: 'stage-failure', failure: { stage: 'namespaces', errno, message, hint } });
    return 1;
  };
  // Every namespace file is opened before any is joined: joining the mount namespace
  // replaces the /proc these paths are read from.
  const fds: { type: string; fd: number }[] = [];
  for (const type of req.namespaces) {
    const fd = sys.openat(AT_FDCWD, `/proc/${req.pid}/ns/${type}`, O_RDONLY | O_CLOEXEC, 0);
    if (!fd.ok)
      return fail(
        fd.errno,
        `cannot open the container's ${type} namespace`,
        'is the container still running?',
      );
    fds.push({ type, fd: fd.value });
  }
  const consoleSocket = req.terminal?.consoleSocketFd;
  // A seccomp agent, by its host path too: runc sends it the exec'd process's fd and the
  // container's state, `running` with the container's pid.
  const agent = connectSeccompAgent(sys, req.seccomp, { uid: 0, gid: 0, groups: [] }, req.container, 'running', req.pid);
  if (!agent.ok)
    return fail(
      agent.errno,
      `failed to connect with seccomp agent specified in the seccomp profile (${req.seccomp?.listener?.path})`,
      'linux.seccomp.listenerPath must be a unix socket the seccomp agent listens on',
    );
  // The fds now hold the namespaces of whatever process has that pid: it must still be the container's.
  if (processStartTime(req.pid) !== req.startTime)
    return fail('ESRCH', `the container's process ${req.pid} is gone`, 'the container stopped');
  for (const { type, fd } of fds) {
    // setns(CLONE_NEWNS) needs an fs_struct of this thread's own, which Node's threads share.
    if (type === 'mnt') {
      const u = sys.unshare(CLONE_FS);
      if (!u.ok) return fail(u.errno, 'unshare(CLONE_FS) failed', 'report this');
    }
    const r = sys.setns(fd, type === 'mnt' ? CLONE_NEWNS : 0);
    if (!r.ok) return fail(r.errno, `cannot join the container's ${type} namespace`, 'report this');
    sys.close(fd);
  }
  // In the container's cgroup now (the launcher moved this process before sending the request).
  const final = req.process.execCpuAffinity?.final;
  if (final) {
    const r = sys.schedSetaffinity(0, final);
    if (!r.ok)
      return fail(
        r.errno,
        `cannot set execCPUAffinity.final ${final.join(',')}`,
        "the CPUs must be online and in the container's cpuset",
      );
  }
  let stdio: ProcessStdio;
  if (consoleSocket !== undefined) {
    // As runc's exec: a terminal of its own in the container's devpts, no /dev/console.
    const sock = consoleSocket;
    const t = openTerminal(sys, { ptmx: '/dev/ptmx', size: req.terminal?.size }, (m) =>
      sys.sendFd(sock, m, '/dev/ptmx'),
    );
    sys.close(sock);
    if (!t.ok) return fail(t.errno, t.message, t.hint);
    stdio = { stdin: t.slave, stdout: t.slave, stderr: t.slave, terminal: true };
  } else stdio = inheritedStdio(sys);
  const f = execProcess(
    sys,
    req.process,
    stdio,
    (m) => process.umask(m),
    () => {
      send({ type: 'exec' });
      if (req.preserveFds > 0) {
        fs.closeSync(EVENT_FD);
        placePreservedFds(sys, req.preserveFds);
      }
    },
    req.seccomp,
    req.attrs,
    agent.value,
  );
  const failure = { stage: 'process' as const, errno: f.errno, message: f.message, hint: f.hint };
  const line = withLookPath(JSON.stringify({ type: 'stage-failure', failure }), req.process);
  if (req.preserveFds > 0) toStderr(line);
  else fs.writeSync(EVENT_FD, line + '\n');
  return 127;
}
