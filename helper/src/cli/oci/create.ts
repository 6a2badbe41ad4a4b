// `bindery create [--bundle B] [--pid-file P] [--preserve-fds N] ID`: runc's create. Plans the
// bundle exactly as `bindery run` and the daemon do, starts the container's init with this
// process's fds 0–2, and returns once the init has done every mount and waits for `start`.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { launchRefusals, type Plan, planBundle, realHostView, ROOT_REQUESTER } from '@bindery/plan';
import {
  createOciContainer,
  discardCreated,
  leaveInitToSubreaper,
  releaseInit,
  startInit,
  stopInit,
  writePidFile,
  type Created,
  type EarlyInit,
} from '../../runtime/ociCreate';
import { koffiSyscalls } from '../../runtime/koffiSyscalls';
import { commOf, identifyEngine, type EngineName } from '../../runtime/ociEngine';
import { recordFailure } from '../../runtime/ociFailures';
import { checkId, ID_TAKEN, RuntimeError, stateDirOf } from '../../runtime/ociState';
import type { Syscalls } from '../../runtime/syscalls';
import { formatFinding } from '../validate';
import { oneId, parseRuntimeArgs } from './args';
import type { RuntimeCommand, RuntimeContext } from './runtimeCli';

export const CREATE_OPTIONS = {
  bundle: { type: 'string', short: 'b' },
  'pid-file': { type: 'string' },
  'console-socket': { type: 'string' },
  'preserve-fds': { type: 'string' },
  'no-pivot': { type: 'boolean' },
  'no-new-keyring': { type: 'boolean' },
} as const;

type CreateValues = {
  bundle?: string;
  'pid-file'?: string;
  'console-socket'?: string;
  'preserve-fds'?: string;
  'no-pivot'?: boolean;
};

const CONFIG = 'config.json';

function readConfig(bundleDir: string): string {
  const file = path.join(bundleDir, CONFIG);
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new RuntimeError(
      code === 'ENOENT'
        ? `JSON specification file ${CONFIG} not found in ${bundleDir}`
        : `cannot read ${file}: ${code ?? String(e)}`,
    );
  }
}

function annotationsOf(text: string): Record<string, string> | undefined {
  try {
    const a = (JSON.parse(text) as { annotations?: unknown }).annotations;
    if (!a || typeof a !== 'object' || Array.isArray(a)) return undefined;
    return Object.fromEntries(Object.entries(a).filter(([, v]) => typeof v === 'string')) as Record<
      string,
      string
    >;
  } catch {
    return undefined; // the plan reports a broken config.json
  }
}

/** What the plan refuses, as one error an engine shows: each finding with its line in config.json. */
function refusal(plan: Plan): RuntimeError | undefined {
  const refusals = launchRefusals(plan);
  if (refusals.length === 0) return undefined;
  return new RuntimeError(
    `bindery refuses this spec: ${refusals.map((f) => formatFinding(CONFIG, f)).join('; ')}`,
    1,
    { findings: refusals },
  );
}

/** Parse, check and launch up to the parked init; shared by `create` and `run`. Errors read `bindery create failed: …`, as runc's. */
export async function createFromArgs(
  command: string,
  values: CreateValues,
  id: string,
  ctx: RuntimeContext,
): Promise<Created> {
  try {
    return await createContainer(command, values, id, ctx);
  } catch (e) {
    if (e instanceof RuntimeError)
      throw new RuntimeError(`bindery ${command} failed: ${e.message}`, e.exitCode, e.detail);
    throw e;
  }
}

async function createContainer(
  command: string,
  values: CreateValues,
  id: string,
  ctx: RuntimeContext,
): Promise<Created> {
  checkId(id);
  if (process.getuid?.() !== 0)
    throw new RuntimeError(
      `bindery ${command} must run as root (rootless containers are not supported)`,
    );
  const preserveFds = Number(values['preserve-fds'] ?? 0);
  if (!Number.isInteger(preserveFds) || preserveFds < 0 || preserveFds > 1000)
    throw new RuntimeError(`invalid --preserve-fds ${values['preserve-fds']}`);
  const bundleDir = path.resolve(values.bundle ?? '.');
  const text = readConfig(bundleDir);
  // Node starts in the init while this process plans.
  const sys = koffiSyscalls();
  const init = startInit(true, preserveFds, sys);
  try {
    return await planAndLaunch(values, id, ctx, { bundleDir, text, preserveFds, init, sys });
  } catch (e) {
    await stopInit(init);
    // Not a container that exists (that one has its state): the reason, for the editor.
    if (e instanceof RuntimeError && !isIdTaken(e))
      recordFailure(ctx.root, {
        version: 1,
        id,
        bundle: bundleDir,
        createdAt: new Date().toISOString(),
        engine: engineOfCaller(ctx.root, text),
        message: `bindery ${command} failed: ${e.message}`,
        ...e.detail,
      });
    throw e;
  }
}

async function planAndLaunch(
  values: CreateValues,
  id: string,
  ctx: RuntimeContext,
  o: { bundleDir: string; text: string; preserveFds: number; init: EarlyInit; sys: Syscalls },
): Promise<Created> {
  const { bundleDir, text, preserveFds, init, sys } = o;
  const plan = planBundle({
    text,
    bundleDir,
    host: realHostView(),
    fileName: CONFIG,
    stateDir: stateDirOf(ctx.root, id),
    requester: ROOT_REQUESTER,
  });
  const refused = refusal(plan);
  if (refused) throw refused;
  // runc's checks and words: the master must go somewhere, and only a terminal is sent.
  const terminal = plan.operations.some((o) => o.op === 'console');
  const consoleSocket = values['console-socket'];
  if (terminal && consoleSocket === undefined)
    throw new RuntimeError(
      'cannot allocate tty if runc will detach without setting console socket',
    );
  if (!terminal && consoleSocket !== undefined)
    throw new RuntimeError('cannot use console socket if runc will not detach or allocate tty');
  if (values['no-pivot'])
    ctx.log.warn(
      '--no-pivot is ignored: bindery always uses pivot_root (a ramfs root cannot be used)',
    );
  for (const f of plan.findings)
    if (f.severity === 'warning') ctx.log.warn(formatFinding(CONFIG, f));
  return createOciContainer(
    {
      id,
      bundleDir,
      configName: CONFIG,
      plan,
      rootfs: plan.rootfs ?? '',
      annotations: annotationsOf(text),
      engine: engineOfCaller(ctx.root, text),
      stateRoot: ctx.root,
      preserveFds,
      ...(consoleSocket !== undefined ? { consoleSocket: path.resolve(consoleSocket) } : {}),
      onOperation: (line) => ctx.log.debug(line),
      onWarning: (message) => ctx.log.notice(message),
      init,
    },
    sys,
  );
}

function isIdTaken(e: RuntimeError): boolean {
  return e.message === ID_TAKEN;
}

/** Who called the runtime (conmon, containerd's shim …), for grouping in the editor. */
export function engineOfCaller(root: string, text: string): EngineName {
  return identifyEngine(root, annotationsOf(text), commOf(process.ppid));
}

export const createCommand: RuntimeCommand = async (args, ctx) => {
  const { values, positionals } = parseRuntimeArgs('create', args, CREATE_OPTIONS);
  const id = oneId('create', positionals);
  const created = await createFromArgs('create', values, id, ctx);
  try {
    if (values['pid-file']) writePidFile(values['pid-file'], created.state.pid!);
  } catch (e) {
    await discardCreated(created, koffiSyscalls());
    throw new RuntimeError(`cannot write the pid file: ${(e as Error).message}`);
  }
  await leaveInitToSubreaper(created);
  releaseInit(created.child);
  return 0;
};
