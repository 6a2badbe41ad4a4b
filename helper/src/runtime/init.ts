// The container's init: started ahead of need by the launcher (so Node and koffi are
// already loaded), it waits for one InitRequest on stdin, then on its main thread and
// synchronously: joins/creates the namespaces, runs the plan's operations, sets up the
// process and execve()s it, becoming the container's process (PID 1 of its namespace).
//
// Only the main thread moves into the new mount namespace (unshare(CLONE_NEWNS) affects the
// calling thread); libuv's pool threads stay behind, so nothing here may use async I/O once
// the request has arrived. execve ends the other threads.
import * as fs from 'node:fs';
import { koffiSyscalls } from './koffiSyscalls';
import { EVENT_FD, type InitMessage, type InitRequest, type StageFailure } from './initProtocol';
import { execProcess, type ProcessStdio } from './processSetup';
import type { StepFailure } from './failure';
import { initIdmapRequester } from './initIdmap';
import { initHooks, readHookAnswersFrom } from './initHooks';
import { ociInitMain } from './ociInit';
import { isExecLabel, isProcessAttr, requesterInvariantViolations, type SeccompOp } from '@bindery/plan';
import { connectSeccompAgent } from './seccompListener';
import { setupRootfs } from './rootfs';
import { openStateFile, stateFilePath } from './stateDirAccess';
import { warmUp } from './warmUp';
import { HeldLines } from './heldLines';
import { EX_SOFTWARE } from '../exitCodes';
import {
  AT_FDCWD,
  CLONE_FS,
  PR_SET_PDEATHSIG,
  O_CLOEXEC,
  O_NOFOLLOW,
  O_RDONLY,
  O_RDWR,
  O_WRONLY,
  type Syscalls,
} from './syscalls';

let sink = (line: string): void => void fs.writeSync(EVENT_FD, line);
const operationLines = new HeldLines((text) => sink(text));
// An init that dies of a bug mid-plan still reports the steps it took.
process.on('exit', () => {
  try {
    operationLines.flush();
  } catch {
    // The launcher is gone too: nobody to tell.
  }
});

function send(msg: InitMessage): void {
  operationLines.flush();
  sink(JSON.stringify(msg) + '\n');
}

/**
 * Where messages go once the launcher stopped listening (the OCI init, after `create` returned).
 * `write` is given whole lines: one message, or a run of operation lines together.
 */
export function redirectInitMessages(write: (line: string) => void): void {
  operationLines.flush();
  sink = write;
}

/** What an init other than the daemon's changes (ociInit.ts: an engine's `create`). */
export interface InitIO {
  /** The process's fds 0–2 instead of /dev/null and the request's output files. */
  stdio?: ProcessStdio;
  /**
   * Right before execve, after every other step; it must run the startContainer hooks
   * (returning their failure). Default: run them, then send `exec`.
   */
  beforeExec?: (runStartHooks: () => StepFailure | undefined) => StepFailure | void;
}

function stageFailure(
  stage: StageFailure['stage'],
  errno: string,
  message: string,
  hint: string,
): number {
  send({
    type: 'stage-failure',
    failure: {
      stage,
      errno,
      message: message.startsWith(errno) ? message : `${errno}: ${message}`,
      hint,
    },
  });
  return 1;
}

/** Everything after the request arrived. Returns the exit code when the launch failed. */
export function runInit(req: InitRequest, sys: Syscalls, io: InitIO = {}): number {
  if (req.eventPipe) {
    // The launcher's socket still carries its answers to hook requests (initHooks.ts): it
    // moves to a free fd (the one /dev/null was just given) before the FIFO takes fd 3.
    const spare = sys.openat(AT_FDCWD, '/dev/null', O_RDONLY | O_CLOEXEC, 0);
    const kept = spare.ok ? sys.dup3(EVENT_FD, spare.value, O_CLOEXEC) : spare;
    if (!spare.ok || !kept.ok)
      return stageFailure(
        'namespaces',
        kept.ok ? 'EBADF' : kept.errno,
        'cannot keep the launcher socket',
        'report this',
      );
    readHookAnswersFrom(spare.value);
    const ev = openStateFile(sys, req, req.eventPipe, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
    const moved = ev.ok ? sys.dup3(ev.value, EVENT_FD, O_CLOEXEC) : ev;
    if (ev.ok) sys.close(ev.value);
    if (!moved.ok) {
      // Nobody reads the socket on fd 3 for a forked init: the launcher's stderr must say it.
      const why = `${moved.errno}: cannot open ${req.eventPipe}`;
      fs.writeSync(2, `bindery init: ${why}\n`);
      return stageFailure('namespaces', moved.errno, why, 'report this');
    }
  }
  if (req.expectPid1 && sys.getpid() !== 1)
    return stageFailure(
      'namespaces',
      'EINVAL',
      `the init is pid ${sys.getpid()}, not 1 of a new PID namespace`,
      'report this: the launcher did not create the PID namespace',
    );

  // Opened on the host side, before any namespace change. The output FIFOs read-write: the
  // pipe then always has a reader, so the process never gets SIGPIPE when the helper dies;
  // it waits when the pipe is full (logFollower.ts).
  const out = openStateFile(sys, req, req.stdoutPath, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  const err = openStateFile(sys, req, req.stderrPath, O_RDWR | O_NOFOLLOW | O_CLOEXEC);
  const nul = sys.openat(AT_FDCWD, '/dev/null', O_RDONLY | O_CLOEXEC, 0);
  for (const r of [out, err, nul])
    if (!r.ok)
      return stageFailure(
        'process',
        r.errno,
        'cannot open the output pipes in the state directory',
        'check that the state directory is writable',
      );
  if (!out.ok || !err.ok || !nul.ok) return 1;

  // The terminal's receiver: connected by the launcher, or reached by its host path while
  // the init still sees the host.
  let consoleSocket: number | undefined;
  if (req.plan.operations.some((op) => op.op === 'console')) {
    if (!req.consoleSocket)
      return stageFailure(
        'process',
        'EINVAL',
        'the spec asks for a terminal (process.terminal) but nobody receives it',
        'pass a console socket (--console-socket), or set process.terminal to false',
      );
    const s =
      req.consoleSocketFd !== undefined
        ? { ok: true as const, value: req.consoleSocketFd }
        : sys.connectUnix(stateFilePath(req, req.consoleSocket));
    if (!s.ok)
      return stageFailure(
        'process',
        s.errno,
        `cannot connect to the console socket ${req.consoleSocket}`,
        'it must be a listening unix socket (runc’s --console-socket)',
      );
    consoleSocket = s.value;
  }
  // The state directory's last use: a host directory has no business in the container.
  if (req.stateDirFd !== undefined) sys.close(req.stateDirFd);

  // SCMP_ACT_NOTIFY's agent, also reached by its host path now (seccompListener.ts).
  const seccomp = req.plan.operations.find((op): op is SeccompOp => op.op === 'seccomp');
  const subject = { id: req.id, bundle: req.bundle, annotations: req.spec.annotations };
  const agent = connectSeccompAgent(sys, seccomp, req.owner, subject, 'creating', 'self');
  if (!agent.ok)
    return stageFailure(
      'process',
      agent.errno,
      `failed to connect with seccomp agent specified in the seccomp profile (${seccomp?.listener?.path})`,
      'linux.seccomp.listenerPath must be a unix socket the seccomp agent listens on',
    );

  const ns = req.spec.namespaces;
  const joined = joinNamespaces(sys, ns.join);
  if (joined !== 0) return joined;
  if (ns.unshare !== 0) {
    const u = sys.unshare(ns.unshare);
    if (!u.ok)
      return stageFailure(
        'namespaces',
        u.errno,
        'unshare failed',
        'the helper needs CAP_SYS_ADMIN; nothing was mounted',
      );
  }
  // The offsets of a new time namespace: written before any process is in it; the execve
  // of the container's process enters it.
  if (ns.timeOffsets.length > 0) {
    const text = ns.timeOffsets.map((o) => `${o.clock} ${o.secs} ${o.nanosecs}\n`).join('');
    const fd = sys.openat(
      AT_FDCWD,
      '/proc/self/timens_offsets',
      O_WRONLY | O_NOFOLLOW | O_CLOEXEC,
      0,
    );
    const w = fd.ok ? sys.writeFd(fd.value, text) : fd;
    if (fd.ok) sys.close(fd.value);
    if (!w.ok)
      return stageFailure(
        'namespaces',
        w.errno,
        `cannot write the time namespace's offsets (${text.trim().replace(/\n/g, '; ')})`,
        'check linux.timeOffsets; the kernel needs CONFIG_TIME_NS',
      );
  }
  // A failed or partial unshare followed by mounts would mount on the host: check again.
  // A joined mount namespace gets the rootfs set-up too (runc), so it may not be the host's.
  let mine: string;
  try {
    mine = fs.readlinkSync('/proc/thread-self/ns/mnt');
  } catch {
    return stageFailure(
      'namespaces',
      'EIO',
      'cannot read /proc/thread-self/ns/mnt',
      'mount procfs on /proc on the host',
    );
  }
  // Host-mount mode (no mount namespace in the spec, as runc 1.1) mounts in the host's on
  // purpose, under the rootfs; for root only (requesterInvariantViolations, below).
  if (mine === req.hostMountNamespace && !ns.hostMount)
    return stageFailure(
      'namespaces',
      'EINVAL',
      ns.joinedMount
        ? 'the joined mount namespace is the helper’s own: the container’s mounts would land on the host'
        : 'the init is still in the host mount namespace',
      ns.joinedMount
        ? 'join a mount namespace made for the container (e.g. unshare --mount), not the host’s'
        : 'report this; nothing was mounted',
    );
  if (ns.newNetwork) {
    const lo = sys.linkUp('lo');
    if (!lo.ok)
      return stageFailure(
        'namespaces',
        lo.errno,
        'cannot bring up loopback in the new network namespace',
        'report this',
      );
  }

  // A non-root owner's plan is checked once more, here, where no launch can go around it.
  const violations = requesterInvariantViolations(req.plan, {
    owner: req.owner,
    stateDir: req.stateDir,
    launch: req.spec,
  });
  if (violations.length > 0)
    return stageFailure(
      'namespaces',
      'EPERM',
      `refusing to run this plan for uid ${req.owner.uid}: ${violations.join('; ')}`,
      'report this: the helper planned something a non-root user may not run; nothing was mounted',
    );

  // Modes in the plan are exact (device nodes, mount points), as in runc.
  process.umask(0);
  let terminal: number | undefined;
  const hooks = initHooks(req, sys, send);
  const failure = setupRootfs(req.plan, sys, {
    stateDir: req.stateDir,
    network: req.network,
    owner: req.owner,
    emit: (outcome) => operationLines.hold(JSON.stringify({ type: 'operation', outcome } satisfies InitMessage) + '\n'),
    runHook: (op) => hooks.runHook(op),
    requestIdmap: initIdmapRequester(send),
    ...(consoleSocket !== undefined
      ? {
          deliverMaster: (master: number) => sys.sendFd(consoleSocket, master, '/dev/ptmx'),
          keepTerminal: (slave: number) => (terminal = slave),
        }
      : {}),
  });
  operationLines.flush();
  if (consoleSocket !== undefined) sys.close(consoleSocket);
  if (failure) {
    send({ type: 'operation-failure', failure });
    return 1;
  }

  // With a terminal, it is the process's stdio, whoever started the container (runc).
  const stdio: ProcessStdio =
    terminal !== undefined
      ? { stdin: terminal, stdout: terminal, stderr: terminal, terminal: true }
      : (io.stdio ?? { stdin: nul.value, stdout: out.value, stderr: err.value });
  const f = execProcess(
    sys,
    req.spec.process,
    stdio,
    (m) => process.umask(m),
    () =>
      io.beforeExec
        ? io.beforeExec(() => hooks.runStartHooks())
        : (hooks.runStartHooks() ?? send({ type: 'exec' })),
    seccomp,
    req.plan.operations.filter((op) => isProcessAttr(op) || isExecLabel(op)),
    agent.value,
  );
  send({
    type: 'stage-failure',
    failure: { stage: 'process', errno: f.errno, message: f.message, hint: f.hint },
  });
  return 127;
}

/** The kernel's name of each namespace type, as readlink of an fd on one shows it. */
const NS_KIND: Record<string, string> = {
  ipc: 'ipc',
  uts: 'uts',
  network: 'net',
  mount: 'mnt',
  cgroup: 'cgroup',
};

/**
 * Joins the namespaces given by path, in the plan's order (runc's): every file opened and
 * checked first, so a wrong path fails before anything was joined. 0 when done.
 */
function joinNamespaces(sys: Syscalls, joins: InitRequest['spec']['namespaces']['join']): number {
  const fds: number[] = [];
  try {
    for (const j of joins) {
      const fd = sys.openat(AT_FDCWD, j.path, O_RDONLY | O_CLOEXEC, 0);
      if (!fd.ok)
        return stageFailure(
          'namespaces',
          fd.errno,
          `cannot open the ${j.type} namespace ${j.path}`,
          `check linux.namespaces (${j.type}).path`,
        );
      fds.push(fd.value);
      let kind: string | undefined;
      try {
        kind = /^([a-z_]+):\[\d+\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd.value}`))?.[1];
      } catch {
        kind = undefined;
      }
      if (kind !== NS_KIND[j.type])
        return stageFailure(
          'namespaces',
          'EINVAL',
          `${j.path} is not a ${j.type} namespace (it is ${kind ? `a ${kind} namespace` : 'not a namespace file'})`,
          `linux.namespaces (${j.type}).path must name a ${j.type} namespace, e.g. /proc/PID/ns/${NS_KIND[j.type]}`,
        );
    }
    for (const [i, j] of joins.entries()) {
      if (j.type === 'mount') {
        // setns(CLONE_NEWNS) needs a filesystem context of this thread's own; Node's threads share one.
        const u = sys.unshare(CLONE_FS);
        if (!u.ok)
          return stageFailure('namespaces', u.errno, 'unshare(CLONE_FS) failed', 'report this');
      }
      const r = sys.setns(fds[i], j.flag);
      if (!r.ok)
        return stageFailure(
          'namespaces',
          r.errno,
          `cannot join the ${j.type} namespace ${j.path}`,
          r.errno === 'EPERM'
            ? `the init may not enter ${j.path}: a namespace owned by another user namespace than the container's`
            : `${j.path} must be a ${j.type} namespace file (e.g. /proc/PID/ns/${NS_KIND[j.type]})`,
        );
    }
    return 0;
  } finally {
    for (const fd of fds) sys.close(fd);
  }
}

/** What an init runs before it says it is ready; the build runs it to write the code cache (bin/compileCache.js). */
export function prepare(): void {
  warmUp(koffiSyscalls());
}

/** Started by initLoader.ts (dist/init.js), or directly from sources. */
export function main(): void {
  const oci = ociInitMain(process.argv.slice(2));
  if (oci) return oci({ runInit, redirectInitMessages });
  const sys = koffiSyscalls(); // loaded now, while warm, not on the launch path
  // If the launcher dies before the process starts, so does this init (nothing is left
  // half-made with nobody to tear it down); cleared right before execve.
  const pd = sys.prctl(PR_SET_PDEATHSIG, 9 /* SIGKILL */);
  if (!pd.ok) {
    process.stderr.write(`bindery init: prctl(PR_SET_PDEATHSIG) failed: ${pd.errno}\n`);
    process.exit(EX_SOFTWARE);
  }
  warmUp(sys);
  send({ type: 'ready' });
  let buf = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buf += chunk;
    const nl = buf.indexOf('\n');
    if (nl < 0) return;
    process.stdin.pause();
    let req: InitRequest;
    try {
      req = JSON.parse(buf.slice(0, nl)) as InitRequest;
    } catch {
      process.exit(
        stageFailure('namespaces', 'EINVAL', 'the launch request is not valid JSON', 'report this'),
      );
    }
    process.exit(runInit(req, sys));
  });
  // The launcher went away before handing us a container: nothing to do.
  process.stdin.on('end', () => process.exit(0));
}

if (require.main === module) main();
