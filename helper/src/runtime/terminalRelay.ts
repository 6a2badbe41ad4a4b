// The helper's side of a container's terminal: the pty master the init sent over the
// console socket. Output is read through libuv (epoll; no thread held) and passed on as
// the container's stdout (a terminal merges both streams, as `docker logs` shows a tty
// container); input and resizes go the other way.
//
// Bounded: the kernel holds what the process wrote and the helper has not read (the pty's
// buffer; the process waits in write when it is full, as with the output FIFOs). Input the
// process does not read waits in the helper up to INPUT_LIMIT, and more is refused rather
// than queued, so a client cannot grow the helper's memory by typing into a process that
// never reads. The master is non-blocking: a write never stops the helper's event loop.
import * as fs from 'node:fs';
import * as tty from 'node:tty';
import { StringDecoder } from 'node:string_decoder';
import type { DaemonSyscalls, SysResult } from './syscalls';

/** Input waiting for the process to read, at most (a paste of a few pages). */
export const INPUT_LIMIT = 64 * 1024;
const RETRY_MS = 20;
/** Read at exit, at most: what the process left in the terminal. */
const FLUSH_LIMIT = 1024 * 1024;

export class TerminalRelay {
  private stream: tty.ReadStream | undefined;
  private fd: number | undefined;
  private pending: Buffer[] = [];
  private pendingBytes = 0;
  private retry: NodeJS.Timeout | undefined;
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly sys: DaemonSyscalls,
    master: number,
    private readonly onData: (text: string) => void,
  ) {
    this.fd = master;
  }

  /** Start reading (once the process runs). */
  start(): SysResult {
    if (this.fd === undefined || this.stream) return { ok: true, value: undefined };
    const nb = this.sys.setNonBlocking(this.fd);
    if (!nb.ok) return nb;
    // A read can return 0 while the exiting session leader hangs the terminal up, with output
    // still buffered: that "end" must not close the master (flush reads the rest at exit).
    this.stream = new tty.ReadStream(this.fd, { allowHalfOpen: true });
    this.stream.on('data', (b: Buffer) => this.take(b));
    // EIO: every slave fd is closed (the process and its children are gone).
    this.stream.on('error', () => this.stop());
    return { ok: true, value: undefined };
  }

  /** Queue `data` for the process; false (nothing queued) when that would pass INPUT_LIMIT or the terminal is closed. */
  write(data: Buffer): boolean {
    if (this.fd === undefined) return false;
    if (this.pendingBytes + data.length > INPUT_LIMIT) return false;
    this.pending.push(data);
    this.pendingBytes += data.length;
    this.drain();
    return true;
  }

  resize(rows: number, cols: number): SysResult {
    if (this.fd === undefined) return { ok: false, errno: 'EBADF', call: 'ioctl(TIOCSWINSZ)' };
    return this.sys.setWindowSize(this.fd, rows, cols);
  }

  /** The process exited: pass on what it left in the terminal, then close the master. */
  flush(): void {
    if (this.fd !== undefined && this.stream && !this.stream.destroyed) {
      const buf = Buffer.allocUnsafe(64 * 1024);
      for (let total = 0; total < FLUSH_LIMIT; ) {
        let n: number;
        try {
          n = fs.readSync(this.fd, buf, 0, buf.length, null);
        } catch {
          break; // EAGAIN (empty) or EIO (no slave left)
        }
        if (n === 0) break;
        this.take(buf.subarray(0, n));
        total += n;
      }
    }
    this.stop();
  }

  stop(): void {
    const rest = this.decoder.end();
    if (rest) this.onData(rest);
    clearTimeout(this.retry);
    this.pending = [];
    this.pendingBytes = 0;
    // The stream owns the fd once made: destroying it closes the master.
    if (this.stream) this.stream.destroy();
    else if (this.fd !== undefined) this.sys.close(this.fd);
    this.stream = undefined;
    this.fd = undefined;
  }

  get open(): boolean {
    return this.fd !== undefined;
  }

  private take(b: Buffer): void {
    const text = this.decoder.write(b);
    if (text) this.onData(text);
  }

  private drain(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    while (this.pending.length > 0 && this.fd !== undefined) {
      const head = this.pending[0];
      let n: number;
      try {
        n = fs.writeSync(this.fd, head);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code === 'EAGAIN') break;
        this.pending = []; // EIO: the process is gone; its input with it
        this.pendingBytes = 0;
        return;
      }
      this.pendingBytes -= n;
      if (n === head.length) this.pending.shift();
      else this.pending[0] = head.subarray(n);
    }
    // The process has not read enough yet: try again shortly (a pty master gives no
    // writability event through the read stream).
    if (this.pending.length > 0) this.retry = setTimeout(() => this.drain(), RETRY_MS);
  }
}
