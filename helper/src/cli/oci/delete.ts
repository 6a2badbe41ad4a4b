// `bindery delete [--force] ID`: removes a stopped (or created) container's state; with
// --force, kills a running or paused one first. The mounts went with the container's mount
// namespace, or, for a spec without one, are detached here (runc 1.1 leaves them); what is
// left on the host is its cgroup and the state directory.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  checkId,
  loadState,
  RuntimeError,
  stateDirOf,
  statusOf,
  type OciContainerState,
} from '../../runtime/ociState';
import { removeCgroups } from '../../runtime/cgroups';
import { releaseHostMounts } from '../../runtime/hostMounts';
import { runPoststop, subjectOf } from '../../runtime/ociCreate';
import { koffiSyscalls } from '../../runtime/koffiSyscalls';
import { setFrozen } from '../../runtime/ociCgroups';
import { signalAll, waitGone } from '../../runtime/ociSignal';
import { oneId, parseRuntimeArgs } from './args';
import type { RuntimeCommand, RuntimeContext } from './runtimeCli';

const SIGKILL = 9;
/** How long a SIGKILLed container may take to die before delete gives up. */
const KILL_WAIT_MS = 10_000;

/** What is left of a container whose processes are gone: its cgroup and its state directory; then its poststop hooks. */
export async function removeContainer(
  dir: string,
  state: OciContainerState,
  ctx: RuntimeContext,
): Promise<void> {
  const mounts = state.hostMounts && releaseHostMounts(state.hostMounts, koffiSyscalls());
  if (mounts) throw new RuntimeError(mounts);
  const left = await removeCgroups(state.cgroups ?? []);
  if (left.length) ctx.log.warn(`cgroups still busy, left in place: ${left.join(', ')}`);
  await runPoststop(state.plan, subjectOf(state), (m) => ctx.log.notice(m));
  fs.rmSync(dir, { recursive: true, force: true });
}

export const deleteCommand: RuntimeCommand = async (args, ctx) => {
  const { values, positionals } = parseRuntimeArgs('delete', args, {
    force: { type: 'boolean', short: 'f' },
  });
  const id = checkId(oneId('delete', positionals));
  let loaded;
  try {
    loaded = loadState(ctx.root, id);
  } catch (e) {
    // A create that died before writing its state leaves a directory only delete can clear.
    const dir = stateDirOf(ctx.root, id);
    if (fs.existsSync(dir) && !fs.existsSync(path.join(dir, 'state.json')))
      fs.rmSync(dir, { recursive: true, force: true });
    if (values.force) return 0;
    throw e;
  }
  const { dir, state } = loaded;
  const status = statusOf(dir, state);
  if ((status === 'running' || status === 'paused') && !values.force)
    throw new RuntimeError(`cannot delete container ${id} that is not stopped: ${status}`);
  if (status !== 'stopped') {
    signalAll(state, SIGKILL, koffiSyscalls());
    // A frozen process takes its SIGKILL only once thawed.
    if (status === 'paused') await setFrozen(state.plan, false);
    if (!(await waitGone(state, KILL_WAIT_MS, koffiSyscalls())))
      throw new RuntimeError(
        `container ${id} did not stop after SIGKILL within ${KILL_WAIT_MS / 1000} s`,
      );
  }
  await removeContainer(dir, state, ctx);
  return 0;
};
