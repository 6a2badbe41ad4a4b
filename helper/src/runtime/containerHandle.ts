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
  MountSummary,
  StartedEvent,
} from '../protocol';
import { removeCgroups } from './cgroups';
import { LogFollower } from './logFollower';
import { planMountSummaries } from './mountSummary';
import { STDERR_PIPE, STDOUT_PIPE, writeState, type ContainerState } from './stateFile';
import type { DaemonSyscalls } from './syscalls';

/** Grace period between SIGTERM and SIGKILL when none is given. */
export const DEFAULT_STOP_TIMEOUT_MS = 10_000;

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
}

const SIGNAL_NUMBERS = os.constants.signals as Record<string, number>;

export class ContainerHandle extends EventEmitter implements Container {
  status: ContainerStatus = 'creating';
  pid?: number;
  readonly exited: Promise<ExitedEvent>;
  readonly mounts: MountSummary[];
  private resolveExited!: (e: ExitedEvent) => void;
  private exitEvent?: ExitedEvent;
  private followers: LogFollower[] = [];
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
      args: this.state.args,
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
