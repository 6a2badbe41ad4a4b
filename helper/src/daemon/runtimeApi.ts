// The runtime as the daemon uses it: the shape of runtime/container.ts, so the registry can
// be driven by the real runtime in the daemon and by a small fake in unit tests.
import type { EventEmitter } from 'node:events';
import type { ContainerInfo, ContainerStatus, ExitedEvent, HookEvent, OperationEvent } from '../protocol';
import type { Plan } from '@bindery/plan';

export interface LaunchOptions {
  id: string;
  bundleDir: string;
  plan: Plan;
  owner: { uid: number; gid: number };
  stateRoot: string;
  /** Operation events during the launch, before the container object exists. */
  onOperation?: (event: OperationEvent) => void;
  /** Hook runs during the launch, likewise. */
  onHook?: (event: HookEvent) => void;
}

/** Events: 'operation', 'hook', 'started', 'output', 'exited', 'torn-down' (protocol payloads). */
export interface ContainerHandle extends EventEmitter {
  readonly id: string;
  readonly pid?: number;
  readonly status: ContainerStatus;
  info(): ContainerInfo;
  stop(timeoutMs?: number): Promise<void>;
  teardown(): Promise<void>;
  readonly exited: Promise<ExitedEvent>;
  /** The process has a terminal the helper holds (process.terminal). */
  readonly hasTerminal: boolean;
  /** Queue input for the terminal; false when nothing was queued (no terminal, or 64 KiB wait already). */
  writeInput(data: Buffer): boolean;
  resize(rows: number, cols: number): { ok: true } | { ok: false; errno: string };
}

export interface RuntimeApi {
  /** Rejects with `{ code, message, failure? }` (protocol ErrorCodes / OperationFailure). */
  launchContainer(opts: LaunchOptions): Promise<ContainerHandle>;
  /** A container left by an earlier helper, from its state directory; undefined when there is none. */
  adoptContainer(stateDir: string): ContainerHandle | undefined;
}
