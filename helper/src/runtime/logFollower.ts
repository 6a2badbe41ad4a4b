// Following a container's stdout.log / stderr.log as they grow.
//
// The process writes to files in its state directory rather than to pipes into the
// helper: a pipe would die with the helper (the next write gets SIGPIPE), a file survives a
// helper crash and a restarted helper follows it again from where it is. Growth is noticed
// with fs.watch (inotify); nothing polls.
import * as fs from 'node:fs';
import { StringDecoder } from 'node:string_decoder';

export class LogFollower {
  private offset = 0;
  private watcher: fs.FSWatcher | undefined;
  private reading: Promise<void> = Promise.resolve();
  private again = false;
  private readonly decoder = new StringDecoder('utf8');

  constructor(
    private readonly file: string,
    private readonly onData: (text: string) => void,
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
      fh = await fs.promises.open(this.file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
    } catch {
      return;
    }
    try {
      const buf = Buffer.alloc(64 * 1024);
      for (;;) {
        const { bytesRead } = await fh.read(buf, 0, buf.length, this.offset);
        if (bytesRead === 0) break;
        this.offset += bytesRead;
        const text = this.decoder.write(buf.subarray(0, bytesRead));
        if (text) this.onData(text);
      }
    } finally {
      await fh.close();
    }
  }
}
