// Signals and process lists for containers made through the OCI interface. The init is not
// this process's child (it belongs to the engine's subreaper), so every signal goes through
// a pidfd opened after the pid's start time was checked, and the start time is checked
// again with the pidfd held: a recycled pid is never signalled.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { OciContainerState } from './ociState';
import { processStartTime } from './stateFile';
import type { DaemonSyscalls, Syscalls } from './syscalls';

const SIGNALS = os.constants.signals as Record<string, number>;

/** `KILL`, `SIGKILL`, `9` → 9; undefined for anything else. */
export function parseSignal(s: string): number | undefined {
  if (/^[0-9]+$/.test(s)) {
    const n = Number(s);
    return n >= 1 && n <= 64 ? n : undefined;
  }
  const name = s.toUpperCase();
  return SIGNALS[name.startsWith('SIG') ? name : `SIG${name}`];
}

/** Signal one process known by pid and start time. False when it is no longer that process. */
export function signalProcess(
  pid: number,
  startTime: string,
  signal: number,
  sys: DaemonSyscalls,
): boolean {
  if (processStartTime(pid) !== startTime) return false;
  const fd = sys.pidfdOpen(pid);
  if (!fd.ok) return false;
  try {
    if (processStartTime(pid) !== startTime) return false;
    const r = sys.pidfdSendSignal(fd.value, signal);
    if (!r.ok && r.errno !== 'ESRCH') throw new Error(`pidfd_send_signal: ${r.errno}`);
    return r.ok;
  } finally {
    sys.close(fd.value);
  }
}

function parentOf(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
  } catch {
    return undefined;
  }
}

/**
 * Host pids of the container's processes, init first: everything in the init's PID namespace
 * when it has one of its own, else the init and its descendants.
 */
export function containerPids(state: OciContainerState): number[] {
  const init = state.pid;
  if (init === undefined || processStartTime(init) !== state.startTime) return [];
  let initNs: string;
  try {
    initNs = fs.readlinkSync(`/proc/${init}/ns/pid`);
  } catch {
    return [];
  }
  const all = fs
    .readdirSync('/proc')
    .filter((n) => /^[0-9]+$/.test(n))
    .map(Number);
  if (state.ownPidNamespace) {
    const inNs = all.filter((p) => {
      try {
        return p !== init && fs.readlinkSync(`/proc/${p}/ns/pid`) === initNs;
      } catch {
        return false;
      }
    });
    return [init, ...inNs];
  }
  const members = new Set([init]);
  const parents = new Map(all.map((p) => [p, parentOf(p)]));
  for (let grew = true; grew;) {
    grew = false;
    for (const [p, pp] of parents)
      if (pp !== undefined && members.has(pp) && !members.has(p)) {
        members.add(p);
        grew = true;
      }
  }
  return [init, ...[...members].filter((p) => p !== init)];
}

/** Signal every process of the container (`kill --all`); the init last, so none is orphaned first. */
export function signalAll(
  state: OciContainerState,
  signal: number,
  sys: Syscalls,
): void {
  const [init, ...rest] = containerPids(state);
  for (const pid of rest) {
    const start = processStartTime(pid);
    if (start !== undefined) signalProcess(pid, start, signal, sys);
  }
  if (init !== undefined) signalProcess(init, state.startTime!, signal, sys);
}

/** Resolves true when the init is gone (exited: a zombie waiting for its subreaper counts), false after `ms`. */
export async function waitGone(
  state: OciContainerState,
  ms: number,
  sys: DaemonSyscalls,
): Promise<boolean> {
  const gone = () => state.pid === undefined || processStartTime(state.pid) !== state.startTime;
  if (gone()) return true;
  const fd = sys.pidfdOpen(state.pid!);
  if (!fd.ok) return gone();
  try {
    if (gone()) return true;
    let timer: NodeJS.Timeout | undefined;
    // A pidfd is readable once its process has exited; poll(2) waits on a pool thread.
    const exited = await Promise.race([
      sys.waitReadable(fd.value).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), ms))),
    ]);
    clearTimeout(timer);
    return exited || gone();
  } finally {
    sys.close(fd.value);
  }
}
