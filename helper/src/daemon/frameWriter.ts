// Writes JSON-RPC messages to a client's socket at once, framed as vscode-jsonrpc's reader
// expects (`Content-Length: N\r\n\r\n` and the UTF-8 JSON), and counts what the client has
// not taken yet. vscode-jsonrpc's own writer keeps messages, not yet serialised, in a queue
// in front of the socket and hands over one at a time: for a client that does not read,
// that hidden queue grew to gigabytes while the socket's buffer stayed small. Here a
// message is in the socket the moment it is written, so `queued` is everything waiting.
import type { Socket } from 'node:net';
import { AbstractMessageWriter, type Message, type MessageWriter } from 'vscode-jsonrpc/node';

/** Bytes waiting in every client's socket together; shared by all connections' writers. */
export class WriteBudget {
  queued = 0;
}

export class SocketFrameWriter extends AbstractMessageWriter implements MessageWriter {
  /** Bytes written to the socket whose write has not completed (the kernel has not taken them). */
  queued = 0;
  private closed = false;
  private corked = false;

  constructor(
    private readonly socket: Socket,
    private readonly budget: WriteBudget,
    /** Bytes waiting beyond which the next write is refused and `onOverflow` called instead. */
    private readonly hardLimit: number,
    private readonly onOverflow: (queued: number) => void,
  ) {
    super();
    socket.on('close', () => {
      // Writes still pending will never complete: give their bytes back to the budget.
      this.closed = true;
      this.budget.queued -= this.queued;
      this.queued = 0;
      this.fireClose();
    });
  }

  write(msg: Message): Promise<void> {
    if (this.closed || this.socket.destroyed) return Promise.reject(new Error('connection closed'));
    if (this.queued > this.hardLimit) {
      this.onOverflow(this.queued);
      return Promise.reject(new Error(`client does not read (${this.queued} bytes waiting)`));
    }
    const frame = encodeFrame(msg);
    const n = frame.length;
    this.queued += n;
    this.budget.queued += n;
    // The frames written in one turn of the event loop (a chunk of a launch's operation
    // events) leave in one writev, not one write(2) each.
    if (!this.corked) {
      this.corked = true;
      this.socket.cork();
      process.nextTick(() => {
        this.corked = false;
        this.socket.uncork();
      });
    }
    return new Promise((resolve, reject) => {
      this.socket.write(frame, (err) => {
        if (!this.closed) {
          this.queued -= n;
          this.budget.queued -= n;
        }
        if (err) reject(err);
        else resolve();
      });
    });
  }

  end(): void {
    // The connection owns the socket and ends it.
  }
}

/**
 * The notifications framed in the current turn of the event loop, by payload: the daemon
 * sends each event to every connection that may see it, one after another, and the payload
 * is the same object each time, so it is serialised once, not once per client (also when a
 * client of protocol 1.2 is sent a batch's steps one by one, then the next client). Dropped
 * before anything could change a payload (a later send of it is framed afresh).
 */
const framed = new Map<object, { method: string; frame: Buffer }>();

function encodeFrame(msg: Message): Buffer {
  const m = msg as Message & { method?: unknown; params?: unknown; id?: unknown };
  const notification = typeof m.method === 'string' && !('id' in m) && typeof m.params === 'object' && m.params !== null;
  if (notification) {
    const got = framed.get(m.params as object);
    if (got && got.method === m.method) return got.frame;
  }
  const body = JSON.stringify(msg);
  const bodyBytes = Buffer.byteLength(body, 'utf8');
  const header = `Content-Length: ${bodyBytes}\r\n\r\n`;
  const frame = Buffer.allocUnsafe(header.length + bodyBytes);
  frame.write(header, 0, 'ascii');
  frame.write(body, header.length, 'utf8');
  if (notification) {
    if (framed.size === 0) queueMicrotask(() => framed.clear());
    framed.set(m.params as object, { method: m.method as string, frame });
  }
  return frame;
}
