// `bindery daemon` (also installed as `binderyd`): the root helper in the foreground.
import * as path from 'node:path';
import { Daemon } from '../daemon/daemon';
import { DEFAULT_ENGINE_ROOTS } from '../daemon/engineContainers';
import { DEFAULT_SOCKET_PATH } from '../protocol';
import pkg from '../../package.json';
import { UsageError } from './readBundle';
import type { CliIO, Command } from './command';
import { parseCommandArgs } from './command';

/** Inits kept warm: two, so a second launch right after the first does not wait for a refill. */
const WARM_INITS = 2;

/**
 * The runtime watches each re-adopted container's pidfd with poll(2) on a libuv pool
 * thread; the default pool of 4 would leave none for the daemon's own file reads after a
 * restart with 4 live containers. Must be set before the pool first starts.
 */
const THREADPOOL_SIZE = '128';

export async function runDaemon(args: string[], io: CliIO): Promise<number> {
  process.env.UV_THREADPOOL_SIZE ??= THREADPOOL_SIZE;
  const { values, positionals } = parseCommandArgs(args, {
    socket: { type: 'string' },
    'state-dir': { type: 'string' },
    'engine-root': { type: 'string', multiple: true },
  });
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${positionals[0]}`);
  if (process.getuid?.() !== 0) {
    io.err('bindery daemon: must run as root (it mounts and creates namespaces); try `sudo bindery daemon`');
    return 1;
  }
  const socketPath = path.resolve(values.socket ?? DEFAULT_SOCKET_PATH);
  const stateDir = path.resolve(values['state-dir'] ?? path.dirname(socketPath));
  const { runtimeWith } = await import('../runtime/container');
  const sys = (await import('../runtime/koffiSyscalls')).koffiSyscalls();
  const engineRoots = engineRootsOf(values['engine-root']);
  const daemon = new Daemon({ socketPath, stateDir, runtime: runtimeWith(sys), sys, engineRoots, helperVersion: pkg.version, log: (l) => io.err(`binderyd: ${l}`) });
  // A promise someone forgot to handle must not take every container's helper down with it.
  process.on('unhandledRejection', (e) => io.err(`binderyd: unhandled rejection (a bug; please report it): ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`));
  try {
    await daemon.start();
  } catch (e) {
    io.err(`bindery daemon: ${e instanceof Error ? e.message : String(e)}`);
    return 1;
  }
  // Container inits started ahead of need keep Node's start-up off the launch path.
  (await import('../runtime/initLauncher')).warmInits(WARM_INITS, sys);
  return new Promise<number>((resolve) => {
    const shutdown = (signal: string) => {
      io.err(`binderyd: ${signal}: tearing down every container, then exiting`);
      daemon.close().then(
        () => resolve(0),
        (e) => {
          io.err(`binderyd: shutdown: ${e instanceof Error ? e.message : String(e)}`);
          resolve(1);
        },
      );
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
}

/** `--engine-root DIR` (repeatable; `none`: watch nothing) replaces the defaults. */
function engineRootsOf(given: string[] | undefined): string[] {
  if (!given?.length) return DEFAULT_ENGINE_ROOTS;
  return given.includes('none') ? [] : given.map((r) => (r.endsWith('/*') ? `${path.resolve(r.slice(0, -2))}/*` : path.resolve(r)));
}

export const daemonCommand: Command = {
  summary: 'run the root helper (binderyd) in the foreground',
  usage: `bindery daemon [--socket PATH] [--state-dir DIR] [--engine-root DIR]…\n  default socket ${DEFAULT_SOCKET_PATH}; the state directory defaults to the socket's directory.\n  --engine-root: a state root of \`bindery\` as an engine's runtime to show the containers of (DIR/* for each folder in DIR; none for no roots); default ${DEFAULT_ENGINE_ROOTS.join(', ')}.\n  Under systemd socket activation (LISTEN_FDS) the passed socket is used.`,
  run: runDaemon,
};
