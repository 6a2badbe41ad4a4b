// The runtime's API, as the daemon and `bindery run` use it: launch a container from a plan
// (launch.ts), hold it (containerHandle.ts), take it back after a helper restart (adopt.ts).
// The kernel is injected: callers pass the Syscalls they made (koffiSyscalls() in the
// programs, the recording fake in tests).
import { adoptContainer } from './adopt';
import { launchContainer, type LaunchOptions } from './launch';
import type { Container } from './containerHandle';
import type { DaemonSyscalls } from './syscalls';

export { adoptContainer } from './adopt';
export { DEFAULT_STOP_TIMEOUT_MS, type Container } from './containerHandle';
export { ID_PATTERN } from './containerId';
export { initRequest } from './initChannel';
export { DEFAULT_STATE_ROOT, launchContainer, prepare, type LaunchOptions } from './launch';
export { isLaunchError, type LaunchError } from './launchError';

/** The runtime bound to one kernel door: the shape the daemon's registry drives. */
export function runtimeWith(sys: DaemonSyscalls): {
  launchContainer(opts: LaunchOptions): Promise<Container>;
  adoptContainer(stateDir: string): Container | undefined;
} {
  return {
    launchContainer: (opts) => launchContainer(opts, sys),
    adoptContainer: (stateDir) => adoptContainer(stateDir, sys),
  };
}
