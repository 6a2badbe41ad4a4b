// Watches the byte stream in front of vscode-jsonrpc's reader and stops a connection whose
// framing is broken, whose message is too large, or that is too slow: no complete first
// message soon after connecting, or a message that trickles in. Before anything is
// buffered or parsed. It does not frame messages itself: bytes pass through unchanged to the
// library's reader.
import { Transform, type TransformCallback } from 'node:stream';
import { FIRST_MESSAGE_TIMEOUT_MS, MAX_HEADER_BYTES, MAX_MESSAGE_BYTES, MESSAGE_TIMEOUT_MS } from './limits';

export type FrameViolation =
  | {
      reason: 'header-too-large' | 'missing-content-length' | 'bad-content-length' | 'first-message-timeout' | 'message-timeout';
      message: string;
    }
  | { reason: 'message-too-large'; message: string; length: number };

export interface FrameTimeouts {
  firstMessageMs: number;
  messageMs: number;
}

const HEADER_END = Buffer.from('\r\n\r\n');

export class FrameGuard extends Transform {
  private header = Buffer.alloc(0);
  /** Body bytes still to pass before the next header; -1 while reading a header. */
  private bodyLeft = -1;
  private broken = false;
  /** Messages received whole so far. */
  private complete = 0;
  /** A message has begun (some of its header arrived) and is not complete yet. */
  private inMessage = false;
  private firstTimer?: NodeJS.Timeout;
  private messageTimer?: NodeJS.Timeout;

  constructor(
    private readonly onViolation: (v: FrameViolation) => void,
    private readonly maxBody = MAX_MESSAGE_BYTES,
    private readonly timeouts: FrameTimeouts = { firstMessageMs: FIRST_MESSAGE_TIMEOUT_MS, messageMs: MESSAGE_TIMEOUT_MS },
  ) {
    super();
    this.firstTimer = this.deadline(timeouts.firstMessageMs, () => this.complete === 0, {
      reason: 'first-message-timeout',
      message: `no complete message within ${timeouts.firstMessageMs} ms of connecting`,
    });
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.broken) return done();
    let at = 0;
    while (at < chunk.length) {
      if (!this.inMessage) this.messageBegun();
      if (this.bodyLeft >= 0) {
        const n = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= n;
        at += n;
        if (this.bodyLeft === 0) this.messageDone();
        continue;
      }
      // Reading a header: look for its end across chunk boundaries.
      const before = this.header.length;
      this.header = Buffer.concat([this.header, chunk.subarray(at)]);
      const end = this.header.indexOf(HEADER_END);
      if (end < 0) {
        if (this.header.length > MAX_HEADER_BYTES)
          return this.fail({ reason: 'header-too-large', message: `message header longer than ${MAX_HEADER_BYTES} bytes` }, done);
        at = chunk.length;
        break;
      }
      const violation = this.checkHeader(this.header.subarray(0, end).toString('ascii'));
      if (violation) return this.fail(violation, done);
      at += end + HEADER_END.length - before;
      this.header = Buffer.alloc(0);
      if (this.bodyLeft < 0) this.messageDone(); // Content-Length: 0
    }
    done(null, chunk);
  }

  override _flush(done: TransformCallback): void {
    this.stopTimers();
    done();
  }

  override _destroy(err: Error | null, done: (error: Error | null) => void): void {
    this.stopTimers();
    done(err);
  }

  /** The first byte of a message arrived: it has `messageMs` to be complete. */
  private messageBegun(): void {
    this.inMessage = true;
    const n = this.complete;
    this.messageTimer = this.deadline(this.timeouts.messageMs, () => this.inMessage && this.complete === n, {
      reason: 'message-timeout',
      message: `message not complete within ${this.timeouts.messageMs} ms of its first byte`,
    });
  }

  private messageDone(): void {
    this.bodyLeft = -1;
    this.inMessage = false;
    this.complete++;
    clearTimeout(this.messageTimer);
    clearTimeout(this.firstTimer);
  }

  /**
   * Fails the connection with `v` after `ms` if `late()` still holds then. The check waits
   * for the event loop's next check phase, after it has polled the sockets: bytes that did
   * arrive, but sat unread while the helper was busy, count as in time.
   */
  private deadline(ms: number, late: () => boolean, v: FrameViolation): NodeJS.Timeout {
    return setTimeout(
      () =>
        setImmediate(() => {
          if (this.broken || this.destroyed || !late()) return;
          this.broken = true;
          this.stopTimers();
          this.onViolation(v);
        }),
      ms,
    );
  }

  private stopTimers(): void {
    clearTimeout(this.firstTimer);
    clearTimeout(this.messageTimer);
  }

  private checkHeader(text: string): FrameViolation | undefined {
    let length: string | undefined;
    for (const line of text.split('\r\n')) {
      const colon = line.indexOf(':');
      const key = line.slice(0, colon);
      if (colon <= 0 || key.trim().toLowerCase() !== 'content-length') continue;
      // The reader behind us must see the very same length, or it would buffer a body this
      // guard never counted: it keys headers untrimmed and keeps the last duplicate.
      if (key !== key.trim() || length !== undefined)
        return { reason: 'bad-content-length', message: 'message header has a duplicate or padded Content-Length' };
      length = line.slice(colon + 1).trim();
    }
    if (length === undefined) return { reason: 'missing-content-length', message: 'message header has no Content-Length' };
    if (!/^[0-9]{1,10}$/.test(length)) return { reason: 'bad-content-length', message: `Content-Length is not a number: ${length.slice(0, 40)}` };
    const n = Number(length);
    if (n > this.maxBody)
      return { reason: 'message-too-large', length: n, message: `message of ${n} bytes is larger than the limit of ${this.maxBody} bytes` };
    this.bodyLeft = n === 0 ? -1 : n;
    return undefined;
  }

  private fail(v: FrameViolation, done: TransformCallback): void {
    this.broken = true;
    this.stopTimers();
    this.onViolation(v);
    done();
  }
}
