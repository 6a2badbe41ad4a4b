// A container's state directory: `<stateRoot>/<id>/` holds state.json, the network files
// and the FIFOs of the process's stdout and stderr (logFollower.ts). state.json is what a restarted helper reads to
// re-adopt a running container (pid + the process's start time, so a recycled pid is not
// mistaken for it).
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Plan } from '@bindery/plan';
import type { ContainerStatus } from '../protocol';
import type { HostMounts } from './hostMounts';

export const STATE_FILE = 'state.json';
export const STDOUT_PIPE = 'stdout.pipe';
export const STDERR_PIPE = 'stderr.pipe';

export interface ContainerState {
  version: 1;
  id: string;
  bundle: string;
  owner: { uid: number; gid: number };
  createdAt: string;
  status: ContainerStatus;
  /** Host pid of the container's process, once it runs. */
  pid?: number;
  /** Field 22 of /proc/PID/stat (clock ticks after boot) of that process. */
  startTime?: string;
  args: string[];
  plan: Plan;
  /** The cgroup directories this launch created, removed at teardown. */
  cgroups?: string[];
  /** A spec without a mount namespace: what the container mounts on the host, detached at teardown. */
  hostMounts?: HostMounts;
}

/**
 * `planJson`: JSON.stringify(state.plan) when the caller already has it — the plan is most
 * of the file and grows with every mount, and a launch writes the state twice.
 */
export function writeState(dir: string, state: ContainerState, planJson?: string): void {
  const tmp = path.join(dir, `.${STATE_FILE}.tmp`);
  let text: string;
  if (planJson === undefined) text = JSON.stringify(state);
  else {
    const { plan: _plan, ...rest } = state;
    text = `${JSON.stringify(rest).slice(0, -1)},"plan":${planJson}}`;
  }
  fs.writeFileSync(tmp, text, { mode: 0o600 });
  fs.renameSync(tmp, path.join(dir, STATE_FILE));
}

export function readState(dir: string): ContainerState | undefined {
  try {
    const s = JSON.parse(fs.readFileSync(path.join(dir, STATE_FILE), 'utf8')) as ContainerState;
    if (s.version !== 1 || typeof s.id !== 'string' || typeof s.bundle !== 'string' || !s.plan)
      return undefined;
    return s;
  } catch {
    return undefined;
  }
}

/** The start time of a process, or undefined when it does not exist. */
export function processStartTime(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    // comm (field 2) may hold spaces and parentheses: count from the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // A zombie (killed while no helper was its parent, not yet reaped) has exited.
    if (fields[0] === 'Z' || fields[0] === 'X') return undefined;
    return fields[19];
  } catch {
    return undefined;
  }
}
