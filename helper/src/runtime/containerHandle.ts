// A launched (or re-adopted) container as the daemon and `bindery run` hold it: its state,
// its output, its exit, stop and teardown. Nothing here mounts anything: the container's
// mounts live in its own mount namespace and go away with its last process.
import type { ChildProcess } from 'node:child_process';
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type {
  ContainerInfo,
  ContainerStatus,
  ExitedEvent,
  HookEvent,
  HookRun,
  MountSummary,
  StartedEvent,
} from '../protocol';
import { memoryOutcome, removeCgroups } from './cgroups';
import { releaseHostMounts } from './hostMounts';
import { hookState, runRuntimeHooks, type HookSubject } from './hooks';
import { LogFollower } from './logFollower';
import { planMountSummaries } from './mountSummary';
import { STDERR_PIPE, STDOUT_PIPE, type ContainerState } from './stateFile';
import type { DaemonSyscalls, SysResult } from './syscalls';
import { TerminalRelay } from './terminalRelay';

/** Grace period between SIGTERM and SIGKILL when none is given. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

/** Events: 'operation' OperationEvent, 'hook' HookEvent, 'started' StartedEvent, 'output' OutputEvent, 'exited' ExitedEvent, 'torn-down'. */
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

const SIGNAL_NUMBERS = os.constants.signals as Record<string, number>;

export class ContainerHandle extends EventEmitter implements Container {
  status: ContainerStatus = 'creating';
  pid?: number;
  readonly exited: Promise<ExitedEvent>;
  readonly mounts: MountSummary[];
  /** The hooks that ran, in order (ContainerInfo.hooks). */
  readonly hooks: HookRun[] = [];
  private poststart: Promise<void> = Promise.resolve();
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
    private readonly sys: DaemonSyscalls,
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
      ...(this.exitEvent?.oomKills !== undefined ? { oomKills: this.exitEvent.oomKills } : {}),
      ...(this.exitEvent?.memoryPeak !== undefined
        ? { memoryPeak: this.exitEvent.memoryPeak }
        : {}),
      args: this.state.args,
      ...(this.terminal?.open ? { terminal: true } : {}),
      mounts: this.mounts.map((m) => ({ ...m })),
      networkFiles: net,
      ...(this.hooks.length ? { hooks: this.hooks.map((h) => ({ ...h })) } : {}),
    };
  }

  /** Who the hooks' state is about. */
  hookSubject(): HookSubject {
    return { id: this.id, bundle: this.state.bundle, annotations: this.state.plan.launch?.annotations };
  }

  /** A hook ran: keep it for info() and tell listeners. */
  recordHook(run: HookRun): HookEvent {
    this.hooks.push(run);
    const ev: HookEvent = { id: this.id, ...run };
    this.emit('hook', ev);
    return ev;
  }

  /** poststart: once the process runs, on the host; a failure is only reported (runtime-spec). */
  startPoststart(pid: number): void {
    this.poststart = this.startedShown.then(async () => {
      await runRuntimeHooks(
        this.state.plan,
        'poststart',
        this.state.owner.uid,
        hookState(this.hookSubject(), 'running', pid),
        { cwd: this.state.bundle, env: process.env },
        (run) => this.recordHook(run),
      );
    });
  }

  /** poststop: the container is gone (its process, its cgroup); a failure is only reported. */
  async runPoststop(): Promise<void> {
    await runRuntimeHooks(
      this.state.plan,
      'poststop',
      this.state.owner.uid,
      hookState(this.hookSubject(), 'stopped'),
      { cwd: this.state.bundle, env: process.env },
      (run) => this.recordHook(run),
    );
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
  async markExited(exit: ExitedEvent): Promise<void> {
    if (this.exitEvent) return;
    // Read while the cgroup still exists (teardown removes it): an OOM kill explains a SIGKILL.
    const ev = {
      ...exit,
      ...memoryOutcome(this.state.plan.operations.find((o) => o.op === 'cgroup')),
    };
    this.exitEvent = ev;
    this.status = 'stopped';
    await this.startedShown;
    for (const f of this.followers) f.flush();
    this.terminal?.flush();
    this.pid = undefined;
    if (this.pidfd !== undefined) this.sys.close(this.pidfd);
    this.pidfd = undefined;
    // No 'stopped' record is written: a helper restarted before the teardown finds the pid
    // gone (adopt.ts checks it with its start time) and says 'stopped' all the same, and
    // the write serialised the whole plan again on the way to the exited notification.
    this.emit('exited', ev);
    this.resolveExited(ev);
  }

  private signal(name: 'SIGTERM' | 'SIGKILL'): void {
    if (this.exitEvent) return;
    // Only the process we started: our child (not yet reaped, so the pid is still ours), or
    // the pidfd opened on adoption after checking its start time.
    // A pidfd first: an init forked by a first stage is not our child (firstStage.ts).
    if (this.pidfd !== undefined) this.sys.pidfdSendSignal(this.pidfd, SIGNAL_NUMBERS[name]);
    else if (this.child) this.child.kill(name);
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
      await this.poststart;
      await this.stop(graceMs);
      for (const f of this.followers) f.stop();
      this.terminal?.stop();
      const mounts = this.state.hostMounts && releaseHostMounts(this.state.hostMounts, this.sys);
      if (mounts) this.emit('warning', mounts);
      const left = await removeCgroups(this.state.cgroups ?? []);
      if (left.length) this.emit('warning', `cgroups still busy, left behind: ${left.join(', ')}`);
      await this.runPoststop();
      // The mount namespace, and every mount in it, died with the last process (or, without
      // one, the mounts were detached above). What is left is on the host: the state directory with the network files and the pipes.
      fs.rmSync(this.stateDir, { recursive: true, force: true });
      this.emit('torn-down', { id: this.id });
    })();
    return this.tornDown;
  }
}
