// `bindery` as an OCI runtime: runc's command line, so podman (`--runtime`), containerd
// (`runc-binary`, a runtime entry's BinaryName) and the runtime-tools conformance suite can
// use it wherever they use runc. Global options come before the command, as in runc:
//   bindery [--root DIR] [--log FILE] [--log-format text|json] [--debug] [--systemd-cgroup] COMMAND …
// Each command loads lazily: `state` and `start` never load the plan or koffi.
import type { CliIO } from '../command';
import { parseRuntimeArgs } from './args';
import { GLOBAL_OPTIONS, isRuntimeCommandName, type RuntimeCommandName } from './isRuntimeCall';
import { RuntimeLog } from './runtimeLog';
import { DEFAULT_RUNTIME_ROOT, RuntimeError } from '../../runtime/ociState';

export interface RuntimeContext {
  /** --root: where container state lives. */
  root: string;
  log: RuntimeLog;
  io: CliIO;
}

export type RuntimeCommand = (args: string[], ctx: RuntimeContext) => number | Promise<number>;

/** `bindery COMMAND --help`: runc's synopsis of each command. */
const USAGE: Record<RuntimeCommandName, string> = {
  create:
    'create [--bundle DIR] [--pid-file FILE] [--preserve-fds N] [--no-pivot] [--no-new-keyring] ID',
  start: 'start ID',
  run: 'run [--bundle DIR] [--pid-file FILE] [--detach] [--keep] [--preserve-fds N] ID',
  state: 'state ID',
  list: 'list [--format table|json] [--quiet]',
  kill: 'kill [--all] ID [SIGNAL]   (SIGNAL: a name, with or without SIG, or a number; default SIGTERM)',
  delete: 'delete [--force] ID',
  exec: 'exec [--process FILE] [--detach] [--pid-file FILE] [--cwd DIR] [--env K=V]… [--user UID[:GID]] [--additional-gids GID]… [--cap CAP]… [--no-new-privs] [--preserve-fds N] ID [COMMAND ARG…]',
  ps: 'ps [--format table|json] ID [-- PS_ARGS…]',
  features: 'features',
  pause: 'pause ID',
  resume: 'resume ID',
  update:
    'update [--resources FILE|- | --memory BYTES --memory-reservation BYTES --memory-swap BYTES --pids-limit N --cpu-share N --cpu-period US --cpu-quota US --cpu-rt-period US --cpu-rt-runtime US --cpuset-cpus LIST --cpuset-mems LIST] ID',
};

const RUNTIME_COMMANDS: Record<RuntimeCommandName, () => Promise<RuntimeCommand>> = {
  create: async () => (await import('./create')).createCommand,
  start: async () => (await import('./start')).startCommand,
  run: async () => (await import('./run')).runCommand,
  state: async () => (await import('./state')).stateCommand,
  list: async () => (await import('./state')).listCommand,
  kill: async () => (await import('./kill')).killCommand,
  delete: async () => (await import('./delete')).deleteCommand,
  exec: async () => (await import('./exec')).execCommand,
  ps: async () => (await import('./ps')).psCommand,
  features: async () => (await import('./features')).featuresCommand,
  pause: async () => (await import('./cgroupCommands')).pauseCommand,
  resume: async () => (await import('./cgroupCommands')).resumeCommand,
  update: async () => (await import('./cgroupCommands')).updateCommand,
};

export async function runtimeMain(argv: string[], io: CliIO): Promise<number> {
  const early = new RuntimeLog(undefined, 'text', false, io.err);
  let log = early;
  try {
    const { values, positionals } = parseRuntimeArgs('bindery', argv, GLOBAL_OPTIONS);
    const format = values['log-format'] ?? 'text';
    if (format !== 'text' && format !== 'json')
      throw new RuntimeError(`invalid log-format: ${format}`);
    log = new RuntimeLog(values.log, format, values.debug === true, io.err);
    if (values['systemd-cgroup'])
      throw new RuntimeError(
        'bindery manages cgroups through cgroupfs, not systemd: run without --systemd-cgroup (podman: cgroup_manager = "cgroupfs"; containerd: SystemdCgroup = false)',
      );
    const [command, ...rest] = positionals;
    if (!command)
      throw new RuntimeError(
        'no command given (create, start, state, kill, delete, run, exec, ps, list, features)',
      );
    if (!isRuntimeCommandName(command)) throw new RuntimeError(`No help topic for '${command}'`);
    const load = RUNTIME_COMMANDS[command];
    if (rest[0] === '--help' || rest[0] === '-h') {
      io.out(`Usage: bindery [GLOBAL OPTIONS] ${USAGE[command]}`);
      return 0;
    }
    const ctx: RuntimeContext = { root: values.root ?? DEFAULT_RUNTIME_ROOT, log, io };
    log.debug(`bindery ${argv.join(' ')}`);
    return await (
      await load()
    )(rest, ctx);
  } catch (e) {
    if (e instanceof RuntimeError) {
      log.error(e.message);
      return e.exitCode;
    }
    log.error(`internal error: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.BINDERY_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return 70;
  }
}
