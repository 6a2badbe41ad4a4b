// Starts long-running children in their own process group and ends exactly those groups.
// code-server forks an extension host, a pty host and watchers; signalling the group we
// created (its id is the pid we were given) reaches them without touching anything else.
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';

export interface Started {
  name: string;
  /**
   * TERM goes to the leader alone, which ends its own children (the helper tears its
   * containers down on TERM); the group gets KILL only if the leader does not exit in time.
   */
  leaderHandlesTerm: boolean;
  child: ChildProcess;
  pid: number;
  /** Resolves with the exit code (or 128+signal) once the process has exited. */
  exited: Promise<number>;
}

const started: Started[] = [];

export function startChild(
  name: string,
  command: string,
  args: string[],
  options: SpawnOptions,
  leaderHandlesTerm = false,
): Started {
  const child = spawn(command, args, { ...options, detached: true });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  return adoptChild(name, child, leaderHandlesTerm);
}

/**
 * Tracks a child someone else spawned as a process-group leader (Playwright starts
 * Chromium detached), so that it is ended with the rest.
 */
export function adoptChild(name: string, child: ChildProcess, leaderHandlesTerm = false): Started {
  if (child.pid === undefined) throw new Error(`${name}: not running`);
  const exited = new Promise<number>((resolve) => {
    if (child.exitCode !== null) resolve(child.exitCode);
    child.once('exit', (code, signal) => resolve(code ?? 128 + signalNumber(signal)));
    child.once('error', () => resolve(127));
  });
  const entry = { name, child, pid: child.pid, exited, leaderHandlesTerm };
  started.push(entry);
  return entry;
}

/** TERM to the process group, KILL after `graceMs`. Returns once the leader has exited. */
export async function stopChild(entry: Started, graceMs = 5000): Promise<void> {
  const index = started.indexOf(entry);
  if (index >= 0) started.splice(index, 1);
  if (entry.child.exitCode !== null || entry.child.signalCode !== null) {
    signalGroup(entry.pid, 'SIGKILL'); // leftovers of an exited leader
    return;
  }
  if (entry.leaderHandlesTerm) signal(entry.pid, 'SIGTERM');
  else signalGroup(entry.pid, 'SIGTERM');
  const done = await Promise.race([
    entry.exited.then(() => true),
    delay(graceMs).then(() => false),
  ]);
  signalGroup(entry.pid, 'SIGKILL');
  if (!done) await Promise.race([entry.exited, delay(2000)]);
}

/** Stops everything this module started, newest first. */
export async function stopAll(graceMs?: number): Promise<void> {
  for (const entry of [...started].reverse()) await stopChild(entry, graceMs);
}

/** Synchronous last resort for process 'exit' handlers: KILL every group still known. */
export function killAllNow(): void {
  for (const entry of started) signalGroup(entry.pid, 'SIGKILL');
}

/** Signals the process group that `pid` leads (we started it with its own group). */
function signalGroup(pid: number, name: NodeJS.Signals): void {
  signal(-pid, name);
}

function signal(pid: number, name: NodeJS.Signals): void {
  try {
    process.kill(pid, name);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

function signalNumber(signal: NodeJS.Signals | null): number {
  if (!signal) return 0;
  const signals: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGKILL: 9, SIGTERM: 15 };
  return signals[signal] ?? 0;
}

export function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
