// Running the spec's hooks (the plan's `hook` operations, ../plan/hooksPlan.ts): one hook is
// its program with the container's state as JSON on stdin, its env (or the runtime's), its
// argv, killed with SIGKILL past its timeout — as runc 1.1's Command.Run. Two runners over
// the same definition: the launcher's (daemon, CLI; asynchronous, so a slow hook stalls
// nobody else) and the init's (synchronous: it works on its main thread, in the container's
// namespaces, and libuv forks from that thread).
import { spawn, spawnSync, type SpawnOptions } from 'node:child_process';
import * as fs from 'node:fs';
import type { HookKind, HookOp, Plan } from '@bindery/plan';
import type { HookRun } from '../protocol';
import { HOOK_OUTPUT_SHOWN } from '../hookOutputShown';
import { OCI_VERSION } from './ociState';

/** The runtime-spec's state, in the order runc writes it (pid and annotations left out when unset). */
export interface HookState {
  ociVersion: string;
  id: string;
  status: 'creating' | 'created' | 'running' | 'stopped';
  pid?: number;
  bundle: string;
  annotations?: Record<string, string>;
}

/** Who the state is about: the container, apart from its status and pid. */
export interface HookSubject {
  id: string;
  bundle: string;
  annotations?: Record<string, string>;
}

export function hookState(
  subject: HookSubject,
  status: HookState['status'],
  pid?: number,
): HookState {
  const a = subject.annotations;
  return {
    ociVersion: OCI_VERSION,
    id: subject.id,
    status,
    ...(pid !== undefined && pid > 0 ? { pid } : {}),
    bundle: subject.bundle,
    // Go writes a map's keys sorted; so does Bindery, so a hook reads the same bytes.
    ...(a && Object.keys(a).length > 0
      ? { annotations: Object.fromEntries(Object.entries(a).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0))) }
      : {}),
  };
}

/** What a hook may print before the synchronous runner stops it (the init cannot stream). */
export const HOOK_OUTPUT_MAX = 1024 * 1024;

/** Where and with what a hook runs; `env` when the hook names none. */
export interface HookPlace {
  cwd?: string;
  env: readonly string[] | NodeJS.ProcessEnv;
}

function spawnOptions(op: HookOp, place: HookPlace): SpawnOptions & { argv0: string } {
  const env = op.env ?? place.env;
  return {
    argv0: op.args[0] ?? op.path,
    cwd: place.cwd,
    env: Array.isArray(env) ? envObject(env) : (env as NodeJS.ProcessEnv),
    stdio: ['pipe', 'pipe', 'pipe'],
  };
}

/** NAME=value strings → an object; the last of a repeated name wins, as execve's consumers read it. */
function envObject(list: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of list) {
    const eq = e.indexOf('=');
    if (eq > 0) out[e.slice(0, eq)] = e.slice(eq + 1);
  }
  return out;
}

const argvOf = (op: HookOp) => op.args.slice(1);

/** The end of `text` (what a failing hook says last is what explains it). */
function tail(text: string): { text: string; cut: number } {
  const b = Buffer.from(text, 'utf8');
  if (b.length <= HOOK_OUTPUT_SHOWN) return { text, cut: 0 };
  return { text: b.subarray(b.length - HOOK_OUTPUT_SHOWN).toString('utf8'), cut: b.length - HOOK_OUTPUT_SHOWN };
}

interface Ended {
  exitCode?: number;
  signal?: string;
  timedOut: boolean;
  /** The program could not be started (errno name), or its output was too long. */
  error?: string;
  stdout: string;
  stderr: string;
  /** Bytes not kept while reading (the asynchronous runner keeps only a tail). */
  dropped: number;
  durationMs: number;
}

/** runc's words for a hook run (libcontainer/configs Command.Run and Hooks.Run). */
function hookRun(op: HookOp, e: Ended): HookRun {
  const out = tail(e.stdout);
  const err = tail(e.stderr);
  const ok = !e.timedOut && !e.error && e.exitCode === 0;
  const name = `error running ${op.kind} hook #${op.index}`;
  let message: string;
  if (ok) message = `${op.kind} hook #${op.index} ${op.path} exited 0`;
  else if (e.timedOut)
    message = `${name}: hook ran past specified timeout of ${(op.timeoutSeconds ?? 0).toFixed(1)}s`;
  else if (e.error) message = `${name}: ${e.error}`;
  else
    message = `${name}: ${e.signal ? `signal: ${e.signal}` : `exit status ${e.exitCode}`}, stdout: ${out.text}, stderr: ${err.text}`;
  const truncated = out.cut + err.cut + e.dropped;
  return {
    kind: op.kind,
    index: op.index,
    path: op.path,
    ok,
    ...(e.exitCode !== undefined ? { exitCode: e.exitCode } : {}),
    ...(e.signal ? { signal: e.signal } : {}),
    ...(e.timedOut ? { timedOut: true } : {}),
    stdout: out.text,
    stderr: err.text,
    ...(truncated > 0 ? { truncated } : {}),
    message,
    durationMs: e.durationMs,
  };
}

function startError(op: HookOp, code: string | undefined, fallback: string, cwd?: string): string {
  // Go's words for a program that cannot be started: fork/exec PATH: no such file or directory.
  const words: Record<string, string> = {
    ENOENT: 'no such file or directory',
    EACCES: 'permission denied',
    ENOEXEC: 'exec format error',
    ENOTDIR: 'not a directory',
  };
  // Node reports a missing working directory as the program's ENOENT.
  if (code === 'ENOENT' && cwd !== undefined && !fs.existsSync(cwd))
    return `chdir ${cwd}: no such file or directory`;
  return code && words[code] ? `fork/exec ${op.path}: ${words[code]}` : fallback;
}

/** In the init, on its main thread: blocks until the hook ends (or its timeout). */
export function runHookSync(op: HookOp, state: HookState, place: HookPlace): HookRun {
  const started = Date.now();
  const opts = spawnOptions(op, place);
  const r = spawnSync(op.path, argvOf(op), {
    ...opts,
    input: JSON.stringify(state),
    encoding: 'utf8',
    maxBuffer: HOOK_OUTPUT_MAX,
    killSignal: 'SIGKILL',
    ...(op.timeoutSeconds !== undefined ? { timeout: op.timeoutSeconds * 1000 } : {}),
  });
  // A hook that exits without reading its stdin breaks the pipe: Go ignores that (its
  // exec.Cmd skips EPIPE on stdin), and so does Bindery; the exit status says how it went.
  const raw = (r.error as NodeJS.ErrnoException | undefined)?.code;
  const code = raw === 'EPIPE' && (r.status !== null || r.signal !== null) ? undefined : raw;
  return hookRun(op, {
    exitCode: r.status ?? undefined,
    signal: r.signal ?? undefined,
    timedOut: code === 'ETIMEDOUT',
    error:
      code === 'ETIMEDOUT'
        ? undefined
        : code === 'ENOBUFS'
          ? `the hook wrote more than ${HOOK_OUTPUT_MAX} bytes to stdout or stderr and was stopped`
          : r.error && code
            ? startError(op, code, r.error.message, place.cwd)
            : undefined,
    stdout: r.stdout ?? '',
    stderr: r.stderr ?? '',
    dropped: 0,
    durationMs: Date.now() - started,
  });
}

/** In the launcher: the same, without blocking its event loop. Output beyond a tail is counted, not kept. */
export function runHook(op: HookOp, state: HookState, place: HookPlace): Promise<HookRun> {
  const started = Date.now();
  return new Promise((resolve) => {
    const keep = { stdout: '', stderr: '' };
    let dropped = 0;
    let timedOut = false;
    let error: string | undefined;
    const child = spawn(op.path, argvOf(op), spawnOptions(op, place));
    const collect = (stream: 'stdout' | 'stderr') => (d: Buffer) => {
      keep[stream] += d.toString('utf8');
      // Keep twice what is shown, so the cut lands away from the end.
      if (keep[stream].length > 4 * HOOK_OUTPUT_SHOWN) {
        const cut = keep[stream].length - 2 * HOOK_OUTPUT_SHOWN;
        dropped += Buffer.byteLength(keep[stream].slice(0, cut));
        keep[stream] = keep[stream].slice(cut);
      }
    };
    child.stdout?.on('data', collect('stdout'));
    child.stderr?.on('data', collect('stderr'));
    child.stdin?.on('error', () => {}); // a hook that does not read its stdin
    child.stdin?.end(JSON.stringify(state));
    const timer =
      op.timeoutSeconds !== undefined
        ? setTimeout(() => {
            timedOut = true;
            child.kill('SIGKILL');
          }, op.timeoutSeconds * 1000)
        : undefined;
    child.once('error', (e: NodeJS.ErrnoException) => {
      error = startError(op, e.code, e.message, place.cwd);
    });
    let ended: { code: number | null; signal: NodeJS.Signals | null } | undefined;
    const finish = () => {
      if (!ended) return;
      if (timer) clearTimeout(timer);
      const { code, signal } = ended;
      ended = undefined;
      resolve(
        hookRun(op, {
          exitCode: code ?? undefined,
          signal: signal ?? undefined,
          timedOut,
          error,
          ...keep,
          dropped,
          durationMs: Date.now() - started,
        }),
      );
    };
    // A process the hook left behind (a daemon it started) may keep its output open: once
    // the hook itself is gone, what it printed is awaited a moment, not forever.
    child.once('exit', (code, signal) => {
      ended = { code, signal };
      const grace = setTimeout(() => {
        child.stdout?.destroy();
        child.stderr?.destroy();
        finish();
      }, HOOK_OUTPUT_GRACE_MS);
      child.once('close', () => {
        clearTimeout(grace);
        finish();
      });
    });
    child.once('error', () => {
      // Never started: no 'exit' follows.
      if (child.pid === undefined) {
        ended = { code: null, signal: null };
        finish();
      }
    });
  });
}

/** How long the output of a hook that exited is still read (see runHook). */
const HOOK_OUTPUT_GRACE_MS = 1000;

/** Hooks run as root, most of them on the host: for root's containers only (the plan refuses others). */
function refusedRun(op: HookOp): HookRun {
  return {
    kind: op.kind,
    index: op.index,
    path: op.path,
    ok: false,
    stdout: '',
    stderr: '',
    message: `${op.kind} hook #${op.index} not run: hooks run as root, so only root's containers may have them`,
    durationMs: 0,
  };
}

export function hooksOf(plan: Plan, kind: HookKind): HookOp[] {
  return plan.operations.filter((o): o is HookOp => o.op === 'hook' && o.kind === kind);
}

/**
 * The launcher's hooks of one kind, in order. A fatal kind stops at the first failure and
 * returns it; poststart and poststop run every hook (the runtime-spec: the remaining hooks
 * and the lifecycle continue) and return the first failure too, for the warning.
 */
export async function runRuntimeHooks(
  plan: Plan,
  kind: HookKind,
  ownerUid: number,
  state: HookState,
  place: HookPlace,
  onRun: (run: HookRun) => void,
): Promise<HookRun | undefined> {
  let failed: HookRun | undefined;
  for (const op of hooksOf(plan, kind)) {
    const run = ownerUid === 0 ? await runHook(op, state, place) : refusedRun(op);
    onRun(run);
    if (!run.ok) {
      failed ??= run;
      if (op.fatal) break;
    }
  }
  return failed;
}

/**
 * The launcher's answer to an init's hook-request (initProtocol.ts): only a prestart or
 * createRuntime hook of the plan the init runs, only for root's containers, with the state
 * `creating` and the init's host pid, in the bundle (runc runs its hooks from there).
 */
export async function answerHookRequest(
  plan: Plan,
  index: number,
  ownerUid: number,
  subject: HookSubject,
  initPid: number | undefined,
  onRun: (run: HookRun) => void,
): Promise<{ ok: boolean; message: string }> {
  const op = plan.operations[index];
  if (!op || op.op !== 'hook' || (op.kind !== 'prestart' && op.kind !== 'createRuntime'))
    return { ok: false, message: `operation ${index} is not a hook the runtime runs before pivot_root` };
  const run =
    ownerUid === 0
      ? await runHook(op, hookState(subject, 'creating', initPid), { cwd: subject.bundle, env: process.env })
      : refusedRun(op);
  onRun(run);
  return { ok: run.ok, message: run.message };
}
