// `bindery start ID`: lets the parked init of a created container execve its process, by
// writing to the exec fifo it waits on (runc's exec.fifo, the other way round).
import * as fs from 'node:fs';
import * as path from 'node:path';
import { runPoststart, subjectOf } from '../../runtime/ociCreate';
import { EXEC_FIFO, loadState, RuntimeError, statusOf, type OciContainerState } from '../../runtime/ociState';
import { oneId, parseRuntimeArgs } from './args';
import type { RuntimeCommand, RuntimeContext } from './runtimeCli';

/** Unpark the init of the container in `dir`; throws runc's errors for the other states. */
export function startContainer(dir: string, status: string): void {
  if (status === 'stopped') throw new RuntimeError('cannot start a container that has stopped');
  if (status === 'running') throw new RuntimeError('cannot start an already running container');
  if (status !== 'created')
    throw new RuntimeError(`cannot start a container in the ${status} state`);
  const fifo = path.join(dir, EXEC_FIFO);
  let fd: number;
  try {
    // Non-blocking: with no reader (the init died) open fails with ENXIO instead of waiting.
    fd = fs.openSync(fifo, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENXIO' || code === 'ENOENT')
      throw new RuntimeError('cannot start a container that has stopped');
    throw e;
  }
  try {
    fs.writeSync(fd, '0');
  } finally {
    fs.closeSync(fd);
  }
  fs.rmSync(fifo, { force: true });
}

/**
 * The process has been let go: the poststart hooks, whose failure is only a warning. The
 * runtime-spec runs them after the process was executed, so `start` waits for the init's
 * execve (after its startContainer hooks) first.
 */
export async function poststart(state: OciContainerState, ctx: RuntimeContext): Promise<void> {
  const due = state.plan.operations.some((op) => op.op === 'hook' && op.kind === 'poststart');
  if (!due) return;
  if (state.pid !== undefined) await untilExecuted(state.pid);
  return runPoststart(state.plan, subjectOf(state), state.pid, (m) => ctx.log.notice(m));
}

const EXEC_WAIT_MS = 10_000;

/**
 * Until `pid` no longer runs the init's program (Node: this very executable) — it has
 * execve'd or exited — or EXEC_WAIT_MS passed. Compared by inode, not by name, since the
 * container's own path may look like anything.
 */
async function untilExecuted(pid: number): Promise<void> {
  const init = fs.statSync(process.execPath);
  const deadline = Date.now() + EXEC_WAIT_MS;
  while (Date.now() < deadline) {
    let exe: fs.Stats;
    try {
      exe = fs.statSync(`/proc/${pid}/exe`);
    } catch {
      return; // exited (or a zombie): nothing left to wait for
    }
    if (exe.dev !== init.dev || exe.ino !== init.ino) return;
    await new Promise((r) => setTimeout(r, 5));
  }
}

export const startCommand: RuntimeCommand = async (args, ctx) => {
  const { positionals } = parseRuntimeArgs('start', args, {});
  const { dir, state } = loadState(ctx.root, oneId('start', positionals));
  startContainer(dir, statusOf(dir, state));
  await poststart(state, ctx);
  return 0;
};
