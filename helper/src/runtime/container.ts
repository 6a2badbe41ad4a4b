// The runtime's API: launch a container from a plan, watch it, stop it, tear it down, and
// re-adopt it after a helper restart. The daemon and `bindery run` call this.
//
// A launch hands the plan to a warm init (initLauncher.ts), which does the namespace and
// mount work in its own process and then becomes the container's process; this side
// relays the init's events, writes state.json, follows the output files and waits for the
// exit. Nothing here mounts anything: the container's mounts live in its own mount
// namespace and go away with its last process.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { launchRefusals, type LaunchSpec, type Plan } from '@bindery/plan';
import {
  ErrorCodes,
  type ContainerInfo,
  type ContainerStatus,
  type ExitedEvent,
  type MountSummary,
  type OperationEvent,
  type OperationFailure,
  type StartedEvent,
} from '../protocol';
import { createCgroups, removeCgroups } from './cgroups';
import { initPool, spawnInit } from './initLauncher';
import type { InitMessage, InitRequest, StageFailure } from './initProtocol';
import { readInitMessages } from './initMessages';
import { koffiSyscalls } from './koffiSyscalls';
import { LogFollower, makeOutputPipe } from './logFollower';
import { applyOperationEvent, planMountSummaries } from './mountSummary';
import {
  readState,
  processStartTime,
  STDERR_PIPE,
  STDOUT_PIPE,
  writeState,
  type ContainerState,
} from './stateFile';
import { CLONE_NEWUTS, type SysResult, type Syscalls } from './syscalls';
import { TerminalRelay } from './terminalRelay';
import { ID_PATTERN } from './containerId';

export const DEFAULT_STATE_ROOT = '/run/bindery';
export { ID_PATTERN } from './containerId';
/** Grace period between SIGTERM and SIGKILL when none is given. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

export interface LaunchOptions {
  id: string;
  bundleDir: string;
  /**
   * planBundle()'s result for this bundle, planned with stateDir = `<stateRoot>/<id>`. The
   * launch runs from it alone (`plan.launch` for the process and namespaces): config.json
   * is not read again, so a file swapped in after planning is never the one that runs.
   */
  plan: Plan;
  /** Who launches it; groups: the supplementary groups its bind sources are opened with. */
  owner: { uid: number; gid: number; groups?: readonly number[] };
  /** Default /run/bindery. */
  stateRoot?: string;
  /**
   * Called for each operation as the init performs it, during the launch (before the
   * promise settles, so before a listener could be put on the Container).
   */
  onOperation?: (event: OperationEvent) => void;
}

/** What launchContainer rejects with. Nothing of the container is left behind. */
export interface LaunchError {
  /** A protocol ErrorCodes value. */
  code: number;
  /** Machine-readable: 'plan-has-errors', 'already-exists', 'mount-failed', 'namespace-failed', 'process-failed', 'init-died'. */
  reason: string;
  message: string;
  /** The failed operation, when a plan step failed. */
  failure?: OperationFailure;
  /** A failure outside the plan (namespaces, process setup, execve). */
  stage?: StageFailure;
}

export function isLaunchError(e: unknown): e is LaunchError {
  return (
    !!e &&
    typeof e === 'object' &&
    typeof (e as LaunchError).code === 'number' &&
    typeof (e as LaunchError).reason === 'string'
  );
}

/** Events: 'operation' OperationEvent, 'started' StartedEvent, 'output' OutputEvent, 'exited' ExitedEvent, 'torn-down'. */
export interface Container extends EventEmitter {
  readonly id: string;
  readonly pid?: number;
  readonly status: ContainerStatus;
  info(): ContainerInfo;
  /** SIGTERM, then SIGKILL after `timeoutMs` (default 10 s); resolves when the process is gone. */
  stop(timeoutMs?: number): Promise<void>;
  /** Stop (with `graceMs`, default 10 s) and remove every trace. Idempotent. */
  teardown(graceMs?: number): Promise<void>;
  readonly exited: Promise<ExitedEvent>;
  /** Whether the process has a terminal the helper holds (process.terminal). */
  readonly hasTerminal: boolean;
  /** Type into the terminal; false when it has none (any more) or its input queue is full. */
  writeInput(data: Buffer): boolean;
  /** Resize the terminal (the process gets SIGWINCH). */
  resize(rows: number, cols: number): SysResult;
}

/** The socket in the state directory a terminal's master arrives on (from the init). */
const CONSOLE_SOCKET = 'console.sock';

const SIGNAL_NUMBERS = os.constants.signals as Record<string, number>;

class ContainerImpl extends EventEmitter implements Container {
  status: ContainerStatus = 'creating';
  pid?: number;
  readonly exited: Promise<ExitedEvent>;
  readonly mounts: MountSummary[];
  private resolveExited!: (e: ExitedEvent) => void;
  private exitEvent?: ExitedEvent;
  private followers: LogFollower[] = [];
  private terminal?: TerminalRelay;
  private startedShown: Promise<void> = Promise.resolve();
  private tornDown?: Promise<void>;
  private child?: ChildProcess;
  private pidfd?: number;
  private started = false;
  /** An exit seen before the launch finished (a fast process): reported once it is started. */
  private earlyExit?: ExitedEvent;

  constructor(
    private readonly sys: Syscalls,
    readonly state: ContainerState,
    readonly stateDir: string,
  ) {
    super();
    this.id = state.id;
    this.mounts = planMountSummaries(state.plan);
    this.exited = new Promise((resolve) => (this.resolveExited = resolve));
    // Nobody may have to listen for 'exited' to avoid an unhandled rejection: it never rejects.
  }
  readonly id: string;

  info(): ContainerInfo {
    const net = this.state.plan.operations.flatMap((o) =>
      o.op === 'write-network-file' ? [{ name: o.file, path: o.hostPath }] : [],
    );
    return {
      id: this.id,
      bundle: this.state.bundle,
      status: this.status,
      ...(this.status === 'running' && this.pid !== undefined ? { pid: this.pid } : {}),
      owner: this.state.owner.uid,
      createdAt: this.state.createdAt,
      ...(this.exitEvent?.exitCode !== undefined ? { exitCode: this.exitEvent.exitCode } : {}),
      ...(this.exitEvent?.signal !== undefined ? { signal: this.exitEvent.signal } : {}),
      args: this.state.args,
      ...(this.terminal?.open ? { terminal: true } : {}),
      mounts: this.mounts.map((m) => ({ ...m })),
      networkFiles: net,
    };
  }

  /**
   * Opens the helper's ends of the output pipes, before the process can write to them, so
   * that nothing it prints is lost if it exits before it is followed.
   */
  openOutput(): void {
    for (const [file, stream] of [
      [STDOUT_PIPE, 'stdout'],
      [STDERR_PIPE, 'stderr'],
    ] as const) {
      this.followers.push(
        new LogFollower(path.join(this.stateDir, file), (data) =>
          this.emit('output', { id: this.id, stream, data }),
        ),
      );
    }
  }

  /** Closes the output pipes (a launch that failed). */
  closeOutput(): void {
    for (const f of this.followers) f.stop();
    this.terminal?.stop();
  }

  /** The terminal's master, received from the init: its output is the container's stdout. */
  attachTerminal(master: number): void {
    this.terminal = new TerminalRelay(this.sys, master, (data) =>
      this.emit('output', { id: this.id, stream: 'stdout', data }),
    );
  }

  get hasTerminal(): boolean {
    return this.terminal?.open ?? false;
  }

  writeInput(data: Buffer): boolean {
    return this.status === 'running' && (this.terminal?.write(data) ?? false);
  }

  resize(rows: number, cols: number): SysResult {
    if (!this.terminal || this.status !== 'running')
      return { ok: false, errno: 'ENOTTY', call: 'ioctl(TIOCSWINSZ)' };
    return this.terminal.resize(rows, cols);
  }

  /** The process runs: remember it, follow its output, tell listeners (after the launch promise settled). */
  markStarted(pid: number, from: { child?: ChildProcess; pidfd?: number }): void {
    this.pid = pid;
    this.child = from.child;
    this.pidfd = from.pidfd;
    this.status = 'running';
    this.startedShown = new Promise((resolve) =>
      setImmediate(() => {
        const ev: StartedEvent = { id: this.id, pid };
        this.emit('started', ev);
        for (const f of this.followers) f.start();
        const t = this.terminal?.start();
        if (t && !t.ok) this.emit('warning', `cannot read the terminal: ${t.errno}`);
        resolve();
      }),
    );
    this.started = true;
    if (this.earlyExit) void this.markExited(this.earlyExit);
  }

  /** The init (or the process it became) exited; before the launch is settled this only remembers it. */
  noteExit(ev: ExitedEvent): void {
    if (this.started) void this.markExited(ev);
    else this.earlyExit ??= ev;
  }

  /** The process is gone: drain its output, then say so. */
  async markExited(ev: ExitedEvent): Promise<void> {
    if (this.exitEvent) return;
    this.exitEvent = ev;
    this.status = 'stopped';
    await this.startedShown;
    for (const f of this.followers) f.flush();
    this.terminal?.flush();
    this.pid = undefined;
    if (this.pidfd !== undefined) this.sys.close(this.pidfd);
    this.pidfd = undefined;
    if (fs.existsSync(this.stateDir)) {
      try {
        writeState(this.stateDir, { ...this.state, status: 'stopped' });
      } catch {
        // torn down meanwhile
      }
    }
    this.emit('exited', ev);
    this.resolveExited(ev);
  }

  private signal(name: 'SIGTERM' | 'SIGKILL'): void {
    if (this.exitEvent) return;
    // Only the process we started: our child (not yet reaped, so the pid is still ours), or
    // the pidfd opened on adoption after checking its start time.
    if (this.child) this.child.kill(name);
    else if (this.pidfd !== undefined) this.sys.pidfdSendSignal(this.pidfd, SIGNAL_NUMBERS[name]);
  }

  async stop(timeoutMs = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
    if (this.exitEvent || this.status !== 'running') return;
    this.signal('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>(
        (resolve) => (timer = setTimeout(() => resolve(true), Math.max(0, timeoutMs))),
      ),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.signal('SIGKILL');
      await this.exited;
    }
  }

  teardown(graceMs = DEFAULT_STOP_TIMEOUT_MS): Promise<void> {
    this.tornDown ??= (async () => {
      await this.stop(graceMs);
      for (const f of this.followers) f.stop();
      this.terminal?.stop();
      const left = await removeCgroups(this.state.cgroups ?? []);
      if (left.length) this.emit('warning', `cgroups still busy, left behind: ${left.join(', ')}`);
      // The mount namespace, and every mount in it, died with the last process. What is
      // left is on the host: the state directory with the network files and the pipes.
      fs.rmSync(this.stateDir, { recursive: true, force: true });
      this.emit('torn-down', { id: this.id });
    })();
    return this.tornDown;
  }
}

function launchError(
  code: number,
  reason: string,
  message: string,
  extra: Partial<LaunchError> = {},
): LaunchError {
  return { code, reason, message, ...extra };
}

/** Check what the plan and spec ask for before any process is started. */
export function prepare(opts: LaunchOptions, stateDir: string): { spec: LaunchSpec } | LaunchError {
  if (!ID_PATTERN.test(opts.id) || opts.id === '.' || opts.id === '..')
    return launchError(
      ErrorCodes.InvalidParams,
      'invalid-id',
      `container id "${opts.id}" must be 1–64 of A–Z a–z 0–9 _ . -`,
    );
  const errors = launchRefusals(opts.plan);
  if (errors.length)
    return launchError(
      ErrorCodes.PlanHasErrors,
      'plan-has-errors',
      `the helper refuses this spec (${errors.length} finding${errors.length > 1 ? 's' : ''}); first: ${errors[0].message}`,
    );
  if (!opts.plan.rootfs || opts.plan.operations.length === 0)
    return launchError(
      ErrorCodes.PlanHasErrors,
      'plan-has-errors',
      'the plan has no rootfs or no operations',
    );
  for (const op of opts.plan.operations) {
    if (
      op.op === 'write-network-file' &&
      path.resolve(op.hostPath) !== path.join(stateDir, op.file)
    )
      return launchError(
        ErrorCodes.InvalidParams,
        'wrong-state-dir',
        `the plan writes ${op.hostPath}; plan the bundle with stateDir ${stateDir}`,
      );
  }
  // A cgroup placed or limited by the spec writes into the host's cgroup tree (an existing
  // cgroup may be named): root's alone, whatever the peer policy let through. The runtime's
  // own writes (runc's default device whitelist) only restrict, and stay.
  const cgroup = opts.plan.operations.find((o) => o.op === 'cgroup');
  if (
    opts.owner.uid !== 0 &&
    cgroup &&
    (cgroup.writes.some((w) => w.origin.kind === 'spec') || cgroup.origin.kind === 'spec')
  )
    return launchError(
      ErrorCodes.PermissionDenied,
      'cgroup-needs-root',
      'linux.resources limits and linux.cgroupsPath change the host’s cgroups: only root may set them',
    );
  // What the helper refuses is said once, as plan findings (checked above). From here on
  // only asserts that a plan not made by planBundle could trip.
  const spec = opts.plan.launch;
  if (!spec)
    return launchError(
      ErrorCodes.PlanHasErrors,
      'plan-has-errors',
      'the plan has no launch settings; make it with planBundle()',
    );
  const ownUts =
    (spec.namespaces.unshare & CLONE_NEWUTS) !== 0 ||
    spec.namespaces.join.some((j) => j.type === 'uts');
  if (
    !ownUts &&
    opts.plan.operations.some((o) => o.op === 'sethostname' || o.op === 'setdomainname')
  )
    return launchError(
      ErrorCodes.PlanHasErrors,
      'plan-has-errors',
      'the plan sets hostname or domainname without a uts namespace; that would rename the host',
    );
  return { spec };
}

export async function launchContainer(opts: LaunchOptions): Promise<Container> {
  const sys = koffiSyscalls();
  const stateRoot = path.resolve(opts.stateRoot ?? DEFAULT_STATE_ROOT);
  const stateDir = path.join(stateRoot, opts.id);
  const prepared = prepare(opts, stateDir);
  if ('code' in prepared) throw prepared;
  const spec = prepared.spec;

  try {
    fs.mkdirSync(stateRoot, { recursive: true, mode: 0o711 });
    fs.mkdirSync(stateDir, { mode: 0o711 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw launchError(
        ErrorCodes.AlreadyExists,
        'already-exists',
        `a container named ${opts.id} already exists in ${stateRoot}`,
      );
    throw launchError(
      ErrorCodes.LaunchFailed,
      'state-dir',
      `cannot create the state directory ${stateDir}: ${code}`,
    );
  }

  const state: ContainerState = {
    version: 1,
    id: opts.id,
    bundle: path.resolve(opts.bundleDir),
    owner: opts.owner,
    createdAt: new Date().toISOString(),
    status: 'creating',
    args: spec.process.args,
    plan: opts.plan,
  };
  const container = new ContainerImpl(sys, state, stateDir);
  let child: ChildProcess | undefined;
  let consoleListener: number | undefined;
  try {
    // process.terminal: the init sends the pty master here (SCM_RIGHTS), before execve.
    if (opts.plan.operations.some((o) => o.op === 'console')) {
      const l = sys.listenUnix(path.join(stateDir, CONSOLE_SOCKET));
      if (!l.ok)
        throw launchError(
          ErrorCodes.LaunchFailed,
          'state-dir',
          `cannot listen for the terminal on ${path.join(stateDir, CONSOLE_SOCKET)}: ${l.errno}`,
        );
      consoleListener = l.value;
    }
    for (const name of [STDOUT_PIPE, STDERR_PIPE]) {
      const made = makeOutputPipe(sys, path.join(stateDir, name));
      if (!made.ok)
        throw launchError(
          ErrorCodes.LaunchFailed,
          'state-dir',
          `cannot create the output pipe ${path.join(stateDir, name)}: ${made.errno}`,
        );
    }
    container.openOutput();
    child = spec.namespaces.newPid ? initPool.take() : spawnInit(false);
    // The init becomes the process: its pid and start time are the container's. Written
    // before the launch, so a helper that dies mid-launch leaves enough to re-adopt it.
    const pid = child.pid;
    if (pid === undefined)
      throw launchError(
        ErrorCodes.LaunchFailed,
        'init-died',
        'the container init could not be started (is node still installed where the helper runs from?)',
      );
    container.state.pid = pid;
    container.state.startTime = processStartTime(pid);
    writeState(stateDir, container.state);
    // Its cgroup, with the init in it before the init unshares its cgroup namespace.
    const cgroup = opts.plan.operations.find((o) => o.op === 'cgroup');
    if (cgroup) {
      const made = createCgroups(cgroup, pid);
      container.state.cgroups = made.made;
      writeState(stateDir, container.state);
      if (!made.ok)
        throw launchError(ErrorCodes.LaunchFailed, 'cgroup-failed', made.message, {
          stage: { stage: 'namespaces', errno: made.errno, message: made.message, hint: made.hint },
        });
    }
    const result = await runLaunch(child, container, opts, spec, stateDir, consoleListener !== undefined);
    if (result) throw result;
    if (consoleListener !== undefined) {
      const got = sys.receiveFd(consoleListener);
      // Only this launch's init may hand over the terminal (the socket is root's, 0600).
      if (!got.ok || got.value.peer.pid !== pid) {
        if (got.ok) sys.close(got.value.fd);
        throw launchError(
          ErrorCodes.LaunchFailed,
          'init-died',
          `the container's terminal did not arrive from its init (${got.ok ? `sent by pid ${got.value.peer.pid}` : got.errno})`,
        );
      }
      container.attachTerminal(got.value.fd);
    }
    if (consoleListener !== undefined) closeConsoleListener(sys, consoleListener, stateDir);
    consoleListener = undefined;
    container.state.status = 'running';
    writeState(stateDir, container.state);
    container.markStarted(pid, { child });
    initPool.scheduleRefill();
    return container;
  } catch (e) {
    if (consoleListener !== undefined) closeConsoleListener(sys, consoleListener, stateDir);
    consoleListener = undefined;
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    container.closeOutput();
    await removeCgroups(container.state.cgroups ?? []);
    fs.rmSync(stateDir, { recursive: true, force: true });
    initPool.scheduleRefill();
    if (isLaunchError(e)) throw e;
    throw launchError(
      ErrorCodes.LaunchFailed,
      'internal',
      `launch failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function closeConsoleListener(sys: Syscalls, fd: number, stateDir: string): void {
  sys.close(fd);
  fs.rmSync(path.join(stateDir, CONSOLE_SOCKET), { force: true });
}

let launcherMountNamespace: string | undefined;

/** What the init is asked to do for this launch; `output`: the files its stdout and stderr go to. */
export function initRequest(
  opts: Pick<LaunchOptions, 'id' | 'plan' | 'owner'>,
  spec: LaunchSpec,
  stateDir: string,
  output: { stdout: string; stderr: string },
  consoleSocket?: string,
): InitRequest {
  return {
    id: opts.id,
    plan: opts.plan,
    stateDir,
    spec,
    network: {
      hostname: spec.hostname ?? os.hostname(),
      domainname: spec.domainname,
      ownNetworkNamespace: spec.namespaces.ownNetwork,
    },
    stdoutPath: output.stdout,
    stderrPath: output.stderr,
    hostMountNamespace: (launcherMountNamespace ??= fs.readlinkSync('/proc/self/ns/mnt')),
    owner: { uid: opts.owner.uid, gid: opts.owner.gid, groups: [...(opts.owner.groups ?? [])] },
    expectPid1: spec.namespaces.newPid,
    ...(consoleSocket ? { consoleSocket } : {}),
  };
}

/** Send the request, relay the init's messages; undefined when the process was started. */
function runLaunch(
  child: ChildProcess,
  container: ContainerImpl,
  opts: LaunchOptions,
  spec: LaunchSpec,
  stateDir: string,
  terminal: boolean,
): Promise<LaunchError | undefined> {
  const req = initRequest(
    opts,
    spec,
    stateDir,
    { stdout: path.join(stateDir, STDOUT_PIPE), stderr: path.join(stateDir, STDERR_PIPE) },
    terminal ? path.join(stateDir, CONSOLE_SOCKET) : undefined,
  );
  return new Promise((resolve) => {
    let execSeen = false;
    let outcome: LaunchError | undefined;
    let stderr = '';
    const events = child.stdio[3] as NodeJS.ReadableStream;
    child.stdio[2]?.on('data', (d: Buffer) => {
      if (stderr.length < 16384) stderr += d.toString('utf8');
    });
    child.once('exit', (code, signal) => {
      const exitCode = code ?? undefined;
      container.noteExit({
        id: opts.id,
        ...(exitCode !== undefined ? { exitCode } : {}),
        ...(signal ? { signal } : {}),
      });
    });
    const handle = (msg: InitMessage) => {
      switch (msg.type) {
        case 'operation':
          applyOperationEvent(opts.plan, container.mounts, msg.event);
          opts.onOperation?.(msg.event);
          container.emit('operation', msg.event);
          break;
        case 'operation-failure':
          outcome = launchError(ErrorCodes.LaunchFailed, 'mount-failed', msg.failure.message, {
            failure: msg.failure,
          });
          break;
        case 'stage-failure':
          outcome = launchError(
            ErrorCodes.LaunchFailed,
            msg.failure.stage === 'namespaces' ? 'namespace-failed' : 'process-failed',
            msg.failure.message,
            { stage: msg.failure },
          );
          break;
        case 'exec':
          execSeen = true;
          break;
        case 'ready':
          break;
      }
    };
    void readInitMessages(events, (msg, line) => {
      if (msg) handle(msg);
      else
        outcome ??= launchError(
          ErrorCodes.LaunchFailed,
          'init-died',
          `the init sent something unreadable: ${line.slice(0, 200)}`,
        );
    }).then(() => {
      if (outcome) return resolve(outcome);
      if (execSeen) return resolve(undefined);
      // The init died before execve without saying why: its stderr may.
      const wait =
        child.exitCode !== null || child.signalCode !== null
          ? Promise.resolve()
          : new Promise((r) => child.once('exit', r));
      void wait.then(() =>
        resolve(
          launchError(
            ErrorCodes.LaunchFailed,
            'init-died',
            `the container's init exited before starting the process${stderr ? `: ${stderr.trim().split('\n').slice(0, 6).join(' | ')}` : ''}`,
          ),
        ),
      );
    });
    child.stdin!.on('error', () => {}); // the init died: reported through 'end' above
    child.stdin!.end(JSON.stringify(req) + '\n');
  });
}

/**
 * A container left by an earlier helper, from its state directory. A live process is
 * recognised by its pid *and* start time and watched through a pidfd; a dead one comes
 * back as 'stopped' (its exit code is lost with the helper that was its parent), ready
 * for teardown. Undefined when the directory holds no container state.
 */
export function adoptContainer(stateDir: string): Container | undefined {
  const state = readState(stateDir);
  if (!state || state.id !== path.basename(stateDir)) return undefined;
  const sys = koffiSyscalls();
  const c = new ContainerImpl(sys, state, stateDir);
  for (const m of c.mounts) m.state = 'applied';
  // 'creating' with a live process: the helper died after the init cleared its parent-death
  // signal, i.e. right at execve; the process runs.
  if (
    (state.status === 'running' || state.status === 'creating') &&
    state.pid !== undefined &&
    state.startTime !== undefined &&
    processStartTime(state.pid) === state.startTime
  ) {
    const pidfd = sys.pidfdOpen(state.pid);
    // Checked again with the pidfd held: from here on the pid cannot be recycled under us.
    if (pidfd.ok && processStartTime(state.pid) === state.startTime) {
      c.openOutput();
      c.markStarted(state.pid, { pidfd: pidfd.value });
      void sys.waitReadable(pidfd.value).then(() => c.markExited({ id: state.id }));
      return c;
    }
    if (pidfd.ok) sys.close(pidfd.value);
  }
  void c.markExited({ id: state.id });
  return c;
}
