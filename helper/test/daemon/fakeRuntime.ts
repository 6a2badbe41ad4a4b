// A runtime that mounts nothing: containers that "run" for a moment, print a line and exit,
// so the daemon's protocol, policy and registry can be tested without root.
import { EventEmitter } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { ContainerInfo, ContainerStatus, ExitedEvent } from '../../src/protocol';
import type { ContainerHandle, LaunchOptions, RuntimeApi } from '../../src/daemon/runtimeApi';

export class FakeContainer extends EventEmitter implements ContainerHandle {
  status: ContainerStatus = 'running';
  pid?: number = 4242;
  readonly exited: Promise<ExitedEvent>;
  private exit!: (e: ExitedEvent) => void;
  private exit_?: ExitedEvent;
  constructor(
    readonly id: string,
    private readonly opts: LaunchOptions,
    private readonly createdAt = new Date().toISOString(),
  ) {
    super();
    this.exited = new Promise((r) => (this.exit = r));
    this.hasTerminal = opts.plan.operations.some((o) => o.op === 'console');
  }
  /** A fake terminal (a console operation in the plan): input is echoed as a tty echoes it, unless `reading` is off. */
  readonly hasTerminal: boolean;
  reading = true;
  unread = 0;
  readonly sizes: [number, number][] = [];
  writeInput(data: Buffer): boolean {
    if (!this.hasTerminal || this.status !== 'running') return false;
    if (!this.reading) {
      if (this.unread + data.length > 64 * 1024) return false;
      this.unread += data.length;
      return true;
    }
    this.emit('output', { id: this.id, stream: 'stdout', data: data.toString('utf8').replace(/\r/g, '\r\n') });
    return true;
  }
  resize(rows: number, cols: number): { ok: true } | { ok: false; errno: string } {
    if (!this.hasTerminal || this.status !== 'running') return { ok: false, errno: 'ENOTTY' };
    this.sizes.push([rows, cols]);
    return { ok: true };
  }
  info(): ContainerInfo {
    return {
      id: this.id,
      bundle: this.opts.bundleDir,
      status: this.status,
      ...(this.status === 'running' ? { pid: this.pid } : {}),
      owner: this.opts.owner.uid,
      createdAt: this.createdAt,
      ...(this.exit_?.exitCode !== undefined ? { exitCode: this.exit_.exitCode } : {}),
      ...(this.exit_?.signal ? { signal: this.exit_.signal } : {}),
      args: ['/bin/true'],
      ...(this.hasTerminal && this.status === 'running' ? { terminal: true } : {}),
      mounts: [],
      networkFiles: [],
    };
  }
  finish(exitCode: number): void {
    if (this.status !== 'running') return;
    this.status = 'stopped';
    const e = { id: this.id, exitCode };
    this.exit_ = e;
    this.emit('exited', e);
    this.exit(e);
  }
  async stop(): Promise<void> {
    if (this.status !== 'running') return;
    this.status = 'stopped';
    const e = { id: this.id, signal: 'SIGTERM' };
    this.exit_ = e;
    this.emit('exited', e);
    this.exit(e);
  }
  async teardown(): Promise<void> {
    await this.stop();
    fs.rmSync(path.join(this.opts.stateRoot, this.id), { recursive: true, force: true });
    this.emit('torn-down');
  }
}

/** Each launch: state dir, operation events, started, one output line, then (unless `hold`) exit 0. */
export function fakeRuntime(opts: { hold?: boolean } = {}): RuntimeApi & { launched: FakeContainer[]; lastOptions?: LaunchOptions } {
  const rt: RuntimeApi & { launched: FakeContainer[]; lastOptions?: LaunchOptions } = {
    launched: [],
    async launchContainer(o) {
      rt.lastOptions = o;
      fs.mkdirSync(path.join(o.stateRoot, o.id));
      const c = new FakeContainer(o.id, o);
      rt.launched.push(c);
      setImmediate(() => {
        o.plan.operations.forEach((op, index) => c.emit('operation', { id: o.id, index, operation: op, text: op.op, ok: true }));
        c.emit('started', { id: o.id, pid: 4242 });
        c.emit('output', { id: o.id, stream: 'stdout', data: 'hello\n' });
        if (!opts.hold) setImmediate(() => c.finish(0));
      });
      return c;
    },
    adoptContainer() {
      return undefined;
    },
  };
  return rt;
}
