// Following a container's stdout.log / stderr.log as they grow.
//
// The process writes to files in its state directory rather than to pipes into the
// helper: a pipe would die with the helper (the next write gets SIGPIPE), a file survives a
// helper crash and a restarted helper follows it again from where it is. Growth is noticed
// with fs.watch (inotify); nothing polls.
//
// What has been read is punched out of the file (fallocate PUNCH_HOLE | KEEP_SIZE), so a
// container that prints forever uses at most a little unread output of disk (the state root
// is a tmpfs: memory) instead of filling it. The file keeps its size, so offsets stay valid
// and the process's O_APPEND writes are never raced: only bytes behind the reader are freed.
// While no helper follows (it crashed), the file grows until a restarted helper adopts the
// container, catches up and punches.
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';
import {
  FALLOC_FL_KEEP_SIZE,
  FALLOC_FL_PUNCH_HOLE,
  O_NOFOLLOW,
  O_RDWR,
  type Syscalls,
} from './syscalls';

/**
 * Punched ranges end on this boundary. The kernel frees only whole pages (blocks) and zeroes
 * the part of a partial one; a zeroed partial page would count as data for SEEK_DATA and be
 * replayed as NUL bytes after a restart. 64 KiB is a multiple of every Linux page size.
 */
const PUNCH_ALIGN = 64 * 1024;
const READ_CHUNK = 1024 * 1024;

export class LogFollower {
  private offset: number;
  /** Everything before this offset has been punched out. */
  private punchedTo = 0;
  private holesSkipped = false;
  private watcher: fs.FSWatcher | undefined;
  private reading: Promise<void> = Promise.resolve();
  private again = false;
  private readonly decoder = new StringDecoder('utf8');
  /** Why punching stopped (errno, e.g. EOPNOTSUPP on a filesystem without holes); the file then just grows. */
  punchFailure: string | undefined;

  constructor(
    private readonly file: string,
    private readonly onData: (text: string) => void,
    private readonly sys: Pick<Syscalls, 'fallocate' | 'seekData'>,
    startAt = 0,
  ) {
    this.offset = startAt;
  }

  start(): void {
    try {
      this.watcher = fs.watch(this.file, { persistent: false }, () => void this.pump());
      this.watcher.on('error', () => this.stop());
    } catch {
      // The file is gone: the container was torn down meanwhile.
    }
    void this.pump();
  }

  /** Read everything written so far (call after the process exited). */
  async flush(): Promise<void> {
    await this.pump();
    const rest = this.decoder.end();
    if (rest) this.onData(rest);
  }

  stop(): void {
    this.watcher?.close();
    this.watcher = undefined;
  }

  /** One reader at a time; a change noticed while reading triggers another pass. */
  private pump(): Promise<void> {
    this.again = true;
    this.reading = this.reading.then(async () => {
      while (this.again) {
        this.again = false;
        await this.readToEnd();
      }
    });
    return this.reading;
  }

  private async readToEnd(): Promise<void> {
    let fh: fs.promises.FileHandle;
    try {
      // Read-write only because fallocate needs it; nothing is ever written here.
      fh = await fs.promises.open(this.file, O_RDWR | O_NOFOLLOW);
    } catch {
      return;
    }
    try {
      if (!this.holesSkipped) {
        this.holesSkipped = true;
        await this.skipHoles(fh);
      }
      const buf = Buffer.allocUnsafe(READ_CHUNK);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const text = this.decoder.write(buf.subarray(0, bytesRead));
        if (text) this.onData(text);
        this.punchBehind(fh.fd);
      }
    } finally {
      await fh.close();
    }
  }

  /**
   * A helper adopting a running container starts where the data starts: what an earlier
   * helper read was punched out and would read as zeros.
   */
  private async skipHoles(fh: fs.promises.FileHandle): Promise<void> {
    // The size first: if SEEK_DATA then finds nothing, all of [offset, size) was a hole.
    const size = (await fh.stat()).size;
    const next = this.sys.seekData(fh.fd, this.offset);
    if (next.ok) this.offset = Math.max(this.offset, next.value);
    else if (next.errno === 'ENXIO') this.offset = Math.max(this.offset, size);
    // Any other error: read from where we are, as before punching existed.
  }

  private punchBehind(fd: number): void {
    if (this.punchFailure) return;
    const end = this.offset - (this.offset % PUNCH_ALIGN);
    if (end <= this.punchedTo) return;
    const r = this.sys.fallocate(
      fd,
      FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
      this.punchedTo,
      end - this.punchedTo,
    );
    if (!r.ok) {
      this.punchFailure = r.errno;
      return;
    }
    this.punchedTo = end;
  }
}
