// A real daemon on a temporary socket with a temporary state directory, and bundles to run.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient } from '../../src/client';
import { Daemon } from '../../src/daemon/daemon';
import type { RuntimeApi } from '../../src/daemon/runtimeApi';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';

export interface TestDaemon {
  daemon: Daemon;
  dir: string;
  socketPath: string;
  stateDir: string;
  logs: string[];
  stop(): Promise<void>;
}

export async function startDaemon(runtime: RuntimeApi, opts: { socketGroup?: string; dir?: string; engineRoots?: string[] } = {}): Promise<TestDaemon> {
  const dir = opts.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-d-'));
  fs.chmodSync(dir, 0o755);
  const socketPath = path.join(dir, 'bindery.sock');
  const stateDir = path.join(dir, 'state');
  const logs: string[] = [];
  const daemon = new Daemon({
    socketPath,
    stateDir,
    runtime,
    sys: koffiSyscalls(),
    helperVersion: 'test',
    socketGroup: opts.socketGroup ?? 'bindery-no-such-group',
    listenFd: null,
    engineRoots: opts.engineRoots,
    log: (l) => logs.push(l),
  });
  await daemon.start();
  return {
    daemon,
    dir,
    socketPath,
    stateDir,
    logs,
    async stop() {
      await daemon.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface DaemonWithHello {
  d: TestDaemon;
  /** The temporary folder holding the bundles. */
  bundles: string;
  /** A bundle the test's own user may launch: /bin/true in /. */
  hello: string;
  /** Stops the daemon and removes the bundles. */
  stop(): Promise<void>;
}

/** A daemon running `runtime`, and the bundle `hello` with `helloProcess` laid over its process. */
export async function startDaemonWithHello(runtime: RuntimeApi, helloProcess: Record<string, unknown> = {}): Promise<DaemonWithHello> {
  const d = await startDaemon(runtime);
  const bundles = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-b-'));
  const user = { uid: process.getuid!(), gid: process.getgid!() };
  const hello = makeBundle(bundles, 'hello', { process: { user, args: ['/bin/true'], cwd: '/', ...helloProcess } });
  return {
    d,
    bundles,
    hello,
    async stop() {
      await d.stop();
      fs.rmSync(bundles, { recursive: true, force: true });
    },
  };
}

/** A bundle with a busybox rootfs (when the host has busybox) and the given spec overrides. */
export function makeBundle(parent: string, name: string, spec: Record<string, unknown> = {}): string {
  const dir = path.join(parent, name);
  const bin = path.join(dir, 'rootfs', 'bin');
  fs.mkdirSync(bin, { recursive: true });
  const busybox = ['/bin/busybox', '/usr/bin/busybox'].find((p) => fs.existsSync(p));
  if (busybox) {
    fs.copyFileSync(busybox, path.join(bin, 'busybox'));
    fs.chmodSync(path.join(bin, 'busybox'), 0o755);
    for (const t of ['sh', 'true', 'cat', 'echo', 'sleep', 'id', 'touch', 'ls', 'hostname']) fs.symlinkSync('busybox', path.join(bin, t));
  }
  const config = {
    ociVersion: '1.0.2',
    process: { user: { uid: 0, gid: 0 }, args: ['/bin/true'], cwd: '/', env: ['PATH=/bin'] },
    root: { path: 'rootfs' },
    hostname: name,
    mounts: [],
    linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'ipc' }, { type: 'uts' }] },
    ...spec,
  };
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

/**
 * Raw bytes to the socket; resolves with everything the daemon sent back until it closed, `until`
 * holds for what arrived so far, or `waitMs` passed.
 */
export function rawExchange(
  socketPath: string,
  data: Buffer | string,
  opts: { waitMs?: number; until?: (text: string) => boolean } = {},
): Promise<{ text: string; closed: boolean }> {
  return new Promise((resolve, reject) => {
    const s = net.connect(socketPath);
    const chunks: Buffer[] = [];
    let closed = false;
    s.on('data', (c) => {
      chunks.push(c);
      if (opts.until?.(Buffer.concat(chunks).toString())) finish();
    });
    s.on('error', () => {});
    s.on('close', () => {
      closed = true;
      finish();
    });
    const timer = setTimeout(finish, opts.waitMs ?? 3000);
    let done = false;
    function finish() {
      if (done) return;
      done = true;
      clearTimeout(timer);
      s.destroy();
      resolve({ text: Buffer.concat(chunks).toString(), closed });
    }
    s.once('connect', () => s.write(data));
    s.once('error', reject);
  });
}

export function frame(body: string): string {
  return `Content-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

/** The first JSON body in a stream of framed messages. */
export function bodies(text: string): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let rest = text;
  while (rest.length > 0) {
    const m = /^Content-Length: (\d+)\r\n\r\n/.exec(rest);
    if (!m) break;
    const start = m[0].length;
    const n = Number(m[1]);
    out.push(JSON.parse(Buffer.from(rest.slice(start)).subarray(0, n).toString()));
    rest = Buffer.from(rest.slice(start)).subarray(n).toString();
  }
  return out;
}

/** Resolves with the first event `pick` accepts. */
export function waitFor<E>(subscribe: (fn: (e: E) => void) => { dispose(): void }, pick: (e: E) => boolean, what = 'event', ms = 20000): Promise<E> {
  const p = new Promise<E>((resolve, reject) => {
    const timer = setTimeout(() => {
      d.dispose();
      reject(new Error(`timed out waiting for ${what}`));
    }, ms);
    const d = subscribe((e) => {
      if (!pick(e)) return;
      clearTimeout(timer);
      d.dispose();
      resolve(e);
    });
  });
  // A test that fails before awaiting this must not also leave an unhandled rejection.
  p.catch(() => {});
  return p;
}

/**
 * A client on a bare socket, for clients that misbehave: sends what it is told, reads only
 * when asked (until then the daemon's messages wait), parses what it reads.
 */
export class RawClient {
  readonly socket: net.Socket;
  private pending = Buffer.alloc(0);
  private readonly messages: Record<string, unknown>[] = [];
  private wake: () => void = () => {};
  closed = false;

  private constructor(socketPath: string) {
    this.socket = net.connect(socketPath);
    this.socket.pause();
    this.socket.on('data', (b: Buffer) => {
      this.pending = Buffer.concat([this.pending, b]);
      for (;;) {
        const m = /^Content-Length: (\d+)\r\n\r\n/.exec(this.pending.subarray(0, 64).toString('latin1'));
        if (!m || this.pending.length < m[0].length + Number(m[1])) break;
        this.messages.push(JSON.parse(this.pending.subarray(m[0].length, m[0].length + Number(m[1])).toString('utf8')));
        this.pending = this.pending.subarray(m[0].length + Number(m[1]));
      }
      this.wake();
    });
    this.socket.on('error', () => {});
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
  }

  static connect(socketPath: string): Promise<RawClient> {
    const c = new RawClient(socketPath);
    return new Promise((resolve, reject) => c.socket.once('connect', () => resolve(c)).once('error', reject));
  }

  send(msg: Record<string, unknown>): void {
    this.socket.write(frame(JSON.stringify({ jsonrpc: '2.0', ...msg })));
  }

  /** Starts reading; resolves with every message received once `done` accepts one (or the daemon closed the connection). */
  async readUntil(done: (m: Record<string, unknown>) => boolean, ms = 60000): Promise<Record<string, unknown>[]> {
    this.socket.resume();
    const deadline = Date.now() + ms;
    while (!this.messages.some(done) && !this.closed) {
      if (Date.now() > deadline) throw new Error(`no such message within ${ms} ms (${this.messages.length} received)`);
      await new Promise<void>((r) => {
        this.wake = r;
        setTimeout(r, 200);
      });
    }
    return this.messages;
  }

  close(): void {
    this.socket.destroy();
  }
}

/**
 * binderyd in a process of its own, as systemd runs it (so its memory is its own), on
 * `socket` with its state in `stateDir`; resolves once it answers. `log()` is its stderr so far.
 */
export async function spawnHelper(socket: string, stateDir: string): Promise<ChildProcess & { log(): string }> {
  const helperDir = path.join(__dirname, '..', '..');
  const p = spawn(process.execPath, ['--import', 'tsx', path.join(helperDir, 'src', 'binderyd.ts'), '--socket', socket, '--state-dir', stateDir], {
    cwd: helperDir,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  p.stderr!.on('data', (c) => (err += c));
  for (let i = 0; i < 300; i++) {
    // Waiting for a process to come up is not a timed assertion: it only bounds a hang.
    try {
      const c = await HelperClient.connect({ socketPath: socket });
      c.close();
      return Object.assign(p, { log: () => err });
    } catch {
      if (p.exitCode !== null) throw new Error(`helper exited: ${err}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`helper did not come up: ${err}`);
}

/**
 * Runs `calls` through peerClient.ts as another user (uid, gid, with `home` as HOME and
 * `home/tmp` as TMPDIR) against the helper at `socketPath`; one parsed reply per call.
 */
export async function callsAsUser(
  socketPath: string,
  user: { uid: number; gid: number; home: string },
  calls: { method: string; params?: unknown }[],
): Promise<Record<string, unknown>[]> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'peerClient.ts'), JSON.stringify({ socket: socketPath, calls })], {
    cwd: path.join(__dirname, '..', '..'),
    uid: user.uid,
    gid: user.gid,
    env: { PATH: process.env.PATH, HOME: user.home, TMPDIR: path.join(user.home, 'tmp') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout!.on('data', (c) => (out += c));
  child.stderr!.on('data', (c) => (err += c));
  const code = await new Promise<number | null>((r) => child.once('exit', r));
  if (code !== 0) throw new Error(`peerClient as uid ${user.uid} exited ${code}: ${err}`);
  return out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l) as Record<string, unknown>);
}

/** A throw-away system user with a 0755 work directory (and a sticky `tmp/`) it can use as HOME. */
export interface TestUser {
  name: string;
  uid: number;
  gid: number;
  /** Its HOME: root-owned 0755, so the user can read but not write it; `tmp/` is 1777. */
  work: string;
  /** Removes the user and its work directory. */
  remove(): void;
}

export function createTestUser(prefix: string): TestUser {
  const name = `${prefix}${process.pid}`;
  execFileSync('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', name]);
  const uid = Number(execFileSync('id', ['-u', name], { encoding: 'utf8' }));
  const gid = Number(execFileSync('id', ['-g', name], { encoding: 'utf8' }));
  const work = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
  fs.chmodSync(work, 0o755);
  fs.mkdirSync(path.join(work, 'tmp'));
  // mkdir's mode is cut by the umask; the sticky bit needs an explicit chmod.
  fs.chmodSync(path.join(work, 'tmp'), 0o1777);
  return {
    name,
    uid,
    gid,
    work,
    remove() {
      try {
        execFileSync('userdel', [name]);
      } catch {
        // already gone
      }
      fs.rmSync(work, { recursive: true, force: true });
    },
  };
}
