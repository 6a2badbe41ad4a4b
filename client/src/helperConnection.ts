// The connection to binderyd over its unix socket: connect, check the protocol version,
// diagnose failures, reconnect with backoff while someone is looking, and fan out the
// helper's notifications as VS Code events.
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import {
  createMessageConnection,
  type MessageConnection,
  type NotificationType,
  RequestType,
  ResponseError,
  SocketMessageReader,
  SocketMessageWriter,
} from 'vscode-jsonrpc/node';
import {
  ChangedNotification,
  type ContainerInfo,
  type ErrorData,
  ExitedNotification,
  type ExitedEvent,
  type HookEvent,
  type IdParams,
  type OperationEvent,
  HookNotification,
  OperationNotification,
  OutputNotification,
  type OutputEvent,
  type StartedEvent,
  StartedNotification,
  TornDownNotification,
  VersionRequest,
  type VersionResult,
} from '../../helper/src/protocol';
import {
  type ConnectFacts,
  connectionLost,
  diagnoseConnectError,
  diagnoseVersion,
  type HelperProblem,
} from './diagnoseHelper';

export type HelperState =
  | { kind: 'connecting' }
  | { kind: 'connected'; version: VersionResult; socketPath: string }
  | { kind: 'unreachable'; problem: HelperProblem };

/** A request the helper answered with an error, or could not be sent. */
export class HelperError extends Error {
  constructor(
    message: string,
    readonly code: number | 'unreachable',
    readonly data?: ErrorData,
  ) {
    super(message);
  }
}

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000, 30000];
const VERSION_TIMEOUT_MS = 5000;

export class HelperConnection implements vscode.Disposable {
  private connection: MessageConnection | undefined;
  private socket: net.Socket | undefined;
  private pending: Promise<boolean> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private keepTrying = false;
  private _state: HelperState = { kind: 'connecting' };

  private readonly stateEmitter = new vscode.EventEmitter<HelperState>();
  readonly onDidChangeState = this.stateEmitter.event;
  private readonly operationEmitter = new vscode.EventEmitter<OperationEvent>();
  readonly onOperation = this.operationEmitter.event;
  private readonly startedEmitter = new vscode.EventEmitter<StartedEvent>();
  readonly onStarted = this.startedEmitter.event;
  private readonly outputEmitter = new vscode.EventEmitter<OutputEvent>();
  readonly onOutput = this.outputEmitter.event;
  private readonly exitedEmitter = new vscode.EventEmitter<ExitedEvent>();
  readonly onExited = this.exitedEmitter.event;
  private readonly tornDownEmitter = new vscode.EventEmitter<IdParams>();
  readonly onTornDown = this.tornDownEmitter.event;
  private readonly changedEmitter = new vscode.EventEmitter<ContainerInfo>();
  readonly onChanged = this.changedEmitter.event;
  private readonly hookEmitter = new vscode.EventEmitter<HookEvent>();
  readonly onHook = this.hookEmitter.event;

  constructor(
    private readonly socketPath: () => string,
    private readonly log: vscode.OutputChannel,
  ) {}

  get state(): HelperState {
    return this._state;
  }

  /** Connect once (or join the attempt in flight). Resolves true when connected. */
  connect(): Promise<boolean> {
    if (this._state.kind === 'connected') return Promise.resolve(true);
    this.pending ??= this.attemptConnect().finally(() => (this.pending = undefined));
    return this.pending;
  }

  /** Drop the current connection and connect again, e.g. after the socket path changed. */
  async reconnect(): Promise<boolean> {
    this.closeConnection();
    this.attempt = 0;
    this.setState({ kind: 'connecting' });
    return this.connect();
  }

  /**
   * Retry with backoff while true. The view sets this while it is visible: nobody waits
   * for the helper otherwise, and an idle extension host should not wake up for nothing.
   */
  setKeepTrying(on: boolean): void {
    this.keepTrying = on;
    if (!on) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
    } else if (this._state.kind === 'unreachable') {
      this.scheduleRetry();
    }
  }

  async request<P, R>(
    type: RequestType<P, R, ErrorData>,
    params: P,
    token?: vscode.CancellationToken,
  ): Promise<R> {
    if (!(await this.connect()) || !this.connection) {
      const problem =
        this._state.kind === 'unreachable' ? this._state.problem.summary : 'not connected';
      throw new HelperError(`Bindery helper unreachable: ${problem}`, 'unreachable');
    }
    try {
      // A fresh type from our own copy of vscode-jsonrpc: types built by another bundle (the
      // tests') carry a ParameterStructures instance this copy does not recognise.
      return await this.connection.sendRequest(
        new RequestType<P, R, ErrorData>(type.method),
        params,
        token,
      );
    } catch (e) {
      if (e instanceof ResponseError)
        throw new HelperError(e.message, e.code, e.data as ErrorData | undefined);
      throw new HelperError(e instanceof Error ? e.message : String(e), 'unreachable');
    }
  }

  private async attemptConnect(): Promise<boolean> {
    const socketPath = this.socketPath();
    if (this._state.kind !== 'connecting') this.setState({ kind: 'connecting' });
    let socket: net.Socket;
    try {
      socket = await openSocket(socketPath);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      this.fail(diagnoseConnectError(gatherFacts(socketPath, err)));
      return false;
    }
    const reader = new SocketMessageReader(socket);
    const connection = createMessageConnection(reader, new SocketMessageWriter(socket));
    // Closed halfway through a message, vscode-jsonrpc 8's reader re-arms a 10 s "partial
    // message" timer forever, even disposed.
    socket.on('close', () => (reader.partialMessageTimeout = 0));
    this.wireNotifications(connection);
    connection.onClose(() => {
      if (this.connection !== connection) return;
      this.log.appendLine(`[helper] connection to ${socketPath} closed`);
      this.connection = undefined;
      this.socket = undefined;
      this.fail(connectionLost(socketPath));
    });
    connection.listen();
    let version: VersionResult;
    try {
      version = await withTimeout(
        connection.sendRequest(VersionRequest, undefined),
        VERSION_TIMEOUT_MS,
      );
    } catch (e) {
      connection.dispose();
      socket.destroy();
      const timedOut = e instanceof Error && e.message === 'timeout';
      this.fail(
        diagnoseConnectError({
          socketPath,
          errno: timedOut ? 'ETIMEDOUT' : undefined,
          message: e instanceof Error ? e.message : String(e),
        }),
      );
      return false;
    }
    const mismatch = diagnoseVersion(socketPath, version.protocol, version.helper);
    if (mismatch) {
      connection.dispose();
      socket.destroy();
      this.fail(mismatch);
      return false;
    }
    this.connection = connection;
    this.socket = socket;
    this.attempt = 0;
    this.log.appendLine(
      `[helper] connected to ${socketPath}: bindery ${version.helper}, protocol ${version.protocol}, uid ${version.peerUid}`,
    );
    this.setState({ kind: 'connected', version, socketPath });
    return true;
  }

  private wireNotifications(c: MessageConnection): void {
    const on = <T>(type: NotificationType<T>, emitter: vscode.EventEmitter<T>) =>
      c.onNotification(type, (event: T) => emitter.fire(event));
    on(OperationNotification, this.operationEmitter);
    on(StartedNotification, this.startedEmitter);
    on(OutputNotification, this.outputEmitter);
    on(ExitedNotification, this.exitedEmitter);
    on(TornDownNotification, this.tornDownEmitter);
    on(ChangedNotification, this.changedEmitter);
    on(HookNotification, this.hookEmitter);
  }

  private fail(problem: HelperProblem): void {
    this.log.appendLine(`[helper] ${problem.summary}`);
    this.setState({ kind: 'unreachable', problem });
    if (this.keepTrying) this.scheduleRetry();
  }

  private scheduleRetry(): void {
    if (this.retryTimer) return;
    const delay = BACKOFF_MS[Math.min(this.attempt, BACKOFF_MS.length - 1)];
    this.attempt++;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.keepTrying && this._state.kind !== 'connected') void this.connect();
    }, delay);
  }

  private setState(state: HelperState): void {
    this._state = state;
    this.stateEmitter.fire(state);
  }

  private closeConnection(): void {
    const c = this.connection;
    this.connection = undefined;
    c?.dispose();
    this.socket?.destroy();
    this.socket = undefined;
  }

  dispose(): void {
    this.keepTrying = false;
    clearTimeout(this.retryTimer);
    this.closeConnection();
    for (const e of [
      this.stateEmitter,
      this.operationEmitter,
      this.startedEmitter,
      this.outputEmitter,
      this.exitedEmitter,
      this.tornDownEmitter,
      this.changedEmitter,
    ]) {
      e.dispose();
    }
  }
}

function openSocket(path: string): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.createConnection({ path });
    socket.once('connect', () => {
      socket.removeListener('error', reject);
      resolve(socket);
    });
    socket.once('error', reject);
  });
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error('timeout')), ms);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}

/** What we can learn about the socket without privileges, to explain a failed connect. */
function gatherFacts(socketPath: string, err: NodeJS.ErrnoException): ConnectFacts {
  const facts: ConnectFacts = { socketPath, errno: err.code, message: err.message };
  facts.socketDirExists = fs.existsSync(dirname(socketPath));
  try {
    const st = fs.statSync(socketPath);
    facts.isSocket = st.isSocket();
    const group = readGroup(st.gid);
    facts.socketGroup = { gid: st.gid, name: group?.name };
    facts.groupMembers = group?.members;
  } catch {
    // No socket, or its directory is closed to us: the errno already says which.
  }
  try {
    facts.userName = os.userInfo().username;
  } catch {
    facts.userName = undefined;
  }
  facts.processGids = process.getgroups?.();
  return facts;
}

function readGroup(gid: number): { name: string; members: string[] } | undefined {
  try {
    for (const line of fs.readFileSync('/etc/group', 'utf8').split('\n')) {
      const [name, , id, members] = line.split(':');
      if (Number(id) === gid)
        return { name, members: members ? members.split(',').filter(Boolean) : [] };
    }
  } catch {
    // Some systems keep groups elsewhere (LDAP); the gid alone still helps.
  }
  return undefined;
}
