// The runtime's log, as runc writes it: `--log FILE` (appended), `--log-format text|json`.
// Engines read it: podman (with the runtime in runtime_supports_json) and containerd's shim
// take the last `"level":"error"` line as the reason a call failed. Errors also go to
// stderr, as plain text, for whoever ran the command.
import * as fs from 'node:fs';

export type LogLevel = 'debug' | 'info' | 'warning' | 'error';

export class RuntimeLog {
  private fd: number | undefined;

  constructor(
    private readonly file: string | undefined,
    private readonly format: 'text' | 'json',
    private readonly debugOn: boolean,
    private readonly stderr: (line: string) => void,
  ) {}

  private write(level: LogLevel, msg: string): void {
    if (!this.file) return;
    const time = new Date().toISOString();
    const line =
      this.format === 'json'
        ? JSON.stringify({ level, msg, time })
        : `time="${time}" level=${level} msg=${JSON.stringify(msg)}`;
    try {
      this.fd ??= fs.openSync(this.file, 'a', 0o600);
      fs.writeSync(this.fd, line + '\n');
    } catch (e) {
      // A log that cannot be written must not hide the error it was meant to carry.
      if (level === 'error')
        this.stderr(`bindery: cannot write the log ${this.file}: ${(e as Error).message}`);
    }
  }

  debug(msg: string): void {
    if (this.debugOn) this.write('debug', msg);
  }

  warn(msg: string): void {
    this.write('warning', msg);
  }

  /** A warning a person must see (a hook failed): to the log, else to stderr, as runc's default output. */
  notice(msg: string): void {
    this.write('warning', msg);
    if (!this.file) this.stderr(`bindery: warning: ${msg}`);
  }

  /** The error of a failed call: to the log and to stderr. */
  error(msg: string): void {
    this.write('error', msg);
    this.stderr(msg);
  }
}
