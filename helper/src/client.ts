// A small client for binderyd: connect to its socket, call requests with types, receive
// container events. Used by the CLI; usable by scripts and the editor extension.
import * as net from 'node:net';
import { PassThrough } from 'node:stream';
import {
  createMessageConnection,
  ResponseError,
  SocketMessageReader,
  StreamMessageWriter,
  type Disposable,
  type MessageConnection,
  type NotificationType,
  type RequestType,
} from 'vscode-jsonrpc/node';
import {
  ChangedNotification,
  DEFAULT_SOCKET_PATH,
  ExitedNotification,
  InspectRequest,
  LaunchRequest,
  ListRequest,
  LogsRequest,
  InputRequest,
  ResizeRequest,
  HookNotification,
  OperationNotification,
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
  type OutputEvent,
  type StartedEvent,
  type StopParams,
  type ValidateResult,
  type VersionResult,
} from './protocol';

export type ConnectFailure = 'no-helper' | 'permission-denied' | 'version-mismatch' | 'connect-failed';

/** Why there is no usable helper, with a message that says what to do. */
export class HelperConnectError extends Error {
  constructor(
    readonly kind: ConnectFailure,
    readonly socketPath: string,
    message: string,
  ) {
    super(message);
  }
}

/** An error reply from the helper. */
export class HelperRequestError extends Error {
  constructor(
    readonly code: number,
    message: string,
    readonly data?: ErrorData,
  ) {
    super(message);
  }
}

export interface ConnectOptions {
  socketPath?: string;
  /** Refuse a helper whose protocol major differs (default true). */
  checkVersion?: boolean;
}

function major(v: string): string {
  return v.split('.')[0];
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
      s.once('connect', () => resolve(s));
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
    rpc.listen();
    let helper: VersionResult;
    try {
      helper = await rpc.sendRequest(VersionRequest, undefined);
    } catch (e) {
      socket.destroy();
      throw new HelperConnectError('connect-failed', socketPath, `the helper on ${socketPath} did not answer: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (opts.checkVersion !== false && major(helper.protocol) !== major(PROTOCOL_VERSION)) {
      socket.destroy();
      throw new HelperConnectError(
        'version-mismatch',
        socketPath,
        `the helper on ${socketPath} speaks protocol ${helper.protocol}, this client ${PROTOCOL_VERSION}: install matching versions and restart the helper`,
      );
    }
    return new HelperClient(rpc, socket, socketPath, helper);
  }

  private async call<P, R>(type: RequestType<P, R, ErrorData>, params: P): Promise<R> {
    try {
      return await this.rpc.sendRequest(type, params);
    } catch (e) {
      if (e instanceof ResponseError) throw new HelperRequestError(e.code, e.message, e.data as ErrorData | undefined);
      throw e;
    }
  }

  version(): Promise<VersionResult> {
    return this.call(VersionRequest, undefined);
  }
  validate(bundle: string): Promise<ValidateResult> {
    return this.call(ValidateRequest, { bundle });
  }
  launch(params: LaunchParams): Promise<ContainerInfo> {
    return this.call(LaunchRequest, params);
  }
  list(): Promise<ContainerInfo[]> {
    return this.call(ListRequest, undefined);
  }
  inspect(id: string): Promise<InspectResult> {
    return this.call(InspectRequest, { id });
  }
  stop(params: StopParams): Promise<ContainerInfo> {
    return this.call(StopRequest, params);
  }
  teardown(id: string): Promise<void> {
    return this.call(TeardownRequest, { id });
  }
  /** Since protocol 1.2: type into the container's terminal. */
  input(id: string, data: string): Promise<void> {
    return this.call(InputRequest, { id, data });
  }

  /** Since protocol 1.2: resize the container's terminal. */
  resize(id: string, rows: number, cols: number): Promise<void> {
    return this.call(ResizeRequest, { id, rows, cols });
  }

  logs(id: string): Promise<LogsResult> {
    return this.call(LogsRequest, { id });
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
  onOperation(fn: (e: OperationEvent) => void): Disposable {
    return this.on(OperationNotification, fn);
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

function connectError(socketPath: string, e: NodeJS.ErrnoException): HelperConnectError {
  switch (e.code) {
    case 'ENOENT':
    case 'ECONNREFUSED':
      return new HelperConnectError(
        'no-helper',
        socketPath,
        `no helper listening on ${socketPath}: start it with \`sudo bindery daemon\` or the systemd units (see helper/PROTOCOL.md)`,
      );
    case 'EACCES':
    case 'EPERM':
      return new HelperConnectError(
        'permission-denied',
        socketPath,
        `permission denied on ${socketPath}: add yourself to the bindery group (sudo usermod -aG bindery $USER, then log in again) — membership is not root-equivalent, see PROTOCOL.md`,
      );
    default:
      return new HelperConnectError('connect-failed', socketPath, `cannot connect to ${socketPath}: ${e.code ?? ''} ${e.message}`.trim());
  }
}
