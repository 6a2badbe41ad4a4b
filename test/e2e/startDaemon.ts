// Starts the real helper daemon (as root) on a socket and state directory of our own,
// and waits until it accepts connections.
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { delay, startChild, type Started } from './childProcesses';
import { helperCli, repoRoot, requireFile } from './paths';

export interface Daemon {
  process: Started;
  /** The CLI file whose `daemon` command runs. */
  cli: string;
  socketPath: string;
  stateDir: string;
  /**
   * The state root the daemon watches for containers engines run with `bindery` as their
   * runtime (`--engine-root`): the suites point podman's runtime at it. The host's own roots
   * (/run/bindery-runtime, containerd's) are not watched, so no other container shows up.
   */
  engineRoot: string;
  logPath: string;
}

/** `logDir`: where e2e-daemon.log goes; undefined: the daemon writes to our terminal. */
export async function startDaemon(
  tempDir: string,
  logDir: string | undefined,
  cli = helperCli,
  timeoutMs = 20000,
): Promise<Daemon> {
  requireFile(cli, 'the helper CLI', 'run `npm run build` first');
  if (process.getuid?.() !== 0) {
    throw new Error(
      'the helper daemon performs mounts and needs root: run this command as root (e.g. `sudo -E npm …`)',
    );
  }
  const socketPath = join(tempDir, 'bindery.sock');
  const stateDir = join(tempDir, 'state');
  const engineRoot = join(tempDir, 'engine-runtime');
  mkdirSync(engineRoot, { mode: 0o700 });
  const logPath = logDir ? join(logDir, 'e2e-daemon.log') : 'the output above';
  const daemon = startChild(
    'daemon',
    process.execPath,
    [cli, 'daemon', '--socket', socketPath, '--state-dir', stateDir, '--engine-root', engineRoot],
    {
      cwd: repoRoot,
      stdio: ['ignore', logDir ? 'pipe' : 'inherit', logDir ? 'pipe' : 'inherit'],
    },
    true,
  );
  if (logDir) {
    const log = createWriteStream(logPath);
    daemon.child.stdout?.pipe(log, { end: false });
    daemon.child.stderr?.pipe(log, { end: false });
  }

  const deadline = Date.now() + timeoutMs;
  while (!(await canConnect(socketPath))) {
    if (daemon.child.exitCode !== null) {
      const said = logDir ? `:\n${tail(logPath)}` : '';
      throw new Error(
        `the helper daemon exited with code ${daemon.child.exitCode} before listening; see ${logPath}${said}`,
      );
    }
    if (Date.now() > deadline)
      throw new Error(
        `the helper daemon did not listen on ${socketPath} within ${timeoutMs} ms; see ${logPath}`,
      );
    await delay(100);
  }
  return { process: daemon, cli, socketPath, stateDir, engineRoot, logPath };
}

function canConnect(socketPath: string): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(socketPath);
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

/** The last lines of a log, for an error message that explains itself in CI. */
function tail(path: string, lines = 20): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
