// Following a container's stdout and stderr: one FIFO each in its state directory.
//
// Not a pipe from the helper: it would die with the helper (kill -9), and the container's
// next write would get SIGPIPE. Not a file either: while no helper reads, a file grows
// without limit (the state root is a tmpfs, so memory: 8 GB in 40 s once the helper had
// died). A FIFO has neither problem. The init opens the container's end read-write, so the
// pipe always has a reader and never breaks; the kernel holds at most one pipe buffer
// (64 KiB) of unread output, and a container that writes more waits — as with Docker's
// default blocking log mode — until a helper reads again: the launcher or, after a restart,
// the helper that adopts it and opens the FIFO again by its path. Nothing is ever on disk.
//
// The helper's end is opened, non-blocking, before the process can write, so what a process
// prints just before it exits stays in the pipe until it is read. It is read through libuv
// (epoll) as fast as the helper takes it: no polling, no thread held.
import * as fs from 'node:fs';
import * as net from 'node:net';
import { StringDecoder } from 'node:string_decoder';
import {
  AT_FDCWD,
  O_CLOEXEC,
  O_NOFOLLOW,
  O_NONBLOCK,
  O_RDONLY,
  S_IFIFO,
  S_IFMT,
  type Syscalls,
} from './syscalls';

/** Read at exit from a pipe whose other end some leftover process still writes to: at most this much. */
const FLUSH_LIMIT = 1024 * 1024;

/** Creates the FIFO a container's stream goes through (only root may open it). */
export function makeOutputPipe(
  sys: Pick<Syscalls, 'mknodat'>,
  path: string,
): ReturnType<Syscalls['mknodat']> {
  return sys.mknodat(AT_FDCWD, path, S_IFIFO | 0o600, 0);
}

export class LogFollower {
  private fd: number | undefined;
  private stream: net.Socket | undefined;
  private readonly decoder = new StringDecoder('utf8');

  /**
   * Opens the helper's end of the FIFO at `path` (not a symlink, nothing but a FIFO); a
   * follower of nothing when there is none, as for a container launched before output went
   * through FIFOs.
   */
  constructor(
    path: string,
    private readonly onData: (text: string) => void,
  ) {
    let fd: number;
    try {
      fd = fs.openSync(path, O_RDONLY | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    } catch {
      return;
    }
    if ((fs.fstatSync(fd).mode & S_IFMT) === S_IFIFO) this.fd = fd;
    else fs.closeSync(fd);
  }

  /** Start reading: only once the process holds its end, or the pipe would read as ended. */
  start(): void {
    if (this.fd === undefined || this.stream) return;
    this.stream = new net.Socket({ fd: this.fd, readable: true, writable: false });
    this.stream.on('data', (b: Buffer) => this.take(b));
    this.stream.on('error', () => this.stop());
  }

  /**
   * The process exited: read what it left in the pipe, then stop. A process that still
   * holds the pipe (without a PID namespace a child can outlive its parent) does not keep
   * this waiting: what is not in the pipe now is not read.
   */
  flush(): void {
    if (this.fd !== undefined && !this.stream?.destroyed) {
      const buf = Buffer.allocUnsafe(64 * 1024);
      for (let total = 0; total < FLUSH_LIMIT;) {
        let n: number;
        try {
          n = fs.readSync(this.fd, buf, 0, buf.length, null);
        } catch {
          break; // EAGAIN: the pipe is empty
        }
        if (n === 0) break; // nobody holds the other end any more, and it is empty
        this.take(buf.subarray(0, n));
        total += n;
      }
    }
    const rest = this.decoder.end();
    if (rest) this.onData(rest);
    this.stop();
  }

  stop(): void {
    if (this.stream) this.stream.destroy();
    else if (this.fd !== undefined) fs.closeSync(this.fd);
    this.fd = undefined;
  }

  private take(b: Buffer): void {
    const text = this.decoder.write(b);
    if (text) this.onData(text);
  }
}
