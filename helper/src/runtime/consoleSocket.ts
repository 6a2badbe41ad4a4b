// An engine's console socket (`create --console-socket`, `exec --tty --console-socket`),
// connected by the runtime's launcher, root on the host, and handed to the init as an fd:
// runc's parent does the same. A user-namespaced init is the namespace's root from its
// first instruction, a host uid that may not connect to the socket (conmon's is a 0700
// socket of root's) or reach its folder; the init only sends the pty master over it.
import { RuntimeError } from './runtimeError';
import type { Syscalls } from './syscalls';

/** The launcher's connection to `socketPath`, close-on-exec (spawn's stdio gives the init its own copy). */
export function connectConsoleSocket(
  sys: Pick<Syscalls, 'connectUnix'>,
  socketPath: string,
): number {
  const c = sys.connectUnix(socketPath);
  if (!c.ok)
    throw new RuntimeError(
      `${c.errno}: cannot connect to the console socket ${socketPath} (hint: it must be a unix socket the caller listens on, runc’s --console-socket)`,
    );
  return c.value;
}
