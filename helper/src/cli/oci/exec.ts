// `bindery exec [--process F | OPTIONS] ID [COMMAND ARGS…]`: runc's exec. The process is read
// by the plan's own reader (readLaunchSpec), from F or from the container's process with
// the command line's changes; it runs with the container's namespaces and the same set-up
// as the container's process. Without --detach this command waits and exits with its status.
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CAPABILITIES,
  isExecLabel,
  isProcessAttr,
  planExecLabels,
  planProcessAttrs,
  type ExecLabelOp,
  readLaunchSpec,
  type Operation,
  type ProcessAttrOp,
  type ProcessSetup,
} from '@bindery/plan';
import { koffiSyscalls } from '../../runtime/koffiSyscalls';
import { releaseInit, writePidFile } from '../../runtime/ociCreate';
import { execInContainer } from '../../runtime/ociExec';
import { loadState, RuntimeError, statusOf } from '../../runtime/ociState';
import { exitStatus } from '../run';
import { parseRuntimeArgs } from './args';
import type { RuntimeCommand, RuntimeContext } from './runtimeCli';

const EXEC_OPTIONS = {
  process: { type: 'string', short: 'p' },
  detach: { type: 'boolean', short: 'd' },
  'pid-file': { type: 'string' },
  'console-socket': { type: 'string' },
  tty: { type: 'boolean', short: 't' },
  cwd: { type: 'string' },
  env: { type: 'string', short: 'e', multiple: true },
  user: { type: 'string', short: 'u' },
  'additional-gids': { type: 'string', short: 'g', multiple: true },
  cap: { type: 'string', short: 'c', multiple: true },
  'no-new-privs': { type: 'boolean' },
  'preserve-fds': { type: 'string' },
  'process-label': { type: 'string' },
  apparmor: { type: 'string' },
  'ignore-paused': { type: 'boolean' },
  cgroup: { type: 'string', multiple: true },
} as const;

/** A process object (config.json's `process`) through the plan's reader. */
function readProcess(value: unknown, where: string): ProcessSetup {
  const reading = readLaunchSpec({ process: value });
  if (reading.launch) return reading.launch.process;
  const why = reading.problems.map((p) => p.message).join('; ');
  throw new RuntimeError(`${where}: ${why || 'not a valid process (args, cwd, env, user …)'}`);
}

/**
 * The process attributes of an exec'd process, as runc 1.4 sets them (runc 1.1.5 sets none):
 * the process file's scheduler and ioPriority, else the container's; the container's
 * personality. In the order the set-up makes the calls.
 */
export function execProcessAttrs(
  container: readonly Operation[],
  fromFile: readonly ProcessAttrOp[],
): ProcessAttrOp[] {
  const kinds: ProcessAttrOp['op'][] = ['scheduler', 'ioprio', 'personality'];
  return kinds.flatMap((kind) => {
    const own = kind === 'personality' ? undefined : fromFile.find((o) => o.op === kind);
    const inherited = container.find((o) => isProcessAttr(o) && o.op === kind) as
      | ProcessAttrOp
      | undefined;
    const op = own ?? inherited;
    return op ? [op] : [];
  });
}

/**
 * The AppArmor profile and SELinux label of an exec'd process, as runc sets them: its own
 * (the process file's, or --apparmor and --process-label), else the container's.
 */
export function execLabels(
  container: readonly Operation[],
  own: { apparmorProfile?: unknown; selinuxLabel?: unknown },
): ExecLabelOp[] {
  const mine = planExecLabels({ process: own }, (p) => ({
    kind: 'spec',
    path: p,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  }));
  const inherited = container.filter(isExecLabel);
  return (['AppArmor', 'SELinux'] as const).flatMap((lsm) => {
    const op = mine.find((o) => o.lsm === lsm) ?? inherited.find((o) => o.lsm === lsm);
    return op ? [op] : [];
  });
}

/** scheduler and ioPriority of a process file, or an error naming the one that is not valid. */
function attrsOfFile(value: unknown, file: string): ProcessAttrOp[] {
  const ops = planProcessAttrs({ process: value }, (p) => ({
    kind: 'spec',
    path: p,
    range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
  }));
  const p = value as { scheduler?: unknown; ioPriority?: unknown } | null;
  if (p?.scheduler !== undefined && !ops.some((o) => o.op === 'scheduler'))
    throw new RuntimeError(`${file}: scheduler.policy is not a policy runc knows (SCHED_OTHER, SCHED_BATCH, SCHED_IDLE, SCHED_FIFO, SCHED_RR, SCHED_DEADLINE)`);
  if (p?.ioPriority !== undefined && !ops.some((o) => o.op === 'ioprio'))
    throw new RuntimeError(`${file}: ioPriority.class is not IOPRIO_CLASS_RT, IOPRIO_CLASS_BE or IOPRIO_CLASS_IDLE`);
  return ops;
}

function processFromFile(file: string): {
  proc: ProcessSetup;
  attrs: ProcessAttrOp[];
  labels: { apparmorProfile?: unknown; selinuxLabel?: unknown };
  terminal: boolean;
  size?: { rows: number; cols: number };
} {
  let value: unknown;
  try {
    value = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new RuntimeError(`cannot read the process file ${file}: ${(e as Error).message}`);
  }
  const v = value as { terminal?: unknown; consoleSize?: { height?: unknown; width?: unknown } } | null;
  const rows = v?.consoleSize?.height;
  const cols = v?.consoleSize?.width;
  const dim = (n: unknown): n is number =>
    typeof n === 'number' && Number.isInteger(n) && n > 0 && n <= 0xffff;
  return {
    proc: readProcess(value, file),
    attrs: attrsOfFile(value, file),
    labels: (value ?? {}) as { apparmorProfile?: unknown; selinuxLabel?: unknown },
    terminal: v?.terminal === true,
    ...(dim(rows) && dim(cols) ? { size: { rows, cols } } : {}),
  };
}

function id32(s: string, what: string): number {
  const n = Number(s);
  if (!/^[0-9]+$/.test(s) || n > 0xffffffff)
    throw new RuntimeError(`invalid ${what} ${s}: a number is needed`);
  return n;
}

/** runc's exec fails with status 255 and says `exec failed: …`. */
export const execCommand: RuntimeCommand = async (args, ctx) => {
  try {
    return await execProcess(args, ctx);
  } catch (e) {
    if (e instanceof RuntimeError) throw new RuntimeError(`exec failed: ${e.message}`, 255);
    throw e;
  }
};

async function execProcess(args: string[], ctx: RuntimeContext): Promise<number> {
  const { values, positionals } = parseRuntimeArgs('exec', args, EXEC_OPTIONS);
  const [id, ...command] = positionals;
  if (!id) throw new RuntimeError('"exec" requires a container id');
  const { dir, state } = loadState(ctx.root, id);
  const status = statusOf(dir, state);
  if (status === 'stopped') throw new RuntimeError('cannot exec in a stopped container');
  if (status === 'paused' && !values['ignore-paused'])
    throw new RuntimeError('cannot exec in a paused container (resume it first)');
  if (status === 'creating' || !state.plan.launch)
    throw new RuntimeError(`cannot exec in a container in the ${status} state`);

  let proc: ProcessSetup;
  let fileAttrs: ProcessAttrOp[] = [];
  let ownLabels: { apparmorProfile?: unknown; selinuxLabel?: unknown } = {
    apparmorProfile: values.apparmor,
    selinuxLabel: values['process-label'],
  };
  let terminal = values.tty === true;
  let size: { rows: number; cols: number } | undefined;
  if (values.process) {
    const read = processFromFile(values.process);
    // runc 1.4: execCPUAffinity the file does not set is the container's.
    proc = { ...read.proc, execCpuAffinity: read.proc.execCpuAffinity ?? state.plan.launch.process.execCpuAffinity };
    if (!proc.execCpuAffinity) delete proc.execCpuAffinity;
    fileAttrs = read.attrs;
    ownLabels = read.labels;
    terminal ||= read.terminal;
    size = read.size;
  } else {
    if (command.length === 0) throw new RuntimeError('exec: no command given (and no --process)');
    const base = state.plan.launch.process;
    proc = { ...base, args: command, env: [...base.env, ...(values.env ?? [])] };
    if (values.cwd) proc.cwd = values.cwd;
    if (values.user) {
      const [uid, gid] = values.user.split(':');
      proc.uid = id32(uid, 'uid');
      if (gid !== undefined) proc.gid = id32(gid, 'gid');
    }
    if (values['additional-gids'])
      proc.additionalGids = values['additional-gids'].map((g) => id32(g, 'additional gid'));
    if (values['no-new-privs']) proc.noNewPrivileges = true;
    if (values.cap?.length) {
      const add = values.cap.map((c) => {
        const n = CAPABILITIES.indexOf(c);
        if (n < 0) throw new RuntimeError(`unknown capability ${c}`);
        return n;
      });
      const caps = proc.capabilities ?? {
        bounding: [],
        effective: [],
        permitted: [],
        inheritable: [],
        ambient: [],
      };
      const plus = (set: number[]) => [...new Set([...set, ...add])];
      proc.capabilities = {
        ...caps,
        bounding: plus(caps.bounding),
        effective: plus(caps.effective),
        permitted: plus(caps.permitted),
      };
    }
    // Through the reader too, so what a spec may not hold (an env entry without "=", a NUL) is refused here.
    const checked = readProcess(
      {
        args: proc.args,
        env: proc.env,
        cwd: proc.cwd,
        user: { uid: proc.uid, gid: proc.gid, additionalGids: proc.additionalGids },
      },
      'exec',
    );
    proc = { ...proc, args: checked.args, env: checked.env, cwd: checked.cwd };
  }
  const consoleSocket = values['console-socket'];
  if (terminal && consoleSocket === undefined)
    throw new RuntimeError(
      values.detach
        ? 'cannot allocate tty if runc will detach without setting console socket'
        : 'bindery exec --tty needs --console-socket (it does not relay a terminal itself)',
    );
  if (!terminal && consoleSocket !== undefined)
    throw new RuntimeError('cannot use console socket if runc will not detach or allocate tty');

  const preserveFds = Number(values['preserve-fds'] ?? 0);
  if (!Number.isInteger(preserveFds) || preserveFds < 0 || preserveFds > 1000)
    throw new RuntimeError(`invalid --preserve-fds ${values['preserve-fds']}`);
  const child = await execInContainer(
    state,
    proc,
    [
      ...execProcessAttrs(state.plan.operations, fileAttrs),
      ...execLabels(state.plan.operations, ownLabels),
    ],
    preserveFds,
    koffiSyscalls(),
    terminal && consoleSocket !== undefined
      ? { consoleSocket: path.resolve(consoleSocket), ...(size ? { size } : {}) }
      : undefined,
  );
  const exited = new Promise<{ exitCode?: number; signal?: string }>((resolve) =>
    child.once('exit', (code, signal) =>
      resolve({ ...(code !== null ? { exitCode: code } : {}), ...(signal ? { signal } : {}) }),
    ),
  );
  if (values['pid-file']) writePidFile(values['pid-file'], child.pid!);
  if (values.detach) {
    releaseInit(child);
    return 0;
  }
  const forward = (s: NodeJS.Signals) => child.kill(s);
  for (const s of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(s, forward);
  return exitStatus(await exited);
}
