// The extension's connection to binderyd, built on the helper's own HelperClient (the one
// JSON-RPC client, with its one error type, HelperError): keep one client connected,
// diagnose failures in words, reconnect with backoff while someone is looking, and fan out
// the helper's notifications as VS Code events.
import * as fs from 'node:fs';
import * as os from 'node:os';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import type { RequestType } from 'vscode-jsonrpc';
import { HelperClient, HelperError } from '../../helper/src/client';
import type {
  ContainerInfo,
  ErrorData,
  ExitedEvent,
  HookEvent,
  IdParams,
  OperationsEvent,
  OutputEvent,
  StartedEvent,
  VersionResult,
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

export { HelperError };

const BACKOFF_MS = [500, 1000, 2000, 4000, 8000, 15000, 30000];
const VERSION_TIMEOUT_MS = 5000;

export class HelperConnection implements vscode.Disposable {
  private client: HelperClient | undefined;
  private pending: Promise<boolean> | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private attempt = 0;
  private keepTrying = false;
  private _state: HelperState = { kind: 'connecting' };

  private readonly stateEmitter = new vscode.EventEmitter<HelperState>();
  readonly onDidChangeState = this.stateEmitter.event;
  /** A launch's steps, several at once (what the helper got from the init together). */
  private readonly operationsEmitter = new vscode.EventEmitter<OperationsEvent>();
  readonly onOperations = this.operationsEmitter.event;
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
    if (!(await this.connect()) || !this.client) {
      const problem =
        this._state.kind === 'unreachable' ? this._state.problem.summary : 'not connected';
      throw new HelperError(`Bindery helper unreachable: ${problem}`, 'unreachable');
    }
    return this.client.request(type, params, token);
  }

  private async attemptConnect(): Promise<boolean> {
    const socketPath = this.socketPath();
    if (this._state.kind !== 'connecting') this.setState({ kind: 'connecting' });
    let client: HelperClient;
    try {
      // The version is judged below, by diagnoseVersion, which explains it in the editor's words.
      client = await HelperClient.connect({
        socketPath,
        checkVersion: false,
        versionTimeoutMs: VERSION_TIMEOUT_MS,
      });
    } catch (e) {
      if (!(e instanceof HelperError)) throw e;
      this.fail(
        e.code === 'no-answer'
          ? diagnoseConnectError({ socketPath, errno: e.errno, message: e.message })
          : diagnoseConnectError(gatherFacts(socketPath, e)),
      );
      return false;
    }
    const version = client.helper;
    const mismatch = diagnoseVersion(socketPath, version.protocol, version.helper);
    if (mismatch) {
      client.close();
      this.fail(mismatch);
      return false;
    }
    this.wireNotifications(client);
    client.onClose(() => {
      if (this.client !== client) return;
      this.log.appendLine(`[helper] connection to ${socketPath} closed`);
      this.client = undefined;
      this.fail(connectionLost(socketPath));
    });
    this.client = client;
    this.attempt = 0;
    this.log.appendLine(
      `[helper] connected to ${socketPath}: bindery ${version.helper}, protocol ${version.protocol}, uid ${version.peerUid}`,
    );
    this.setState({ kind: 'connected', version, socketPath });
    return true;
  }

  private wireNotifications(c: HelperClient): void {
    c.onOperations((e) => this.operationsEmitter.fire(e));
    c.onStarted((e) => this.startedEmitter.fire(e));
    c.onOutput((e) => this.outputEmitter.fire(e));
    c.onExited((e) => this.exitedEmitter.fire(e));
    c.onTornDown((e) => this.tornDownEmitter.fire(e));
    c.onChanged((e) => this.changedEmitter.fire(e));
    c.onHook((e) => this.hookEmitter.fire(e));
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
    const c = this.client;
    this.client = undefined;
    c?.close();
  }

  dispose(): void {
    this.keepTrying = false;
    clearTimeout(this.retryTimer);
    this.closeConnection();
    for (const e of [
      this.stateEmitter,
      this.operationsEmitter,
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

/** What we can learn about the socket without privileges, to explain a failed connect. */
function gatherFacts(socketPath: string, err: HelperError): ConnectFacts {
  const facts: ConnectFacts = { socketPath, errno: err.errno, message: err.message };
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
