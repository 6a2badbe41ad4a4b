// The one client for binderyd: connect to its socket, call requests with types, receive
// container events. The CLI, the tests, scripts and the editor extension all use it; like
// the protocol, it is part of the helper's public face.
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import {
  type CancellationToken,
  createMessageConnection,
  ErrorCodes as JsonRpcErrorCodes,
  RequestType,
  ResponseError,
  SocketMessageReader,
  StreamMessageWriter,
  type Disposable,
  type MessageConnection,
  type NotificationType,
} from 'vscode-jsonrpc/node';
import {
  ChangedNotification,
  DEFAULT_SOCKET_PATH,
  ExitedNotification,
  FeaturesRequest,
  InspectRequest,
  LaunchRequest,
  ListRequest,
  LogsRequest,
  InputRequest,
  ResizeRequest,
  HookNotification,
  OperationNotification,
  OperationsNotification,
  OutputNotification,
  PROTOCOL_VERSION,
  StartedNotification,
  StopRequest,
  TeardownRequest,
  TornDownNotification,
  ValidateRequest,
  VersionRequest,
  type ContainerInfo,
  type ErrorData,
  type ExitedEvent,
  type HookEvent,
  type IdParams,
  type InspectResult,
  type LaunchParams,
  type LogsResult,
  type OperationEvent,
  type OperationsEvent,
  type OutputEvent,
  type StartedEvent,
  type StopParams,
  type ValidateResult,
  type VersionResult,
} from './protocol';

/**
 * Why there is no usable helper: the socket refused the connection (`no-helper`,
 * `permission-denied`, `connect-failed`), the helper did not answer the version request
 * (`no-answer`), it speaks another protocol major (`version-mismatch`), or there was no open
 * connection for a request (`unreachable`).
 */
export type ConnectFailure =
  | 'no-helper'
  | 'permission-denied'
  | 'connect-failed'
  | 'no-answer'
  | 'version-mismatch'
  | 'unreachable';

/**
 * Every failure of a call to the helper, with a message that says what to do: an error
 * reply (`code` is its JSON-RPC code, `data` names what and where) or no usable connection
 * (`code` says why; `errno` is the socket's, e.g. ENOENT or ETIMEDOUT, when there is one).
 */
export class HelperError extends Error {
  constructor(
    message: string,
    readonly code: number | ConnectFailure,
    readonly data?: ErrorData,
    readonly errno?: string,
  ) {
    super(message);
  }

  /** True when the helper never answered (no reply to read `data` from). */
  get isConnectFailure(): boolean {
    return typeof this.code === 'string';
  }
}

export interface ConnectOptions {
  socketPath?: string;
  /** Refuse a helper whose protocol major differs (default true). */
  checkVersion?: boolean;
  /** Give up on a helper that does not answer the version request within this time. */
  versionTimeoutMs?: number;
  /**
   * Ask a helper of protocol 1.3 or later for operation events in batches (default true).
   * Listeners see the same events either way; false makes the helper send them as 1.2 did.
   */
  operationBatches?: boolean;
}

function major(v: string): string {
  return v.split('.')[0];
}

/** True when protocol version `v` is `maj.min` or later within the same major. */
function atLeast(v: string, maj: number, min: number): boolean {
  const [a, b] = v.split('.').map(Number);
  return a === maj && b >= min;
}

export class HelperClient {
  private constructor(
    private readonly rpc: MessageConnection,
    private readonly socket: net.Socket,
    readonly socketPath: string,
    /** What the helper said about itself at connect time. */
    readonly helper: VersionResult,
  ) {}

  static async connect(opts: ConnectOptions = {}): Promise<HelperClient> {
    const socketPath = opts.socketPath ?? process.env.BINDERY_SOCKET ?? DEFAULT_SOCKET_PATH;
    const socket = await new Promise<net.Socket>((resolve, reject) => {
      const s = net.connect(socketPath);
      s.once('connect', () => {
        s.removeListener('error', reject);
        resolve(s);
      });
      s.once('error', (e: NodeJS.ErrnoException) => reject(connectError(socketPath, e)));
    });
    // Writes go through a pass-through so that one queued after close() is dropped quietly
    // (vscode-jsonrpc 8 leaves that rejection unhandled when it hits a destroyed socket).
    const out = new PassThrough();
    out.pipe(socket);
    const reader = new SocketMessageReader(socket);
    const rpc = createMessageConnection(reader, new StreamMessageWriter(out));
    socket.on('error', () => rpc.dispose());
    // Closed halfway through a message (a flood of output), vscode-jsonrpc 8's reader re-arms
    // a 10 s "partial message" timer forever, even disposed, and keeps the process alive.
    socket.on('close', () => (reader.partialMessageTimeout = 0));
    // vscode-jsonrpc leaves requests pending on a closed connection; disposing rejects them,
    // so a caller hears `unreachable` instead of waiting forever. Listeners added later still
    // hear the close.
    rpc.onClose(() => rpc.dispose());
    rpc.listen();
    let helper: VersionResult;
    try {
      helper = await withTimeout(rpc.sendRequest(VersionRequest, undefined), opts.versionTimeoutMs);
    } catch (e) {
      rpc.dispose();
      socket.destroy();
      const timedOut = e === TIMED_OUT;
      throw new HelperError(
        `the helper on ${socketPath} did not answer: ${timedOut ? `no reply within ${opts.versionTimeoutMs} ms` : e instanceof Error ? e.message : String(e)}`,
        'no-answer',
        undefined,
        timedOut ? 'ETIMEDOUT' : undefined,
      );
    }
    if (opts.checkVersion !== false && major(helper.protocol) !== major(PROTOCOL_VERSION)) {
      rpc.dispose();
      socket.destroy();
      throw new HelperError(
        `the helper on ${socketPath} speaks protocol ${helper.protocol}, this client ${PROTOCOL_VERSION}: install matching versions and restart the helper`,
        'version-mismatch',
      );
    }
    // Not waited for: the helper handles a connection's messages in order, so everything
    // this client asks after it already gets batches; an older helper never sends them.
    if (opts.operationBatches !== false && atLeast(helper.protocol, 1, 3))
      rpc.sendRequest(FeaturesRequest, { operationBatches: true }).catch(() => {});
    return new HelperClient(rpc, socket, socketPath, helper);
  }

  /**
   * Any request of the protocol. An error reply, or a connection that closed under it,
   * comes back as a HelperError.
   */
  async request<P, R>(type: RequestType<P, R, ErrorData>, params: P, token?: CancellationToken): Promise<R> {
    try {
      // A fresh type from this module's copy of vscode-jsonrpc: a type built by another copy
      // (a test bundle's) carries a ParameterStructures instance this one does not recognise.
      return await this.rpc.sendRequest(new RequestType<P, R, ErrorData>(type.method), params, token);
    } catch (e) {
      if (e instanceof ResponseError && e.code !== JsonRpcErrorCodes.PendingResponseRejected)
        throw new HelperError(e.message, e.code, e.data as ErrorData | undefined);
      throw new HelperError(`the connection to ${this.socketPath} failed: ${e instanceof Error ? e.message : String(e)}`, 'unreachable');
    }
  }

  version(): Promise<VersionResult> {
    return this.request(VersionRequest, undefined);
  }
  validate(bundle: string): Promise<ValidateResult> {
    return this.request(ValidateRequest, { bundle });
  }
  launch(params: LaunchParams): Promise<ContainerInfo> {
    return this.request(LaunchRequest, params);
  }
  list(): Promise<ContainerInfo[]> {
    return this.request(ListRequest, undefined);
  }
  inspect(id: string): Promise<InspectResult> {
    return this.request(InspectRequest, { id });
  }
  stop(params: StopParams): Promise<ContainerInfo> {
    return this.request(StopRequest, params);
  }
  teardown(id: string): Promise<void> {
    return this.request(TeardownRequest, { id });
  }
  /** Since protocol 1.2: type into the container's terminal. */
  input(id: string, data: string): Promise<void> {
    return this.request(InputRequest, { id, data });
  }

  /** Since protocol 1.2: resize the container's terminal. */
  resize(id: string, rows: number, cols: number): Promise<void> {
    return this.request(ResizeRequest, { id, rows, cols });
  }

  logs(id: string): Promise<LogsResult> {
    return this.request(LogsRequest, { id });
  }

  // vscode-jsonrpc keeps one handler per method; listeners are fanned out here so that any
  // number of subscribers can watch the same notification.
  private readonly listeners = new Map<string, Set<(e: unknown) => void>>();

  private on<E>(type: NotificationType<E>, fn: (e: E) => void): Disposable {
    let set = this.listeners.get(type.method);
    if (!set) {
      const fresh = new Set<(e: unknown) => void>();
      this.rpc.onNotification(type, (e: E) => {
        for (const l of [...fresh]) l(e);
      });
      this.listeners.set(type.method, fresh);
      set = fresh;
    }
    const listener = fn as (e: unknown) => void;
    set.add(listener);
    return { dispose: () => void set.delete(listener) };
  }
  /**
   * The steps of a launch as the helper sends them: several at once from a helper of
   * protocol 1.3 or later (`container/operations`), one at a time from an older one.
   */
  onOperations(fn: (e: OperationsEvent) => void): Disposable {
    const batches = this.on(OperationsNotification, (e) => Array.isArray(e.operations) && e.operations.length > 0 && fn(e));
    const single = this.on(OperationNotification, (e) => fn({ id: e.id, operations: [e] }));
    return { dispose: () => (batches.dispose(), single.dispose()) };
  }
  /** Each step of a launch, applied or failed, in order, however the helper sends them. */
  onOperation(fn: (e: OperationEvent) => void): Disposable {
    return this.onOperations((batch) => {
      for (const e of batch.operations) fn(e);
    });
  }
  onStarted(fn: (e: StartedEvent) => void): Disposable {
    return this.on(StartedNotification, fn);
  }
  onOutput(fn: (e: OutputEvent) => void): Disposable {
    return this.on(OutputNotification, fn);
  }
  onExited(fn: (e: ExitedEvent) => void): Disposable {
    return this.on(ExitedNotification, fn);
  }
  onTornDown(fn: (e: IdParams) => void): Disposable {
    return this.on(TornDownNotification, fn);
  }
  onChanged(fn: (e: ContainerInfo) => void): Disposable {
    return this.on(ChangedNotification, fn);
  }
  /** Since protocol 1.2: one of a container's hooks ran. */
  onHook(fn: (e: HookEvent) => void): Disposable {
    return this.on(HookNotification, fn);
  }
  /** Fires once when the helper goes away or the connection is closed. */
  onClose(fn: () => void): Disposable {
    return this.rpc.onClose(fn);
  }

  close(): void {
    this.rpc.dispose();
    this.socket.destroy();
  }
}

function connectError(socketPath: string, e: NodeJS.ErrnoException): HelperError {
  switch (e.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new HelperError(
        `no helper listening on ${socketPath}: start it with \`sudo bindery daemon\` or the systemd units (see helper/PROTOCOL.md)`,
        'no-helper',
        undefined,
        e.code,
      );
    case 'EACCES':
    case 'EPERM':
      return new HelperError(
        `permission denied on ${socketPath}: add yourself to the bindery group (sudo usermod -aG bindery $USER, then log in again) — membership is not root-equivalent, see PROTOCOL.md`,
        'permission-denied',
        undefined,
        e.code,
      );
    default:
      return new HelperError(`cannot connect to ${socketPath}: ${e.code ?? ''} ${e.message}`.trim(), 'connect-failed', undefined, e.code);
  }
}

const TIMED_OUT = Symbol('timed out');

function withTimeout<T>(p: Promise<T>, ms: number | undefined): Promise<T> {
  if (ms === undefined) return p;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(TIMED_OUT), ms)));
  return Promise.race([p, timeout]).finally(() => clearTimeout(timer));
}
