// Containers that engines (podman, containerd …) made with `bindery` as their runtime. The
// daemon does not own them — the engine's subreaper is their parent — so it learns of them
// from the runtime's state roots, which it watches (inotify through fs.watch; nothing
// polls): a directory with a state.json per container, `exec.fifo` until `start`, and
// `failures@/` for creates that failed (runtime/ociFailures.ts). Only root's roots are
// read, and only root-owned entries in them: what is in a root decides which pid the
// daemon reads the mount table of and signals, so a root another user could write to would
// let that user aim the daemon at any process. Their owner is root: a non-root peer sees
// none of them (state directories are root's, and so are the engines' containers).
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '@bindery/plan';
import { ErrorCodes, type ContainerInfo, type ContainerStatus, type EngineInfo } from '../protocol';
import { ID_PATTERN } from '../runtime/containerId';
import { planMountSummaries } from '../runtime/mountSummary';
import { engineLabel, identifyEngine, type EngineName } from '../runtime/ociEngine';
import { FAILURES_DIR, readFailure, type FailureRecord } from '../runtime/ociFailures';
import { initAlive, statusOf, type OciContainerState, type OciStatus } from '../runtime/ociState';
import { readState } from '../runtime/stateFile';
import { HelperError, notFound } from './errors';
import type { RegistryEvent } from './registry';

/** Signals and exit waits, as the runtime CLI does them (pidfds after a start-time check). */
export interface EngineProcessOps {
  signal(state: OciContainerState, signal: 'SIGTERM' | 'SIGKILL'): void;
  /** Resolves true once the init has exited, false after `ms`. */
  waitGone(state: OciContainerState, ms: number): Promise<boolean>;
}

/** A root given as `DIR/*` stands for each directory in DIR (containerd: one per namespace). */
export const DEFAULT_ENGINE_ROOTS = ['/run/bindery-runtime', '/run/containerd/runc/*'];

const ROOT_UID = 0;
const KILL_WAIT_MS = 5000;
/** As for the helper's own containers (protocol: `stop`). */
const STOP_TIMEOUT_MS = 10_000;

interface Entry {
  key: string;
  root: string;
  runtimeId: string;
  engine: EngineName;
  /** A container that exists (its state directory) … */
  dir?: string;
  state?: OciContainerState;
  /** … or a create that failed. */
  failureFile?: string;
  failure?: FailureRecord;
  watcher?: fs.FSWatcher;
  watchingExit?: boolean;
  last?: string;
}

export class EngineContainers extends EventEmitter {
  private readonly entries = new Map<string, Entry>();
  private readonly watchers = new Set<fs.FSWatcher>();
  private readonly roots = new Set<string>();
  private readonly failureDirs = new Set<string>();
  /** Container directories whose state.json has not been written yet. */
  private readonly pending = new Map<string, fs.FSWatcher>();
  private closed = false;

  constructor(
    private readonly rootSpecs: readonly string[],
    private readonly ops: EngineProcessOps,
    private readonly log: (line: string) => void,
  ) {
    super();
  }

  start(): void {
    for (const spec of this.rootSpecs) {
      if (spec.endsWith('/*')) {
        const parent = path.resolve(spec.slice(0, -2));
        this.whenExists(parent, () => {
          if (untrusted(parent)) return this.log(`engine roots in ${parent} ignored: ${untrusted(parent)}`);
          const scan = () => readdir(parent).forEach((name) => isDir(path.join(parent, name)) && this.addRoot(path.join(parent, name)));
          this.watchDir(parent, scan);
          scan();
        });
      } else this.addRoot(path.resolve(spec));
    }
  }

  close(): void {
    this.closed = true;
    for (const w of [...this.watchers]) this.unwatch(w);
  }

  /** Calls `onChange` with the name of each entry of `dir` that changes; undefined when `dir` cannot be watched. */
  private watchDir(dir: string, onChange: (name: string | null) => void): fs.FSWatcher | undefined {
    if (this.closed) return undefined;
    try {
      const w = fs.watch(dir, { persistent: false }, (_event, name) => onChange(name ? String(name) : null));
      w.on('error', () => this.unwatch(w));
      this.watchers.add(w);
      return w;
    } catch {
      return undefined;
    }
  }

  private unwatch(w: fs.FSWatcher | undefined): void {
    if (!w) return;
    w.close();
    this.watchers.delete(w);
  }

  /** Runs `then` once `dir` is a directory: now, or when it appears in its parent (containerd makes its roots on first use). */
  private whenExists(dir: string, then: () => void): void {
    if (isDir(dir)) return then();
    const parent = path.dirname(dir);
    const w = this.watchDir(parent, (name) => {
      if (name !== path.basename(dir) || !isDir(dir)) return;
      this.unwatch(w);
      then();
    });
    if (!w) this.log(`engine root ${dir}: neither it nor ${parent} exists; not watched`);
  }

  private addRoot(root: string): void {
    if (this.roots.has(root)) return;
    if (!isDir(root)) return this.whenExists(root, () => this.addRoot(root));
    const why = untrusted(root);
    if (why) {
      this.log(`engine root ${root} ignored: ${why}`);
      return;
    }
    this.roots.add(root);
    this.watchDir(root, (name) => (name ? this.scanName(root, name) : this.scanRoot(root)));
    this.scanRoot(root);
  }

  private scanRoot(root: string): void {
    for (const name of readdir(root)) this.scanName(root, name);
    for (const e of [...this.entries.values()]) if (e.root === root && e.dir && !isDir(e.dir)) this.drop(e);
  }

  private scanName(root: string, name: string): void {
    if (name === FAILURES_DIR) return this.watchFailures(root);
    if (!ID_PATTERN.test(name)) return;
    const dir = path.join(root, name);
    const known = [...this.entries.values()].find((e) => e.dir === dir);
    if (!isDir(dir)) {
      if (known) this.drop(known);
      this.unwatch(this.pending.get(dir));
      this.pending.delete(dir);
      return;
    }
    if (known) return this.refresh(known);
    if (untrusted(dir)) return;
    const state = readState(dir) as OciContainerState | undefined;
    if (!state) {
      // state.json follows the directory at once (it names the engine): wait for it there.
      if (!this.pending.has(dir)) {
        const w = this.watchDir(dir, () => {
          if (!readState(dir)) return;
          this.unwatch(w);
          this.pending.delete(dir);
          this.scanName(root, name);
        });
        if (w) this.pending.set(dir, w);
      }
      return;
    }
    if (state.id !== name) return;
    const entry: Entry = { key: '', root, runtimeId: name, engine: engineOf(root, state), dir, state };
    entry.watcher = this.watchDir(dir, () => this.refresh(entry));
    if (!this.claim(entry)) return this.unwatch(entry.watcher);
    this.refresh(entry);
  }

  private watchFailures(root: string): void {
    const dir = path.join(root, FAILURES_DIR);
    if (untrusted(dir)) return;
    const scan = () => {
      const files = new Set(readdir(dir).filter((n) => n.endsWith('.json')).map((n) => path.join(dir, n)));
      for (const e of [...this.entries.values()]) if (e.failureFile?.startsWith(dir + '/') && !files.has(e.failureFile)) this.drop(e);
      for (const file of files) {
        if ([...this.entries.values()].some((e) => e.failureFile === file) || untrusted(file)) continue;
        const record = readFailure(file);
        if (!record) continue;
        const entry: Entry = { key: '', root, runtimeId: record.id, engine: record.engine, failureFile: file, failure: record };
        // A new create of the same id replaces what an older failure said.
        const older = this.entries.get(`${engineLabel(record.engine)}:${record.id}`);
        if (older?.failure) this.drop(older);
        if (this.claim(entry)) this.emitChanged(entry);
      }
    };
    if (!this.failureDirs.has(dir)) {
      this.failureDirs.add(dir);
      this.watchDir(dir, scan);
    }
    scan();
  }

  /** Gives the entry its key; false when another root already has a container of that name. */
  private claim(entry: Entry): boolean {
    entry.key = `${engineLabel(entry.engine)}:${entry.runtimeId}`;
    const other = this.entries.get(entry.key);
    if (other && other !== entry) {
      if (other.failure && entry.dir) this.drop(other);
      else {
        this.log(`engine container ${entry.runtimeId} in ${entry.root} not shown: ${entry.key} is already ${other.dir ?? other.failureFile}`);
        return false;
      }
    }
    this.entries.set(entry.key, entry);
    return true;
  }

  private refresh(entry: Entry): void {
    if (!entry.dir || this.entries.get(entry.key) !== entry) return;
    if (!isDir(entry.dir)) return this.drop(entry);
    const state = readState(entry.dir) as OciContainerState | undefined;
    if (!state) return;
    entry.state = state;
    const info = this.info(entry);
    if (state.pid !== undefined && !entry.watchingExit && initAlive(state)) {
      entry.watchingExit = true;
      void this.ops.waitGone(state, 2 ** 31 - 1).then(() => {
        entry.watchingExit = false;
        const before = entry.last;
        this.refresh(entry);
        if (before !== entry.last && this.entries.get(entry.key) === entry)
          this.emit('event', { kind: 'exited', owner: ROOT_UID, payload: { id: entry.key } } satisfies RegistryEvent);
      });
    }
    const summary = JSON.stringify([info.status, info.pid, info.engine?.ociStatus]);
    if (summary === entry.last) return;
    entry.last = summary;
    this.emitChanged(entry, info);
  }

  private emitChanged(entry: Entry, info = this.info(entry)): void {
    this.emit('event', { kind: 'changed', owner: ROOT_UID, payload: info } satisfies RegistryEvent);
  }

  private drop(entry: Entry): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    this.unwatch(entry.watcher);
    this.emit('event', { kind: 'tornDown', owner: ROOT_UID, payload: { id: entry.key } } satisfies RegistryEvent);
  }

  private ociStatus(entry: Entry): EngineInfo['ociStatus'] {
    if (entry.failure) return 'failed';
    return entry.state && entry.dir ? statusOf(entry.dir, entry.state) : 'creating';
  }

  info(entry: Entry): ContainerInfo {
    const ociStatus = this.ociStatus(entry);
    const engine: EngineInfo = {
      name: entry.engine.name,
      ...(entry.engine.namespace ? { namespace: entry.engine.namespace } : {}),
      runtimeId: entry.runtimeId,
      root: entry.root,
      ociStatus,
    };
    if (entry.failure) {
      const f = entry.failure;
      return {
        id: entry.key,
        bundle: f.bundle,
        status: 'failed',
        owner: ROOT_UID,
        createdAt: f.createdAt,
        args: [],
        mounts: [],
        networkFiles: [],
        engine,
        failure: {
          message: f.message,
          ...(f.findings ? { findings: f.findings } : {}),
          ...(f.failure ? { operation: f.failure } : {}),
        },
      };
    }
    const s = entry.state!;
    const status = STATUS[ociStatus as OciStatus];
    const mounts = planMountSummaries(s.plan).map((m) => ({ ...m, state: status === 'creating' ? m.state : ('applied' as const) }));
    return {
      id: entry.key,
      bundle: s.bundle,
      status,
      ...(status === 'running' || ociStatus === 'created' ? { pid: s.pid } : {}),
      owner: ROOT_UID,
      createdAt: s.createdAt,
      args: s.args,
      mounts,
      networkFiles: s.plan.operations.flatMap((o) => (o.op === 'write-network-file' ? [{ name: o.file, path: o.hostPath }] : [])),
      engine,
    };
  }

  list(): ContainerInfo[] {
    return [...this.entries.values()].filter((e) => e.state || e.failure).map((e) => this.info(e));
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  /** The summary, the plan it was created with and, while it runs, its mount table. */
  async inspect(key: string): Promise<{ info: ContainerInfo; plan: Plan; mountinfo?: string }> {
    const e = this.get(key);
    const info = this.info(e);
    const plan: Plan = e.state?.plan ?? { mounts: [], operations: [], findings: e.failure?.findings ?? [] };
    if (!e.state || !info.pid || !initAlive(e.state)) return { info, plan };
    try {
      const mountinfo = await fs.promises.readFile(`/proc/${e.state.pid}/mountinfo`, 'utf8');
      // Read by pid: it is only this container's table if the pid is still its init.
      return initAlive(e.state) ? { info, plan, mountinfo } : { info, plan };
    } catch {
      return { info, plan };
    }
  }

  /** SIGTERM, then SIGKILL after `timeoutMs` (0: at once). The engine reaps it and sees it exit. */
  async stop(key: string, timeoutMs = STOP_TIMEOUT_MS): Promise<ContainerInfo> {
    const e = this.get(key);
    const state = e.state;
    if (state && initAlive(state)) {
      if (timeoutMs > 0) {
        this.ops.signal(state, 'SIGTERM');
        if (!(await this.ops.waitGone(state, timeoutMs))) this.ops.signal(state, 'SIGKILL');
      } else this.ops.signal(state, 'SIGKILL');
      await this.ops.waitGone(state, KILL_WAIT_MS);
    }
    this.refresh(e);
    return this.info(e);
  }

  /** A failed create's record goes; a container that exists is the engine's to remove. */
  teardown(key: string): void {
    const e = this.get(key);
    if (e.failureFile) {
      fs.rmSync(e.failureFile, { force: true });
      this.drop(e);
      return;
    }
    throw new HelperError(ErrorCodes.PermissionDenied, `${e.engine.name} owns ${e.runtimeId}: remove it with ${removeCommand(e)}`, { reason: 'engine-owned' });
  }

  private get(key: string): Entry {
    const e = this.entries.get(key);
    if (!e) throw notFound(key);
    return e;
  }
}

const STATUS: Record<OciStatus, ContainerStatus> = {
  creating: 'creating',
  created: 'creating',
  running: 'running',
  paused: 'running',
  stopped: 'stopped',
};

function removeCommand(e: Entry): string {
  if (e.engine.name === 'podman') return `\`podman rm -f ${e.runtimeId}\``;
  if (e.engine.name === 'containerd')
    return `\`ctr -n ${e.engine.namespace ?? 'default'} task kill -s KILL ${e.runtimeId}; ctr -n ${e.engine.namespace ?? 'default'} task delete ${e.runtimeId}\``;
  return `\`bindery --root ${e.root} delete --force ${e.runtimeId}\``;
}

function engineOf(root: string, state: OciContainerState | undefined): EngineName {
  return state?.engine ?? identifyEngine(root, state?.annotations, undefined);
}

/** Why a path in a root is not to be believed, or undefined: root's, not writable by others. */
function untrusted(p: string): string | undefined {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return 'gone';
  }
  if (st.isSymbolicLink()) return 'a symbolic link';
  if (st.uid !== ROOT_UID) return `owned by uid ${st.uid}, not root`;
  if (st.isDirectory() && (st.mode & 0o022) !== 0) return `writable by group or others (mode ${(st.mode & 0o7777).toString(8)})`;
  return undefined;
}

function isDir(p: string): boolean {
  try {
    return fs.lstatSync(p).isDirectory();
  } catch {
    return false;
  }
}

function readdir(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}
