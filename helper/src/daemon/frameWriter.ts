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
    const body = Buffer.from(JSON.stringify(msg), 'utf8');
    const header = Buffer.from(`Content-Length: ${body.length}\r\n\r\n`, 'ascii');
    const n = header.length + body.length;
    this.queued += n;
    this.budget.queued += n;
    return new Promise((resolve, reject) => {
      // Two writes in one turn of the event loop: nothing can come between header and body.
      this.socket.write(header);
      this.socket.write(body, (err) => {
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
