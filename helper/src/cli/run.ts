// `bindery run BUNDLE [--id ID] [--detach]`: like `runc run`. Streams the process's stdout
// and stderr, exits with its exit code (128+N when killed by signal N) and tears the
// container down at the end.
//
// Goes through the helper daemon when one listens on the socket; otherwise, as root, runs
// the same runtime inside this process ("embedded"), so the command works on a machine
// where no service is installed. --detach needs the daemon (someone must stay to watch).
import { droppedNotice } from './logs';
import { attachTerminal } from './terminalSession';
import { formatFinding } from './validate';
import * as crypto from 'node:crypto';
import * as path from 'node:path';
import type { CliIO, Command } from './command';
import { parseCommandArgs } from './command';
import { readBundle, UsageError } from './readBundle';
import { ID_PATTERN } from '../runtime/containerId';
import { parseSignal } from '../runtime/ociSignal';
import type { HelperClient as HelperClientType } from '../client';
import type { OperationEvent, OperationFailure } from '../protocol';

/** runc's convention: the process's code, or 128 + the signal that ended it. */
export function exitStatus(ev: { exitCode?: number; signal?: string }): number {
  if (ev.exitCode !== undefined) return ev.exitCode;
  const signal = ev.signal ? parseSignal(ev.signal) : undefined;
  if (signal) return 128 + signal;
  return 255;
}

function describeOrigin(op: OperationEvent['operation']): string {
  const o = op.origin;
  if (o.kind === 'added') return 'runtime default';
  let s = '';
  for (const seg of o.path) s += typeof seg === 'number' ? `[${seg}]` : s ? `.${seg}` : seg;
  return s;
}

function reportFailure(io: CliIO, f: OperationFailure | { message: string; hint: string }): void {
  const where = 'operation' in f ? `${describeOrigin(f.operation)}: ` : '';
  io.err(`bindery run: ${where}${f.message}`);
  if (f.hint) io.err(`  hint: ${f.hint}`);
}

/** Signals to the container: the first asks it to stop (TERM, then KILL after the grace period), a second kills it. */
function forwardSignals(stop: (graceMs: number) => void): () => void {
  let count = 0;
  const handler = () => {
    count++;
    stop(count === 1 ? 10_000 : 0);
  };
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, handler);
  return () => {
    for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.off(s, handler);
  };
}

async function viaDaemon(
  io: CliIO,
  bundleDir: string,
  id: string,
  detach: boolean,
  socketPath: string | undefined,
): Promise<number | undefined> {
  const { HelperClient, HelperError } = await import('../client');
  let client: HelperClientType;
  try {
    client = await HelperClient.connect({ socketPath });
  } catch (e) {
    if (e instanceof HelperError && e.code === 'no-helper') return undefined;
    throw new UsageError(e instanceof Error ? e.message : String(e));
  }
  try {
    let exited: ((code: number) => void) | undefined;
    const exitCode = new Promise<number>((resolve) => (exited = resolve));
    client.onOutput((o) => {
      if (o.id !== id) return;
      const notice = droppedNotice('run', o);
      if (notice) io.err(notice);
      (o.stream === 'stdout' ? process.stdout : process.stderr).write(o.data);
    });
    client.onExited((e) => {
      if (e.id === id) exited!(exitStatus(e));
    });
    // A failing poststart or poststop hook stops nothing: a warning, as in the embedded run.
    client.onHook((h) => {
      if (h.id === id && !h.ok && (h.kind === 'poststart' || h.kind === 'poststop'))
        io.err(`bindery run: warning: ${h.message}`);
    });
    client.onClose(() => exited!(255));
    let terminal = false;
    try {
      terminal = (await client.launch({ bundle: bundleDir, id })).terminal === true;
    } catch (e) {
      if (e instanceof HelperError) {
        if (e.data?.failure) reportFailure(io, e.data.failure);
        else io.err(`bindery run: ${e.message}`);
        for (const f of e.data?.findings ?? []) io.err(`  ${f.code}: ${f.message}`);
        return 1;
      }
      throw e;
    }
    if (detach) {
      io.out(id);
      return 0;
    }
    const unforward = forwardSignals(
      (graceMs) => void client.stop({ id, timeoutMs: graceMs }).catch(() => {}),
    );
    const detachTerminal = terminal
      ? attachTerminal({
          input: (data) =>
            client.input(id, data).then(
              () => true,
              (e: unknown) => {
                if (e instanceof HelperError && e.data?.reason === 'input-full') return false;
                throw e;
              },
            ),
          resize: (rows, cols) => client.resize(id, rows, cols),
        })
      : undefined;
    const code = await exitCode;
    detachTerminal?.();
    unforward();
    await client.teardown(id).catch(() => {});
    return code;
  } finally {
    client.close();
  }
}

async function embedded(
  io: CliIO,
  bundleDir: string,
  text: string,
  displayPath: string,
  id: string,
): Promise<number> {
  const [
    { planBundle, launchRefusals, realHostView, processRequester },
    { launchContainer, isLaunchError, DEFAULT_STATE_ROOT },
    { koffiSyscalls },
  ] = await Promise.all([import('@bindery/plan'), import('../runtime/container'), import('../runtime/koffiSyscalls')]);
  const stateRoot = process.env.BINDERY_STATE_ROOT || DEFAULT_STATE_ROOT;
  const plan = planBundle({
    text,
    bundleDir,
    host: realHostView(),
    fileName: displayPath,
    stateDir: path.join(stateRoot, id),
    requester: processRequester(),
  });
  const refusals = launchRefusals(plan);
  if (refusals.length) {
    for (const f of refusals) io.err(formatFinding(displayPath, f));
    io.err(
      `bindery run: the helper refuses this spec (${refusals.length} finding${refusals.length > 1 ? 's' : ''}); nothing was started`,
    );
    return 1;
  }
  let container;
  try {
    container = await launchContainer(
      {
        id,
        bundleDir,
        plan,
        owner: { uid: 0, gid: 0 },
        stateRoot,
      },
      koffiSyscalls(),
    );
  } catch (e) {
    if (!isLaunchError(e)) throw e;
    if (e.failure) reportFailure(io, e.failure);
    else if (e.stage) reportFailure(io, e.stage);
    else io.err(`bindery run: ${e.message}`);
    return 1;
  }
  container.on('output', (o: { stream: string; data: string }) =>
    (o.stream === 'stdout' ? process.stdout : process.stderr).write(o.data),
  );
  // poststart and poststop failures do not stop anything (runtime-spec): they are warnings.
  container.on('hook', (h: { ok: boolean; message: string }) => {
    if (!h.ok) io.err(`bindery run: warning: ${h.message}`);
  });
  const unforward = forwardSignals((graceMs) => void container.stop(graceMs));
  const c = container;
  const detachTerminal = c.hasTerminal
    ? attachTerminal({
        input: async (data) => c.writeInput(Buffer.from(data, 'utf8')) || c.status !== 'running',
        resize: async (rows, cols) => void c.resize(rows, cols),
      })
    : undefined;
  const ev = await container.exited;
  detachTerminal?.();
  unforward();
  await container.teardown();
  return exitStatus(ev);
}

export const runCommand: Command = {
  summary: 'run a bundle like `runc run`: stream its output, exit with its code, tear it down',
  usage: [
    'bindery run BUNDLE [--id ID] [--detach] [--socket PATH]',
    '',
    'Runs the bundle (a directory with config.json and rootfs/) through the helper daemon when one',
    'listens on the socket, else, as root, inside this process. Output is streamed; the exit code is',
    "the process's (128+N when killed by signal N). The container is torn down when it exits.",
    'With process.terminal, this terminal becomes the container\'s (raw mode; its size follows',
    'this window), as with `runc run` or `docker run -it`.',
    '',
    '  --id ID        container id (default: the bundle name and a random suffix)',
    '  --detach, -d   start it and print its id; the daemon keeps it (needs the daemon)',
    '  --socket PATH  the helper socket (default $BINDERY_SOCKET or /run/bindery/bindery.sock)',
  ].join('\n'),
  async run(args, io) {
    const { values, positionals } = parseCommandArgs(args, {
      id: { type: 'string' },
      detach: { type: 'boolean', short: 'd' },
      socket: { type: 'string' },
    });
    if (positionals.length !== 1)
      throw new UsageError('expected exactly one BUNDLE (a directory with config.json)');
    const bundle = readBundle(positionals[0]);
    const id =
      values.id ??
      `${path
        .basename(bundle.bundleDir)
        .replace(/[^A-Za-z0-9_.-]/g, '_')
        .slice(0, 50)}-${crypto.randomBytes(3).toString('hex')}`;
    if (!ID_PATTERN.test(id))
      throw new UsageError(`--id "${id}": use 1–64 of A–Z a–z 0–9 _ . -`);

    const viaHelper = await viaDaemon(
      io,
      bundle.bundleDir,
      id,
      values.detach === true,
      values.socket,
    );
    if (viaHelper !== undefined) return viaHelper;
    if (values.detach)
      throw new UsageError(
        '--detach needs the helper daemon (start it with `sudo bindery daemon`); without it, run in the foreground',
      );
    if (process.getuid?.() !== 0)
      throw new UsageError(
        'no helper daemon is listening, and running a container without it needs root: start the daemon (`sudo bindery daemon`) or use sudo',
      );
    return embedded(io, bundle.bundleDir, bundle.text, bundle.displayPath, id);
  },
};
