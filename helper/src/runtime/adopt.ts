// Adoption: a helper that restarts takes back the containers an earlier one left running.
import * as path from 'node:path';
import { ContainerHandle, type Container } from './containerHandle';
import { processStartTime, readState } from './stateFile';
import type { DaemonSyscalls } from './syscalls';

/**
 * A container left by an earlier helper, from its state directory. A live process is
 * recognised by its pid *and* start time and watched through a pidfd; a dead one comes
 * back as 'stopped' (its exit code is lost with the helper that was its parent), ready
 * for teardown. Undefined when the directory holds no container state.
 */
export function adoptContainer(stateDir: string, sys: DaemonSyscalls): Container | undefined {
  const state = readState(stateDir);
  if (!state || state.id !== path.basename(stateDir)) return undefined;
  const c = new ContainerHandle(sys, state, stateDir);
  for (const m of c.mounts) m.state = 'applied';
  // 'creating' with a live process: the helper died after the init cleared its parent-death
  // signal, i.e. right at execve; the process runs.
  if (
    (state.status === 'running' || state.status === 'creating') &&
    state.pid !== undefined &&
    state.startTime !== undefined &&
    processStartTime(state.pid) === state.startTime
  ) {
    const pidfd = sys.pidfdOpen(state.pid);
    // Checked again with the pidfd held: from here on the pid cannot be recycled under us.
    if (pidfd.ok && processStartTime(state.pid) === state.startTime) {
      c.openOutput();
      c.markStarted(state.pid, { pidfd: pidfd.value });
      void sys.waitReadable(pidfd.value).then(() => c.markExited({ id: state.id }));
      return c;
    }
    if (pidfd.ok) sys.close(pidfd.value);
  }
  void c.markExited({ id: state.id });
  return c;
}
