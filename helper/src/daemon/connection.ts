// One client connection: frame guard → vscode-jsonrpc → request handlers, and the
// container notifications this peer may see. A connection that breaks the protocol gets
// one error reply (id null, as JSON-RPC 2.0 says for an unreadable request) and is closed;
// nothing it sends can disturb another connection.
import type { Socket } from 'node:net';
import {
  createMessageConnection,
  ErrorCodes as JsonRpcErrorCodes,
  Message,
  ResponseError,
  StreamMessageReader,
  type DataCallback,
  type Disposable,
  type MessageConnection,
  type MessageReader,
} from 'vscode-jsonrpc/node';
import {
  ChangedNotification,
  ErrorCodes,
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
  StartedNotification,
  type FeaturesResult,
  type OperationsEvent,
  type OutputEvent,
  StopRequest,
  TeardownRequest,
  TornDownNotification,
  ValidateRequest,
  VersionRequest,
} from '../protocol';
import { maySee, type Peer } from './authorize';
import { HelperError } from './errors';
import { FrameGuard, type FrameViolation } from './frameGuard';
import { SocketFrameWriter, type WriteBudget } from './frameWriter';
import { MAX_PARAMS_DEPTH, MAX_PENDING_WRITE_BYTES, MAX_QUEUED_OUTPUT_BYTES, MAX_QUEUED_OUTPUT_TOTAL_BYTES, MIN_QUEUED_OUTPUT_BYTES } from './limits';
import { OutputGaps } from './outputGaps';
import { featuresParams } from './params';
import type { RegistryEvent } from './registry';
import * as requests from './requests';

const NOTIFICATIONS = {
  hook: HookNotification,
  started: StartedNotification,
  output: OutputNotification,
  exited: ExitedNotification,
  tornDown: TornDownNotification,
  changed: ChangedNotification,
};

export class Connection {
  private readonly rpc: MessageConnection;
  private readonly writer: SocketFrameWriter;
  private readonly guard: FrameGuard;
  /** Output this client was not sent because it read too slowly; reported with what it is sent next. */
  private readonly gaps = new OutputGaps();
  private closed = false;
  /** The client asked for `container/operations` (protocol 1.3); otherwise it gets one `container/operation` per step. */
  private operationBatches = false;

  constructor(
    private readonly socket: Socket,
    readonly peer: Peer,
    private readonly ctx: requests.RequestContext,
    private readonly log: (line: string) => void,
    private readonly onClosed: (c: Connection) => void,
    private readonly budget: WriteBudget,
  ) {
    socket.on('error', () => this.destroy()); // EPIPE, ECONNRESET: the peer went away.
    socket.on('close', () => this.cleanUp());
    // The client read everything that was waiting: tell it what it missed meanwhile.
    socket.on('drain', () => this.sendGaps(undefined));
    this.guard = new FrameGuard((v) => this.violation(v));
    socket.pipe(this.guard);
    this.writer = new SocketFrameWriter(socket, budget, MAX_PENDING_WRITE_BYTES, (queued) => {
      this.log(`uid ${peer.uid}: dropping a connection that does not read (${queued} bytes waiting)`);
      this.destroy();
    });
    const reader = new ShapeCheckingReader(new StreamMessageReader(this.guard), (why, id) => this.refuse(JsonRpcErrorCodes.InvalidRequest, why, id));
    this.rpc = createMessageConnection(reader, this.writer, {
      // A client that leaves makes pending sends fail; that is not worth a log line.
      error: (m) => /^Sending .* failed/.test(m) || this.log(`uid ${peer.uid}: ${m}`),
      warn: () => {},
      info: () => {},
      log: () => {},
    });
    // Unparseable JSON: the library reports it as a reader error.
    this.rpc.onError(([err, msg]) => {
      if (msg === undefined && !this.closed) this.refuse(JsonRpcErrorCodes.ParseError, `message is not valid JSON: ${err.message.slice(0, 200)}`, null);
    });
    this.rpc.onClose(() => this.destroy());
    this.register();
    this.rpc.listen();
  }

  /**
   * One handler for every method, so each sees the raw `params` exactly as sent (the
   * library would otherwise spread arrays and pass a token when params are absent).
   */
  private register(): void {
    const { ctx, peer } = this;
    const handlers: Record<string, (ctx: requests.RequestContext, peer: Peer, params: unknown) => unknown> = {
      [VersionRequest.method]: requests.version,
      [ValidateRequest.method]: requests.validate,
      [LaunchRequest.method]: requests.launch,
      [ListRequest.method]: requests.list,
      [InspectRequest.method]: requests.inspect,
      [StopRequest.method]: requests.stop,
      [TeardownRequest.method]: requests.teardown,
      [LogsRequest.method]: requests.logs,
      [InputRequest.method]: requests.input,
      [ResizeRequest.method]: requests.resize,
      [FeaturesRequest.method]: (_ctx, _peer, params) => this.features(params),
    };
    this.rpc.onRequest(async (method: string, params: unknown) => {
      if (!Object.prototype.hasOwnProperty.call(handlers, method))
        return new ResponseError(JsonRpcErrorCodes.MethodNotFound, `unknown method ${JSON.stringify(method.slice(0, 64))}; see PROTOCOL.md`, { reason: 'unknown-method' });
      // Every request takes a flat object: deeper params are hostile, and would overflow any recursive walk.
      if (nestedDeeperThan(params, MAX_PARAMS_DEPTH))
        return new ResponseError(ErrorCodes.InvalidParams, `params nested deeper than ${MAX_PARAMS_DEPTH} levels`, { reason: 'invalid-params' });
      try {
        return (await handlers[method](ctx, peer, params)) ?? null;
      } catch (e) {
        if (e instanceof HelperError) return new ResponseError(e.code, e.message, e.data);
        this.log(`uid ${peer.uid}: ${method} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return new ResponseError(JsonRpcErrorCodes.InternalError, `internal error in ${method}: ${e instanceof Error ? e.message : String(e)}`, { reason: 'internal' });
      }
    });
  }

  private features(params: unknown): FeaturesResult {
    const p = featuresParams(params);
    if (p.operationBatches !== undefined) this.operationBatches = p.operationBatches;
    return { operationBatches: this.operationBatches };
  }

  /**
   * A container event, if this peer may see it. Output is left out (and counted) while the
   * client has more than its share waiting; every other event is sent, after a marker for
   * any output of that container left out before it.
   */
  notify(e: RegistryEvent): void {
    if (this.closed || !maySee(this.peer, e.owner)) return;
    if (e.kind === 'output') return this.sendOutput(e.payload);
    this.sendGaps(e.payload.id);
    if (e.kind === 'operations') return this.sendOperations(e.payload);
    this.send(NOTIFICATIONS[e.kind].method, e.payload);
  }

  private sendOperations(batch: OperationsEvent): void {
    if (this.operationBatches) return this.send(OperationsNotification.method, batch);
    for (const op of batch.operations) this.send(OperationNotification.method, op);
  }

  private sendOutput(e: OutputEvent): void {
    const waiting = this.writer.queued;
    if (waiting >= MAX_QUEUED_OUTPUT_BYTES || (waiting >= MIN_QUEUED_OUTPUT_BYTES && this.budget.queued >= MAX_QUEUED_OUTPUT_TOTAL_BYTES)) return this.gaps.drop(e);
    for (const p of this.gaps.close(undefined, e)) this.send(OutputNotification.method, p);
  }

  /** Markers for the output left out so far (of container `id`, or of all). */
  private sendGaps(id: string | undefined): void {
    if (this.gaps.size === 0) return;
    for (const p of this.gaps.close(id)) this.send(OutputNotification.method, p);
  }

  private send(method: string, payload: unknown): void {
    if (this.closed) return;
    this.rpc.sendNotification(method, payload).catch(() => this.destroy());
  }

  private violation(v: FrameViolation): void {
    const code =
      v.reason === 'message-too-large' ? ErrorCodes.RequestTooLarge : v.reason === 'first-message-timeout' || v.reason === 'message-timeout' ? JsonRpcErrorCodes.InvalidRequest : JsonRpcErrorCodes.ParseError;
    this.refuse(code, v.message, null, v.reason);
  }

  /** One error reply, then the connection is closed: its stream can no longer be trusted. */
  private refuse(code: number, message: string, id: number | string | null, reason = 'protocol-error'): void {
    if (this.closed) return;
    this.log(`uid ${this.peer.uid}: closing connection: ${message}`);
    const reply: Message & { id: number | string | null; error: object } = { jsonrpc: '2.0', id, error: { code, message, data: { reason } } };
    this.closed = true;
    this.writer
      .write(reply)
      .catch(() => {})
      .finally(() => {
        this.socket.end();
        // A peer that does not close its side is dropped shortly after.
        setTimeout(() => this.socket.destroy(), 1000).unref();
      });
  }

  /** Drops the connection; 'close' on the socket does the clean-up once. */
  destroy(): void {
    this.closed = true;
    this.socket.destroy();
  }

  private cleanUp(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.closed = true;
    this.guard.destroy();
    this.rpc.dispose();
    this.onClosed(this);
  }
  private disposed = false;
}

/**
 * Passes on only what JSON-RPC 2.0 calls a request or notification; anything else (an
 * array batch, a number, an object without `method`, a response to nothing) is refused.
 */
class ShapeCheckingReader implements MessageReader {
  constructor(
    private readonly inner: MessageReader,
    private readonly refuse: (why: string, id: number | string | null) => void,
  ) {}
  get onError() {
    return this.inner.onError;
  }
  get onClose() {
    return this.inner.onClose;
  }
  get onPartialMessage() {
    return this.inner.onPartialMessage;
  }
  listen(callback: DataCallback): Disposable {
    return this.inner.listen((msg) => {
      const m = msg as unknown as Record<string, unknown>;
      const id = typeof m?.id === 'number' || typeof m?.id === 'string' ? m.id : null;
      if (typeof m !== 'object' || m === null || Array.isArray(m)) return this.refuse('a message must be a JSON object (batches are not supported)', null);
      if (m.jsonrpc !== '2.0') return this.refuse('"jsonrpc" must be "2.0"', id);
      // The helper sends no requests, so a response from a client answers nothing: out of order.
      if (Message.isResponse(msg)) return this.refuse('unexpected response: the helper sends no requests', id);
      if (!Message.isRequest(msg) && !Message.isNotification(msg)) return this.refuse('not a JSON-RPC request or notification', id);
      callback(msg);
    });
  }
  dispose(): void {
    this.inner.dispose();
  }
}

/** True when `v` nests objects or arrays more than `max` levels deep; iterative, so any depth is safe to ask about. */
function nestedDeeperThan(v: unknown, max: number): boolean {
  let level: unknown[] = [v];
  for (let depth = 0; level.length > 0; depth++) {
    const next: unknown[] = [];
    for (const x of level) if (typeof x === 'object' && x !== null) for (const y of Object.values(x)) next.push(y);
    if (next.length > 0 && depth >= max) return true;
    level = next;
  }
  return false;
}
