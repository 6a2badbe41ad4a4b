// Watches the byte stream in front of vscode-jsonrpc's reader and stops a connection whose
// framing is broken or whose message is too large, before anything is buffered or parsed.
// It does not frame messages itself: bytes pass through unchanged to the library's reader.
import { Transform, type TransformCallback } from 'node:stream';
import { MAX_HEADER_BYTES, MAX_MESSAGE_BYTES } from './limits';

export type FrameViolation =
  | { reason: 'header-too-large' | 'missing-content-length' | 'bad-content-length'; message: string }
  | { reason: 'message-too-large'; message: string; length: number };

const HEADER_END = Buffer.from('\r\n\r\n');

export class FrameGuard extends Transform {
  private header = Buffer.alloc(0);
  /** Body bytes still to pass before the next header; -1 while reading a header. */
  private bodyLeft = -1;
  private broken = false;

  constructor(
    private readonly onViolation: (v: FrameViolation) => void,
    private readonly maxBody = MAX_MESSAGE_BYTES,
  ) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    if (this.broken) return done();
    let at = 0;
    while (at < chunk.length) {
      if (this.bodyLeft >= 0) {
        const n = Math.min(this.bodyLeft, chunk.length - at);
        this.bodyLeft -= n;
        at += n;
        if (this.bodyLeft === 0) this.bodyLeft = -1;
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
    }
    done(null, chunk);
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
    this.onViolation(v);
    done();
  }
}
