// `bindery create`'s launcher: the same checks, init and plan as a daemon launch
// (container.ts, init.ts), but the init is started by the caller's own process with the
// caller's fds 0–2, and it parks before execve (ociInit.ts). When this resolves, the init
// waits on the exec fifo and the caller may exit: the init is then re-parented to the
// caller's subreaper (conmon, containerd's shim), which learns of its exit by reaping it.
import type { ChildProcess, StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { operationTarget, type NamespaceSetup, type Plan, renderOrigin } from '@bindery/plan';
import { initRequest, isLaunchError, prepare } from './container';
import {
  FirstStageError,
  initPidOf,
  needsFirstStage,
  openEventPipe,
  prepareFirstStage,
  type FirstStage,
} from './firstStage';
import { createCgroups, removeCgroups } from './cgroups';
import { recordHostMounts, releaseHostMounts, type HostMounts } from './hostMounts';
import { connectConsoleSocket } from './consoleSocket';
import { answerIdmapRequest } from './idmapLauncher';
import { answerHookRequest, hookState, runRuntimeHooks, type HookSubject } from './hooks';
import { spawnInit, spawnInitFor } from './initLauncher';
import { cgroupOf } from './ociCgroups';
import type { StageFailure } from './initProtocol';
import { readInitMessages } from './initMessages';
import { operationEvent } from './operationOutcome';
import { OCI_CREATE_ARG, PRESERVED_FDS_FROM, type OciCreateRequest } from './ociInit';
import type { EngineName } from './ociEngine';
import { EXEC_FIFO, ID_TAKEN, RuntimeError, type OciContainerState } from './ociState';
import type { OperationFailure } from '../protocol';
import { processStartTime, writeState } from './stateFile';
import { AT_FDCWD, CLOSE_RANGE_CLOEXEC, MAX_FD, S_IFIFO, type Syscalls } from './syscalls';

export interface OciCreateOptions {
  id: string;
  bundleDir: string;
  /** config.json as named in messages. */
  configName: string;
  plan: Plan;
  rootfs: string;
  annotations?: Record<string, string>;
  /** Who called the runtime, kept in the state for the editor. */
  engine?: EngineName;
  /** The runtime's --root. */
  stateRoot: string;
  /** The caller's fds 3 … 3+N-1 become the process's. */
  preserveFds: number;
  /** process.terminal: the caller's `--console-socket`, where the init sends the pty master. */
  consoleSocket?: string;
  /** Told about each operation and hook run as the init performs it (`--debug`). */
  onOperation?: (line: string) => void;
  /** A poststop hook that failed after a failed create (runc's words; only a warning). */
  onWarning?: (message: string) => void;
  /** The init, from startInit(); createOciContainer owns it from here on. */
  init: EarlyInit;
}

/**
 * An init started before the bundle is planned, so that its Node start-up overlaps the
 * planning. In a new PID namespace unless told otherwise: nearly every spec asks for one;
 * one that does not gets a fresh init (createOciContainer replaces it).
 */
export interface EarlyInit {
  child: ChildProcess;
  newPid: boolean;
}

export function startInit(newPid: boolean, preserveFds: number, sys: Syscalls): EarlyInit {
  keepOnlyPreservedFds(sys, preserveFds);
  return { child: spawnInit(newPid, sys, { args: [OCI_CREATE_ARG], stdio: ociStdio(preserveFds) }), newPid };
}

function ociStdio(preserveFds: number): Exclude<StdioOptions, string> {
  const preserved = Array.from({ length: preserveFds }, (_, i) => 3 + i);
  const stdio: Exclude<StdioOptions, string> = [0, 1, 2, 'pipe', 'pipe', ...preserved];
  if (stdio.length !== PRESERVED_FDS_FROM + preserveFds) throw new Error('fd layout');
  return stdio;
}

/**
 * An init that joins or makes what a warm Node cannot (a user namespace, a joined time or
 * PID namespace): started cold, through the first stage. Its pid, the container's, is the
 * init's own, also when `unshare --fork` is its parent. An engine's console socket is
 * connected here and handed down (consoleSocket.ts); the warm init, host root and started
 * before the spec was read, connects to it itself.
 */
async function startInitThroughFirstStage(
  spec: { namespaces: NamespaceSetup },
  preserveFds: number,
  dir: string,
  consoleSocket: string | undefined,
  sys: Syscalls,
): Promise<{
  child: ChildProcess;
  pid: number | undefined;
  root?: { uid: number; gid: number };
  forks: boolean;
  stateDirFd?: number;
  consoleSocketFd?: number;
}> {
  const ns = spec.namespaces;
  const stdio = ociStdio(preserveFds);
  let stage: FirstStage | undefined;
  let connection: number | undefined;
  try {
    let consoleSocketFd: number | undefined;
    if (consoleSocket !== undefined) {
      connection = connectConsoleSocket(sys, consoleSocket);
      consoleSocketFd = stdio.push(connection) - 1;
    }
    try {
      if (needsFirstStage(ns)) stage = await prepareFirstStage(ns, stdio.length, dir);
    } catch (e) {
      if (e instanceof FirstStageError) throw new RuntimeError(`${e.errno}: ${e.message} (hint: ${e.hint})`);
      throw e;
    }
    if (stage?.root) {
      fs.chownSync(path.join(dir, EXEC_FIFO), stage.root.uid, stage.root.gid);
    }
    let child: ChildProcess;
    try {
      child = spawnInitFor(ns, sys, { args: [OCI_CREATE_ARG], stdio, firstStage: stage });
    } finally {
      stage?.close();
    }
    return {
      child,
      pid: await initPidOf(child, stage),
      root: stage?.root,
      forks: stage?.forks ?? false,
      ...(stage ? { stateDirFd: stage.stateDirFd } : {}),
      ...(consoleSocketFd !== undefined ? { consoleSocketFd } : {}),
    };
  } finally {
    // The init has its own copy from here on (or there is no init).
    if (connection !== undefined) sys.close(connection);
  }
}

/** End an init that will not be used (the create failed before handing it a request). */
export async function stopInit(init: EarlyInit): Promise<void> {
  await discard({ child: init.child });
}

export interface Created {
  dir: string;
  state: OciContainerState;
  /** The init: parked on the exec fifo until `start`. */
  child: ChildProcess;
}

/** An operation that failed, as an engine shows it: which config.json entry (and line), and why. */
export function describeOperationFailure(configName: string, f: OperationFailure): string {
  const o = f.operation.origin;
  const where =
    o.kind === 'spec' && o.range
      ? `${configName}:${o.range.start.line + 1}:${o.range.start.character + 1}: `
      : '';
  return `${where}${renderOrigin(o, operationTarget(f.operation))}: ${f.message} (hint: ${f.hint})`;
}

function describeStage(s: StageFailure): string {
  return `${s.message} (hint: ${s.hint})`;
}

export async function createOciContainer(opts: OciCreateOptions, sys: Syscalls): Promise<Created> {
  const stateRoot = path.resolve(opts.stateRoot);
  const dir = path.join(stateRoot, opts.id);
  const prepared = prepare(
    { id: opts.id, bundleDir: opts.bundleDir, plan: opts.plan, owner: { uid: 0, gid: 0 } },
    dir,
  );
  if (isLaunchError(prepared)) {
    await stopInit(opts.init);
    throw new RuntimeError(prepared.message);
  }
  const spec = prepared.spec;

  try {
    fs.mkdirSync(stateRoot, { recursive: true, mode: 0o700 });
    fs.mkdirSync(dir, { mode: 0o711 });
  } catch (e) {
    await stopInit(opts.init);
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new RuntimeError(ID_TAKEN);
    throw e;
  }
  let child: ChildProcess | undefined = opts.init.child;
  let cgroups: string[] = [];
  let hostMounts: HostMounts | undefined;
  try {
    hostMounts = recordHostMounts(opts.plan, opts.rootfs);
    const fifo = path.join(dir, EXEC_FIFO);
    const mk = sys.mknodat(AT_FDCWD, fifo, S_IFIFO | 0o600, 0);
    if (!mk.ok) throw new RuntimeError(`cannot create the exec fifo ${fifo}: ${mk.errno}`);
    const state: OciContainerState = {
      version: 1,
      id: opts.id,
      bundle: path.resolve(opts.bundleDir),
      owner: { uid: 0, gid: 0 },
      createdAt: new Date().toISOString(),
      status: 'creating',
      args: spec.process.args,
      plan: opts.plan,
      rootfs: opts.rootfs,
      ownPidNamespace: spec.namespaces.newPid,
      ...(hostMounts ? { hostMounts } : {}),
      ...(opts.annotations ? { annotations: opts.annotations } : {}),
      ...(opts.engine ? { engine: opts.engine } : {}),
    };
    writeState(dir, state);

    let pid: number | undefined;
    let eventPipe: ReturnType<typeof openEventPipe> | undefined;
    let stateDirFd: number | undefined;
    let consoleSocketFd: number | undefined;
    if (needsFirstStage(spec.namespaces) || spec.namespaces.pidPath) {
      await stopInit(opts.init);
      child = undefined;
      keepOnlyPreservedFds(sys, opts.preserveFds);
      const started = await startInitThroughFirstStage(spec, opts.preserveFds, dir, opts.consoleSocket, sys);
      child = started.child;
      pid = started.pid;
      stateDirFd = started.stateDirFd;
      consoleSocketFd = started.consoleSocketFd;
      if (started.forks) {
        eventPipe = openEventPipe(sys, dir, started.root);
        child.once('exit', eventPipe.release);
      }
    } else {
      if (opts.init.newPid !== spec.namespaces.newPid) {
        await stopInit(opts.init);
        child = undefined;
        child = startInit(spec.namespaces.newPid, opts.preserveFds, sys).child;
      }
      pid = child.pid;
    }
    if (pid === undefined) throw new RuntimeError('the container init could not be started');
    // Before the request: a create killed from here on leaves a state a `delete` can clean.
    state.pid = pid;
    state.startTime = processStartTime(pid);
    writeState(dir, state);
    // Its cgroup, with the init in it before the init unshares its cgroup namespace (as a
    // daemon launch does: cgroups.ts).
    const cgroup = cgroupOf(opts.plan);
    if (cgroup) {
      const made = createCgroups(cgroup, pid, sys);
      state.cgroups = cgroups = made.made;
      writeState(dir, state);
      if (!made.ok) throw new RuntimeError(`${made.message} (hint: ${made.hint})`);
    }

    // Inherited fds: the output files are unused (io.stdio replaces them), so name /dev/null.
    const req: OciCreateRequest = {
      ...initRequest(
        { id: opts.id, plan: opts.plan, owner: { uid: 0, gid: 0 }, bundleDir: opts.bundleDir },
        spec,
        dir,
        { stdout: '/dev/null', stderr: '/dev/null' },
        opts.consoleSocket,
      ),
      execFifo: fifo,
      preserveFds: opts.preserveFds,
      ...(eventPipe ? { eventPipe: eventPipe.path } : {}),
      ...(stateDirFd !== undefined ? { stateDirFd } : {}),
      ...(consoleSocketFd !== undefined ? { consoleSocketFd } : {}),
    };
    let parked = false;
    let failure: string | undefined;
    // A forked init sends through a FIFO; the socket on fd 3 still carries hook answers.
    const replies = child.stdio[3] as unknown as NodeJS.WritableStream;
    const events = eventPipe?.stream ?? (child.stdio[3] as NodeJS.ReadableStream);
    let operationFailure: OperationFailure | undefined;
    const initPid = pid;
    const done = readInitMessages(events, (msg, line) => {
      if (!msg) failure ??= `the init sent something unreadable: ${line.slice(0, 200)}`;
      else if (msg.type === 'operation')
        opts.onOperation?.(JSON.stringify(operationEvent(opts.id, opts.plan, msg.outcome) ?? msg.outcome));
      else if (msg.type === 'hook') opts.onOperation?.(JSON.stringify(msg.run));
      else if (msg.type === 'hook-request')
        void answerHookRequest(opts.plan, msg.index, 0, subjectOf(opts), initPid, (run) =>
          opts.onOperation?.(JSON.stringify(run)),
        ).then((reply) => replies.write(JSON.stringify(reply) + '\n'));
      else if (msg.type === 'idmap-request')
        void answerIdmapRequest(opts.plan, msg.index, msg.fd, { pid: initPid, ownerUid: 0 }, sys).then(
          (reply) => replies.write(JSON.stringify(reply) + '\n'),
        );
      else if (msg.type === 'operation-failure') {
        operationFailure = msg.failure;
        failure = describeOperationFailure(opts.configName, msg.failure);
      } else if (msg.type === 'stage-failure') failure = describeStage(msg.failure);
      else if (msg.type === 'exec') parked = true;
    });
    const request = child.stdio[4] as NodeJS.WritableStream;
    request.on('error', () => {}); // the init died: reported below
    request.end(JSON.stringify(req) + '\n');
    await done;
    if (failure || !parked) {
      const why = failure ?? (await initExit(child));
      throw new RuntimeError(
        `unable to start container process: ${why}`,
        1,
        operationFailure ? { failure: operationFailure } : undefined,
      );
    }
    state.status = 'running';
    writeState(dir, state);
    return { dir, state, child };
  } catch (e) {
    await discard({
      dir,
      child,
      cgroups,
      poststop: () => runPoststop(opts.plan, subjectOf(opts), opts.onWarning),
      hostMounts: hostMounts && { mounts: hostMounts, sys },
    });
    throw e;
  }
}

/** Who the hooks' state is about. */
export function subjectOf(o: {
  id: string;
  bundleDir?: string;
  bundle?: string;
  annotations?: Record<string, string>;
}): HookSubject {
  return { id: o.id, bundle: path.resolve(o.bundle ?? o.bundleDir ?? '.'), annotations: o.annotations };
}

/** poststop, for `delete` and a failed create: a failure is a warning, in runc's words. */
export async function runPoststop(
  plan: Plan,
  subject: HookSubject,
  warn: ((message: string) => void) | undefined,
): Promise<void> {
  await runRuntimeHooks(plan, 'poststop', 0, hookState(subject, 'stopped'), { cwd: subject.bundle, env: process.env }, (run) => {
    if (!run.ok) warn?.(run.message);
  });
}

/** poststart, for `start` once the process is let go: a failure is a warning (runtime-spec). */
export async function runPoststart(
  plan: Plan,
  subject: HookSubject,
  pid: number | undefined,
  warn: (message: string) => void,
): Promise<void> {
  await runRuntimeHooks(plan, 'poststart', 0, hookState(subject, 'running', pid), { cwd: subject.bundle, env: process.env }, (run) => {
    if (!run.ok) warn(run.message);
  });
}

/** What a create leaves behind, undone; host mounts with the syscalls that detach them. */
interface Leftovers {
  dir?: string;
  child?: ChildProcess;
  cgroups?: readonly string[];
  poststop?: () => Promise<void>;
  hostMounts?: { mounts: HostMounts; sys: Pick<Syscalls, 'umount2'> };
}

async function discard({ dir, child, cgroups = [], poststop, hostMounts }: Leftovers): Promise<void> {
  if (child && child.exitCode === null && child.signalCode === null) {
    child.kill('SIGKILL');
    await new Promise((resolve) => child.once('exit', resolve));
  }
  // Mounts that would not go keep the state, so `delete` can try again.
  const left = hostMounts && releaseHostMounts(hostMounts.mounts, hostMounts.sys);
  if (left) throw new RuntimeError(left);
  await removeCgroups(cgroups);
  await poststop?.();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
}

/** Undo a create that cannot be handed over (its pid file could not be written). */
export function discardCreated(c: Created, sys: Pick<Syscalls, 'umount2'>): Promise<void> {
  const { hostMounts } = c.state;
  return discard({ dir: c.dir, child: c.child, cgroups: c.state.cgroups, hostMounts: hostMounts && { mounts: hostMounts, sys } });
}

function initExit(child: ChildProcess): Promise<string> {
  const say = () =>
    `the container's init exited before starting the process (${child.signalCode ?? `exit ${child.exitCode}`}); its stderr is above`;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(say());
  return new Promise((resolve) => child.once('exit', () => resolve(say())));
}

/**
 * fds this process inherited (containerd's shim leaks a socket as fd 3) must not reach the
 * init: all but 0–2 and the ones to preserve become close-on-exec. Node's own fds already are.
 */
export function keepOnlyPreservedFds(sys: Syscalls, preserveFds: number): void {
  const r = sys.closeRange(3 + preserveFds, MAX_FD, CLOSE_RANGE_CLOEXEC);
  if (!r.ok) throw new RuntimeError(`close_range failed: ${r.errno} (needs Linux 5.11+)`);
}

/**
 * When the init is not the launcher's own child but a first stage's (`unshare --fork`,
 * firstStage.ts), that parent leaves now: the init is then re-parented to the caller's
 * subreaper (conmon, containerd's shim), which learns of the container's exit only by
 * reaping the container's own pid — runc's intermediate processes exit the same way. Safe
 * once the init has parked: it cleared its parent-death signal before saying so.
 */
export async function leaveInitToSubreaper(c: Pick<Created, 'child' | 'state'>): Promise<void> {
  const { child } = c;
  if (child.pid === c.state.pid || child.exitCode !== null || child.signalCode !== null) return;
  const gone = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGKILL');
  await gone;
}

/** Let the parked init go on without this process: `create` exits, the caller's subreaper adopts it. */
export function releaseInit(child: ChildProcess): void {
  for (const s of child.stdio) s?.destroy();
  child.unref();
}

/** `--pid-file`: written whole or not at all (engines read it as soon as `create` returns). */
export function writePidFile(file: string, pid: number): void {
  const abs = path.resolve(file);
  const tmp = path.join(path.dirname(abs), `.${path.basename(abs)}.${process.pid}`);
  fs.writeFileSync(tmp, String(pid), { mode: 0o644 });
  fs.renameSync(tmp, abs);
}
