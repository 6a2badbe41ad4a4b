// binderyd: the listening socket, the accept loop and shutdown. Each accepted connection
// is identified by SO_PEERCRED before a byte of it is read.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { realHostView } from '@bindery/plan';
import { DEFAULT_SOCKET_PATH, ErrorCodes, SOCKET_GROUP } from '../protocol';
import type { DaemonSyscalls } from '../runtime/syscalls';
import { fsIdentityRunner } from './peerAccess';
import type { Peer } from './authorize';
import { Connection } from './connection';
import { WriteBudget } from './frameWriter';
import { MAX_CONNECTIONS, MAX_CONNECTIONS_PER_USER } from './limits';
import { Registry, type RegistryEvent } from './registry';
import { EngineContainers, type EngineProcessOps } from './engineContainers';
import { signalProcess, waitGone } from '../runtime/ociSignal';
import type { RuntimeApi } from './runtimeApi';

export interface DaemonOptions {
  socketPath?: string;
  /** Where container state lives; default: the socket's directory. */
  stateDir?: string;
  runtime: RuntimeApi;
  /** The kernel door: peer credentials, the socket's group, a peer's file rights. */
  sys: DaemonSyscalls;
  helperVersion: string;
  log?: (line: string) => void;
  /** Socket group; default `bindery`. Tests pass another. */
  socketGroup?: string;
  /** An already listening socket fd from systemd (LISTEN_FDS); default: read the environment. */
  listenFd?: number | null;
  /**
   * The runtime's state roots to watch for containers engines made with `bindery`
   * (engineContainers.ts); `DIR/*` means each directory in DIR. None: engines' containers are not shown.
   */
  engineRoots?: readonly string[];
  /** How engine containers are signalled and waited for; the runtime's pidfd code by default. */
  engineOps?: EngineProcessOps;
}

/** fd 3 when systemd passed exactly this process a listening socket. */
export function systemdListenFd(env = process.env): number | null {
  if (env.LISTEN_PID !== String(process.pid)) return null;
  const n = Number(env.LISTEN_FDS);
  if (!Number.isInteger(n) || n < 1) return null;
  return 3;
}

export class Daemon {
  readonly socketPath: string;
  readonly registry: Registry;
  readonly engines?: EngineContainers;
  private readonly server: net.Server;
  private readonly connections = new Set<Connection>();
  /** What every client has not read yet, together. */
  private readonly writeBudget = new WriteBudget();
  private readonly log: (line: string) => void;
  private activated = false;
  private closing?: Promise<void>;

  constructor(private readonly opts: DaemonOptions) {
    this.socketPath = opts.socketPath ?? DEFAULT_SOCKET_PATH;
    this.log = opts.log ?? ((line) => process.stderr.write(`binderyd: ${line}\n`));
    const stateDir = opts.stateDir ?? path.dirname(this.socketPath);
    this.registry = new Registry(stateDir, opts.runtime, this.log);
    const forward = (e: RegistryEvent) => {
      for (const c of this.connections) c.notify(e);
    };
    this.registry.on('event', forward);
    if (opts.engineRoots?.length) {
      this.engines = new EngineContainers(opts.engineRoots, opts.engineOps ?? ociProcessOps(opts.sys), this.log);
      this.engines.on('event', forward);
    }
    this.server = net.createServer({ pauseOnConnect: false }, (s) => this.accept(s));
  }

  async start(): Promise<void> {
    fs.mkdirSync(this.registry.stateRoot, { recursive: true, mode: 0o755 });
    const { adopted, tornDown } = await this.registry.reconcile();
    if (adopted.length + tornDown.length > 0) this.log(`reconciled: ${adopted.length} adopted, ${tornDown.length} torn down`);
    this.engines?.start();
    const fd = this.opts.listenFd === undefined ? systemdListenFd() : this.opts.listenFd;
    if (fd !== null) {
      this.activated = true;
      await new Promise<void>((resolve, reject) => this.server.once('error', reject).listen({ fd }, resolve));
      this.log(`listening on the socket systemd passed (fd ${fd})`);
      return;
    }
    await this.listenOnPath();
  }

  private async listenOnPath(): Promise<void> {
    const dir = path.dirname(this.socketPath);
    fs.mkdirSync(dir, { recursive: true, mode: 0o755 });
    checkSocketDir(dir);
    await removeStaleSocket(this.socketPath);
    // Created 0600 so nobody can connect before its group and mode are set.
    const oldMask = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => this.server.once('error', reject).listen(this.socketPath, resolve));
    } finally {
      process.umask(oldMask);
    }
    const groupName = this.opts.socketGroup ?? SOCKET_GROUP;
    const gid = this.opts.sys.groupId(groupName);
    if (gid === undefined) {
      this.log(`listening on ${this.socketPath} (mode 0600, root only): there is no group "${groupName}"; create it (groupadd --system ${groupName}) to let its members connect`);
    } else {
      fs.chownSync(this.socketPath, 0, gid);
      fs.chmodSync(this.socketPath, 0o660);
      this.log(`listening on ${this.socketPath} (mode 0660, group ${groupName})`);
    }
  }

  private accept(socket: net.Socket): void {
    if (this.closing) return void socket.destroy();
    const fd = (socket as unknown as { _handle?: { fd?: number } })._handle?.fd;
    const peer = typeof fd === 'number' && fd >= 0 ? identify(fd, this.opts.sys) : 'no file descriptor';
    if (typeof peer === 'string') {
      this.log(`refusing a connection: cannot identify the peer: ${peer}`);
      return void socket.destroy();
    }
    const mine = [...this.connections].filter((c) => c.peer.uid === peer.uid).length;
    if (this.connections.size >= MAX_CONNECTIONS || (peer.uid !== 0 && mine >= MAX_CONNECTIONS_PER_USER)) {
      this.log(`refusing a connection from uid ${peer.uid}: too many connections open (${mine} of this uid, ${this.connections.size} in all)`);
      const body = JSON.stringify({ jsonrpc: '2.0', id: null, error: { code: ErrorCodes.Busy, message: 'too many connections', data: { reason: 'busy' } } });
      socket.on('error', () => {});
      socket.end(`Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
      return;
    }
    const conn = new Connection(
      socket,
      peer,
      { registry: this.registry, engines: this.engines, host: realHostView(), asPeer: fsIdentityRunner(this.opts.sys), helperVersion: this.opts.helperVersion },
      this.log,
      (c) => this.connections.delete(c),
      this.writeBudget,
    );
    this.connections.add(conn);
  }

  /** Stops accepting, tears down every container, closes connections, removes the socket. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      this.registry.closing = true;
      this.server.close();
      this.engines?.close(); // not ours to stop: the engines keep their containers
      await this.registry.teardownAll();
      for (const c of this.connections) c.destroy();
      if (!this.activated) {
        try {
          fs.unlinkSync(this.socketPath);
        } catch {
          // already gone
        }
      }
    })();
    return this.closing;
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  /** Bytes written to clients and not yet taken by the kernel, all connections together. */
  get unsentBytes(): number {
    return this.writeBudget.queued;
  }
}

/** Engine containers are signalled like `bindery kill` does: through a pidfd, after checking the start time. */
function ociProcessOps(sys: DaemonSyscalls): EngineProcessOps {
  return {
    signal: (state, name) => {
      if (state.pid !== undefined && state.startTime !== undefined) signalProcess(state.pid, state.startTime, os.constants.signals[name], sys);
    },
    waitGone: (state, ms) => waitGone(state, ms, sys),
  };
}

/** SO_PEERCRED and SO_PEERGROUPS of an accepted connection, or why not. */
function identify(fd: number, sys: DaemonSyscalls): Peer | string {
  const cred = sys.getPeerCred(fd);
  if (!cred.ok) return `${cred.call}: ${cred.errno}`;
  const groups = sys.getPeerGroups(fd);
  if (!groups.ok) return `${groups.call}: ${groups.errno}`;
  return { ...cred.value, groups: groups.value };
}

/**
 * The socket's directory must be ours and writable by nobody else, or someone could put
 * their own socket where clients expect the helper's.
 */
function checkSocketDir(dir: string): void {
  const st = fs.lstatSync(dir);
  if (!st.isDirectory()) throw new Error(`${dir} is not a directory`);
  if (st.uid !== process.getuid?.() || (st.mode & 0o022) !== 0)
    throw new Error(`${dir} must belong to uid ${process.getuid?.()} and not be writable by group or others (it is uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8)})`);
}

/** A socket file left by a helper that died: removed, unless a helper still answers there. */
async function removeStaleSocket(p: string): Promise<void> {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(p);
  } catch {
    return;
  }
  if (!st.isSocket()) throw new Error(`${p} exists and is not a socket; remove it or choose another --socket`);
  const alive = await new Promise<boolean>((resolve) => {
    const s = net.connect(p);
    s.once('connect', () => {
      s.destroy();
      resolve(true);
    });
    s.once('error', () => resolve(false));
  });
  if (alive) throw new Error(`another helper is already listening on ${p}`);
  fs.unlinkSync(p);
}
