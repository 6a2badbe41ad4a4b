// The containers this helper knows: launched, adopted after a restart, or being launched.
// It turns the runtime's per-container events into protocol notifications tagged with the
// owner, keeps each container's output for `logs`, and reconciles the state directory.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  ErrorCodes,
  type ContainerInfo,
  type ExitedEvent,
  type HookEvent,
  type OperationEvent,
  type OperationsEvent,
  type OutputEvent,
  type StartedEvent,
} from '../protocol';
import type { Plan } from '@bindery/plan';
import { readState } from '../runtime/stateFile';
import { HelperError, notFound } from './errors';
import { MAX_CONTAINERS_PER_USER, MAX_LOG_BYTES } from './limits';
import { ID_PATTERN } from '../runtime/containerId';
import { OperationBatcher } from './operationBatcher';
import type { ContainerHandle, RuntimeApi } from './runtimeApi';

/** What the registry tells the daemon; the daemon forwards it to connections that may see `owner`'s containers. */
export type RegistryEvent =
  | { kind: 'operations'; owner: number; payload: OperationsEvent }
  | { kind: 'hook'; owner: number; payload: HookEvent }
  | { kind: 'started'; owner: number; payload: StartedEvent }
  | { kind: 'output'; owner: number; payload: OutputEvent }
  | { kind: 'exited'; owner: number; payload: ExitedEvent }
  | { kind: 'tornDown'; owner: number; payload: { id: string } }
  | { kind: 'changed'; owner: number; payload: ContainerInfo };

interface Entry {
  id: string;
  owner: number;
  bundle: string;
  createdAt: string;
  plan?: Plan;
  container?: ContainerHandle;
  /** The latest output, at most MAX_LOG_BYTES of it (UTF-8); older chunks are dropped. */
  logs: OutputEvent[];
  logBytes: number;
  /** Set once a chunk was dropped. */
  logsTruncated: boolean;
  /** Set once teardown has begun, so it runs once. */
  teardown?: Promise<void>;
}

export class Registry extends EventEmitter<{ event: [RegistryEvent] }> {
  private readonly entries = new Map<string, Entry>();
  private readonly operations = new OperationBatcher((owner, payload) => this.emit('event', { kind: 'operations', owner, payload }));

  constructor(
    readonly stateRoot: string,
    private readonly runtime: RuntimeApi,
    private readonly log: (line: string) => void = () => {},
  ) {
    super();
  }

  /** Set when the daemon shuts down: no new launches. */
  closing = false;

  /** Holds `id` for a launch; fails when it is taken here or on disk. */
  reserve(id: string, owner: number, bundle: string): void {
    if (this.closing) throw new HelperError(ErrorCodes.Busy, 'the helper is shutting down', { reason: 'shutting-down' });
    if (this.entries.has(id) || fs.existsSync(path.join(this.stateRoot, id)))
      throw new HelperError(ErrorCodes.AlreadyExists, `a container named ${id} already exists; choose another id or remove it with \`bindery rm ${id}\``, {
        reason: 'already-exists',
      });
    if (owner !== 0 && [...this.entries.values()].filter((e) => e.owner === owner).length >= MAX_CONTAINERS_PER_USER)
      throw new HelperError(ErrorCodes.Busy, `uid ${owner} already has ${MAX_CONTAINERS_PER_USER} containers; remove some first`, { reason: 'too-many-containers' });
    this.entries.set(id, { id, owner, bundle, createdAt: new Date().toISOString(), logs: [], logBytes: 0, logsTruncated: false });
  }

  release(id: string): void {
    const e = this.entries.get(id);
    if (e && !e.container) this.entries.delete(id);
  }

  async launch(id: string, bundleDir: string, plan: Plan, owner: { uid: number; gid: number; groups?: readonly number[] }): Promise<ContainerInfo> {
    const entry = this.entries.get(id);
    if (!entry) throw notFound(id);
    entry.plan = plan;
    let container: ContainerHandle;
    // Steps done before the container object exists are reported through this callback;
    // once it exists, through its 'operation' events.
    let attached = false;
    const onOperation = (p: OperationEvent) => {
      if (!attached) this.operations.add(entry.owner, p);
    };
    const onHook = (p: HookEvent) => {
      if (!attached) this.send({ kind: 'hook', owner: entry.owner, payload: p });
    };
    try {
      container = await this.runtime.launchContainer({ id, bundleDir, plan, owner, stateRoot: this.stateRoot, onOperation, onHook });
      attached = true;
    } catch (e) {
      this.entries.delete(id);
      // The steps, the failed one last, before the launch's error reply.
      this.operations.flush(id);
      throw launchError(e);
    }
    this.attach(entry, container);
    const info = container.info();
    this.send({ kind: 'changed', owner: entry.owner, payload: info });
    return info;
  }

  /** Every event but operation steps: the container's steps gathered so far go first. */
  private send(e: Exclude<RegistryEvent, { kind: 'operations' }>): void {
    this.operations.flush(e.payload.id);
    this.emit('event', e);
  }

  private attach(entry: Entry, c: ContainerHandle): void {
    entry.container = c;
    const owner = entry.owner;
    const send = (e: Exclude<RegistryEvent, { kind: 'operations' }>) => this.send(e);
    c.on('operation', (p: OperationEvent) => this.operations.add(owner, p));
    // poststart and poststop run after the launch: each run changes the summary too.
    c.on('hook', (p: HookEvent) => {
      send({ kind: 'hook', owner, payload: p });
      send({ kind: 'changed', owner, payload: c.info() });
    });
    c.on('started', (p: StartedEvent) => {
      send({ kind: 'started', owner, payload: p });
      send({ kind: 'changed', owner, payload: c.info() });
    });
    c.on('output', (p: OutputEvent) => {
      keepOutput(entry, p);
      send({ kind: 'output', owner, payload: p });
    });
    c.on('exited', (p: ExitedEvent) => {
      send({ kind: 'exited', owner, payload: p });
      send({ kind: 'changed', owner, payload: c.info() });
    });
    c.on('torn-down', () => {
      if (this.entries.get(entry.id) !== entry) return;
      this.entries.delete(entry.id);
      send({ kind: 'tornDown', owner, payload: { id: entry.id } });
    });
  }

  get(id: string): Entry | undefined {
    return this.entries.get(id);
  }

  info(e: Entry): ContainerInfo {
    if (e.container) return e.container.info();
    return { id: e.id, bundle: e.bundle, status: 'creating', owner: e.owner, createdAt: e.createdAt, args: [], mounts: [], networkFiles: [] };
  }

  list(): ContainerInfo[] {
    return [...this.entries.values()].map((e) => this.info(e));
  }

  logs(id: string): { chunks: OutputEvent[]; truncated: boolean } {
    const e = this.entries.get(id);
    return { chunks: [...(e?.logs ?? [])], truncated: e?.logsTruncated ?? false };
  }

  async stop(id: string, timeoutMs?: number): Promise<ContainerInfo> {
    const e = this.live(id);
    await e.container!.stop(timeoutMs);
    return e.container!.info();
  }

  /** Stops the process if needed, removes every trace; resolves when it is gone. Idempotent. */
  teardown(id: string): Promise<void> {
    const e = this.live(id);
    e.teardown ??= e.container!.teardown().finally(() => {
      // The runtime says 'torn-down' itself; make sure the entry goes even if it did not.
      if (this.entries.get(id) === e) {
        this.entries.delete(id);
        this.send({ kind: 'tornDown', owner: e.owner, payload: { id } });
      }
    });
    return e.teardown;
  }

  private live(id: string): Entry {
    const e = this.entries.get(id);
    if (!e) throw notFound(id);
    if (!e.container) throw new HelperError(ErrorCodes.Busy, `container ${id} is still being created; try again when it has started`, { reason: 'creating' });
    return e;
  }

  /**
   * After a start: every container directory left in the state root is handed to the
   * runtime; live ones are adopted, dead ones torn down.
   */
  async reconcile(): Promise<{ adopted: string[]; tornDown: string[] }> {
    const adopted: string[] = [];
    const tornDown: string[] = [];
    let names: string[];
    try {
      names = fs.readdirSync(this.stateRoot);
    } catch {
      return { adopted, tornDown };
    }
    for (const name of names) {
      const dir = path.join(this.stateRoot, name);
      if (!ID_PATTERN.test(name) || this.entries.has(name)) continue;
      let st: fs.Stats;
      try {
        st = fs.lstatSync(dir);
      } catch {
        continue;
      }
      if (!st.isDirectory()) continue;
      let c: ContainerHandle | undefined;
      try {
        c = this.runtime.adoptContainer(dir);
      } catch (e) {
        this.log(`reconcile: cannot adopt ${name}: ${e instanceof Error ? e.message : String(e)}`);
        continue;
      }
      if (!c) {
        this.log(`reconcile: ${dir} is not a container's state; left alone`);
        continue;
      }
      const info = c.info();
      const entry: Entry = { id: c.id, owner: info.owner, bundle: info.bundle, createdAt: info.createdAt, plan: readState(dir)?.plan, logs: [], logBytes: 0, logsTruncated: false };
      this.entries.set(c.id, entry);
      this.attach(entry, c);
      if (c.status === 'running' || c.status === 'creating') {
        adopted.push(c.id);
        this.log(`reconcile: adopted ${c.id} (pid ${c.pid}, owner uid ${info.owner})`);
      } else {
        await this.teardown(c.id).catch((e) => this.log(`reconcile: teardown of ${c.id} failed: ${e instanceof Error ? e.message : String(e)}`));
        tornDown.push(c.id);
        this.log(`reconcile: ${c.id} had exited; torn down`);
      }
    }
    return { adopted, tornDown };
  }

  /** Daemon shutdown: every container goes. */
  async teardownAll(): Promise<void> {
    await Promise.all(
      [...this.entries.values()]
        .filter((e) => e.container)
        .map((e) => this.teardown(e.id).catch((err) => this.log(`shutdown: teardown of ${e.id} failed: ${err instanceof Error ? err.message : String(err)}`))),
    );
  }
}

/**
 * Keeps the last MAX_LOG_BYTES of a container's output for `logs`: a container printing
 * forever must not grow the helper's memory. A chunk larger than the whole allowance keeps
 * only its end.
 */
export function keepOutput(
  entry: Pick<Entry, 'logs' | 'logBytes' | 'logsTruncated'>,
  chunk: OutputEvent,
): void {
  let p = chunk;
  let size = Buffer.byteLength(p.data);
  if (size > MAX_LOG_BYTES) {
    const bytes = Buffer.from(p.data);
    let cut = size - MAX_LOG_BYTES;
    while (cut < size && (bytes[cut] & 0xc0) === 0x80) cut++; // start on a whole character
    p = { ...p, data: bytes.subarray(cut).toString('utf8') };
    size = Buffer.byteLength(p.data);
    entry.logsTruncated = true;
  }
  entry.logs.push(p);
  entry.logBytes += size;
  while (entry.logBytes > MAX_LOG_BYTES) {
    entry.logBytes -= Buffer.byteLength(entry.logs.shift()!.data);
    entry.logsTruncated = true;
  }
}

/** The runtime's rejection as a protocol error. */
function launchError(e: unknown): HelperError {
  if (e instanceof HelperError) return e;
  const o = (typeof e === 'object' && e !== null ? e : {}) as { code?: unknown; message?: unknown; failure?: unknown; reason?: unknown };
  const message = typeof o.message === 'string' ? o.message : String(e);
  const code = typeof o.code === 'number' ? o.code : ErrorCodes.LaunchFailed;
  const failure = o.failure as HelperError['data']['failure'];
  return new HelperError(code, message, { reason: typeof o.reason === 'string' ? o.reason : failure ? 'mount-failed' : 'launch-failed', ...(failure ? { failure } : {}) });
}
