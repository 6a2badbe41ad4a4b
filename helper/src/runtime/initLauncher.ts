// Starting container inits, and keeping one warm.
//
// A container's init is a Node process (init.ts). Starting Node costs ~50 ms, so the
// launcher keeps a pool of inits already started and waiting for their request; a launch
// takes one and the pool refills after the launch, off its path.
//
// Off its path in CPU too: a spare is spawned under SCHED_IDLE, so its ~60 ms of start-up
// does not take a core from the launch it refills after (the launch's answer, its process's
// exit, the teardown). The launcher's own thread switches to SCHED_IDLE just for the spawn,
// so the child and every thread it makes inherit it from their first instruction. Its main
// thread gets the launcher's normal scheduling back when a launch takes it, before the
// request is sent, so the spec's process.scheduler (applied by the init) starts from what
// runc's child would have: its caller's; or after SPARE_IDLE_MS, so that on a machine busy
// with other work (which SCHED_IDLE yields to entirely) a spare still gets ready.
//
// PID namespace without a second Node: unshare(CLONE_NEWPID) changes only which namespace
// the caller's *next children* are created in. So the launcher, on its main thread and
// synchronously, unshares CLONE_NEWPID, spawns the init (libuv forks from this thread, so
// the child is PID 1 of a fresh namespace), and setns()es its own pid_for_children back to
// the namespace it started in. Unlike CLONE_NEWNS or CLONE_NEWUSER, CLONE_NEWPID is allowed
// in a multi-threaded process.
import { spawn, type ChildProcess, type StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import { createRequire } from 'node:module';
import * as path from 'node:path';
import type { NamespaceSetup } from '@bindery/plan';
import { openNamespace, type FirstStage } from './firstStage';
import {
  CLONE_NEWPID,
  OK,
  SCHED_IDLE,
  type InitSyscalls,
  type SysResult,
  type ThreadScheduling,
} from './syscalls';
import { EX_SOFTWARE } from '../exitCodes';

/** What spawning an init into a PID namespace, and a spare at idle priority, takes. */
type LauncherSyscalls = Pick<InitSyscalls, 'unshare' | 'setns' | 'schedGetattr' | 'schedSetattr'>;

let explicitScript: string | undefined;

/** Run inits from this bundled init.js (benchmarks run sources but want the shipped init). */
export function useInitScript(jsPath: string | undefined): void {
  explicitScript = jsPath;
}

/** How to run init: the bundled dist/init.js next to this code, or init.ts through tsx when running from sources. */
export function initCommand(): string[] {
  if (explicitScript) return [process.execPath, explicitScript];
  const js = path.join(__dirname, 'init.js');
  if (fs.existsSync(js)) return [process.execPath, js];
  const ts = path.join(__dirname, 'init.ts');
  if (fs.existsSync(ts)) {
    const tsx = path.dirname(createRequire(__filename).resolve('tsx/package.json'));
    return [process.execPath, '--import', path.join(tsx, 'dist', 'loader.mjs'), ts];
  }
  throw new Error(`bindery: the container init is missing (looked for ${js}); rebuild the helper`);
}

let ownPidNamespace: number | undefined;

/** How to start an init other than the daemon's: extra arguments and the child's stdio. */
export interface InitSpawnOptions {
  args?: string[];
  stdio?: Exclude<StdioOptions, string>;
  /** Exec the init through this first stage (user namespace, joined time namespace). */
  firstStage?: FirstStage;
}

/** The stdio of a daemon's init: the request on stdin, errors on stderr, messages on fd 3. */
export const DAEMON_INIT_STDIO: Exclude<StdioOptions, string> = ['pipe', 'ignore', 'pipe', 'pipe'];

/**
 * A cold init for these namespaces: in the PID namespace joined by path, or a new one (made
 * here, or by the first stage when it must be owned by a new user namespace).
 */
export function spawnInitFor(
  ns: NamespaceSetup,
  sys: LauncherSyscalls,
  how: InitSpawnOptions = {},
): ChildProcess {
  if (ns.pidPath) {
    const fd = openNamespace(ns.pidPath, 'pid');
    try {
      return spawnInitInto(fd, how, sys);
    } finally {
      fs.closeSync(fd);
    }
  }
  return spawnInit(ns.newPid && !how.firstStage?.forks, sys, how);
}

/** Spawn an init, in a new PID namespace when `newPid`. Throws only on a helper fault. */
export function spawnInit(
  newPid: boolean,
  sys: LauncherSyscalls,
  how: InitSpawnOptions = {},
): ChildProcess {
  if (!newPid) return spawnInitHere(how);
  return spawnInPidNamespace(() => sys.unshare(CLONE_NEWPID), 'unshare(CLONE_NEWPID)', how, sys);
}

/** Spawn an init into the PID namespace `pidNsFd` refers to (a process joining a running container). */
export function spawnInitInto(
  pidNsFd: number,
  how: InitSpawnOptions,
  sys: LauncherSyscalls,
): ChildProcess {
  return spawnInPidNamespace(() => sys.setns(pidNsFd, CLONE_NEWPID), 'setns(CLONE_NEWPID)', how, sys);
}

function spawnInitHere(how: InitSpawnOptions): ChildProcess {
  const [cmd, ...args] = [...(how.firstStage?.prefix ?? []), ...initCommand()];
  const stdio = [...(how.stdio ?? DAEMON_INIT_STDIO), ...(how.firstStage?.fds ?? [])];
  return spawn(cmd, [...args, ...(how.args ?? [])], { stdio, env: {} });
}

/** `enter` sets where this process's next child goes; it is set back right after the spawn. */
function spawnInPidNamespace(
  enter: () => SysResult,
  what: string,
  how: InitSpawnOptions,
  sys: LauncherSyscalls,
): ChildProcess {
  ownPidNamespace ??= fs.openSync('/proc/self/ns/pid', 'r');
  const u = enter();
  if (!u.ok) throw new Error(`bindery: ${what} failed: ${u.errno}`);
  try {
    return spawnInitHere(how);
  } finally {
    const back = sys.setns(ownPidNamespace, CLONE_NEWPID);
    // Every later child of this process would land in the container's namespace: stop here.
    if (!back.ok) {
      process.stderr.write(
        `bindery: cannot return to the helper's PID namespace (${back.errno}); exiting\n`,
      );
      process.exit(EX_SOFTWARE);
    }
  }
}

/**
 * How long a spare waits at SCHED_IDLE at most: longer than a launch's answer on a quiet
 * machine (about 40 ms, helper/README.md), short against the seconds between a user's launches.
 */
const SPARE_IDLE_MS = 150;

/** Warm inits in new PID namespaces, ready for a launch. */
class InitPool {
  private idle: ChildProcess[] = [];
  private readyOnes = new WeakSet<ChildProcess>();
  private waiters: (() => void)[] = [];
  private size = 0;
  private refillScheduled = false;

  /** Keep `n` inits warm (0 stops keeping any; idle ones are ended). */
  setSize(n: number, sys: LauncherSyscalls, spareIdleMs = SPARE_IDLE_MS): void {
    this.size = n;
    this.spareIdleMs = spareIdleMs;
    while (this.idle.length > n) this.idle.pop()!.kill('SIGKILL');
    this.scheduleRefill(sys);
  }

  /** A warm init when one is ready, else a freshly spawned one. */
  take(sys: LauncherSyscalls): ChildProcess {
    this.idle = this.idle.filter((c) => c.exitCode === null && c.signalCode === null);
    // A warm one first; one still loading beats spawning another.
    const i = this.idle.findIndex((c) => this.readyOnes.has(c));
    const child = i >= 0 ? this.idle.splice(i, 1)[0] : this.idle.shift();
    if (child) {
      ref(child, true);
      // Before the request reaches it: the init then applies the spec's own scheduler.
      if (this.raise(child, sys)) return child;
    }
    return spawnInit(true, sys);
  }

  /**
   * A spare's threads back at the launcher's scheduling; false (and the spare ended) when
   * that failed. All of them, not only the main thread that does the launch: it waits for
   * V8's helper threads (garbage collection), which SCHED_IDLE would starve on a busy machine.
   */
  private raise(child: ChildProcess, sys: LauncherSyscalls): boolean {
    if (!this.normal || !this.lowered.has(child)) return true;
    this.lowered.delete(child);
    let back = sys.schedSetattr(this.normal, child.pid);
    if (back.ok) back = raiseHelperThreads(child.pid!, this.normal, sys);
    if (back.ok) return true;
    // A spare left idle would run the container at idle priority.
    child.kill('SIGKILL');
    process.stderr.write(`bindery: cannot restore a warm init's scheduling (${back.errno}); ended it\n`);
    return false;
  }

  private spareIdleMs = SPARE_IDLE_MS;
  /** The launcher thread's own scheduling, read once: what a spare gets back when taken. */
  private normal: ThreadScheduling | undefined;
  /** Spares spawned at SCHED_IDLE (the others, if lowering failed, run as the launcher). */
  private lowered = new WeakSet<ChildProcess>();

  /** A spare in a new PID namespace, at SCHED_IDLE from its first instruction (see the top of this file). */
  private spawnSpare(sys: LauncherSyscalls): ChildProcess {
    if (!this.normal) {
      const own = sys.schedGetattr(0);
      if (own.ok) this.normal = own.value;
    }
    const normal = this.normal;
    const idle = normal
      ? sys.schedSetattr({ ...normal, policyValue: SCHED_IDLE, flagsValue: 0, priority: 0 })
      : undefined;
    // Cannot read or lower its own (a seccomp profile around the helper?): a spare at normal priority.
    if (!normal || !idle?.ok) return spawnInit(true, sys);
    try {
      const child = spawnInit(true, sys);
      this.lowered.add(child);
      const later = setTimeout(() => this.raise(child, sys), this.spareIdleMs);
      later.unref();
      child.once('exit', () => clearTimeout(later));
      return child;
    } finally {
      const back = sys.schedSetattr(normal);
      // Every later launch and child of this process would run at idle priority: stop here.
      if (!back.ok) {
        process.stderr.write(
          `bindery: cannot restore the helper's scheduling after spawning a warm init (${back.errno}); exiting\n`,
        );
        process.exit(EX_SOFTWARE);
      }
    }
  }

  /** Resolves when the pool is full of inits that have loaded (benchmarks wait for this). */
  whenWarm(): Promise<void> {
    if (this.idle.length >= this.size && this.idle.every((c) => this.readyOnes.has(c)))
      return Promise.resolve();
    // Idle inits do not hold the event loop; whoever waits for them does.
    const hold = setInterval(() => {}, 1 << 30);
    return new Promise((resolve) =>
      this.waiters.push(() => {
        clearInterval(hold);
        resolve();
      }),
    );
  }

  private checkWarm(): void {
    if (this.idle.length >= this.size && this.idle.every((c) => this.readyOnes.has(c)))
      for (const w of this.waiters.splice(0)) w();
  }

  /** Refill after the current launch, so the spawn is not on its path. */
  scheduleRefill(sys: LauncherSyscalls): void {
    if (this.refillScheduled || this.idle.length >= this.size) return;
    this.refillScheduled = true;
    setImmediate(() => {
      this.refillScheduled = false;
      while (this.idle.length < this.size) {
        const child = this.spawnSpare(sys);
        ref(child, false);
        child.once('exit', () => (this.idle = this.idle.filter((c) => c !== child)));
        // The init's first line says it has loaded; the launch that takes it reads the rest.
        child.stdio[3]!.once('data', () => {
          this.readyOnes.add(child);
          this.checkWarm();
        });
        this.idle.push(child);
      }
    });
  }
}

/** The threads of `pid` other than its main one at `to`; one that ended meanwhile is no failure. */
function raiseHelperThreads(pid: number, to: ThreadScheduling, sys: LauncherSyscalls): SysResult {
  let tids: string[];
  try {
    tids = fs.readdirSync(`/proc/${pid}/task`);
  } catch (e) {
    return { ok: false, errno: (e as NodeJS.ErrnoException).code ?? 'EIO', call: 'readdir' };
  }
  for (const tid of tids) {
    if (Number(tid) === pid) continue;
    const r = sys.schedSetattr(to, Number(tid));
    if (!r.ok && r.errno !== 'ESRCH') return r;
  }
  return OK;
}

/** An idle init must not keep the helper's event loop alive (the embedded CLI exits when done). */
function ref(child: ChildProcess, on: boolean): void {
  const items = [child, ...child.stdio.filter((s) => s !== null)] as unknown as {
    ref(): void;
    unref(): void;
  }[];
  for (const s of items) {
    if (on) s.ref();
    else s.unref();
  }
}

export const initPool = new InitPool();

/**
 * The daemon calls this once: keep `n` inits warm from now on. `spareIdleMs`: how long a
 * spare may wait at SCHED_IDLE (tests lengthen it to see a launch take an idle one).
 */
export function warmInits(n: number, sys: LauncherSyscalls, spareIdleMs?: number): void {
  initPool.setSize(n, sys, spareIdleMs);
}
