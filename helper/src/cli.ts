// `bindery`: the command line over the mount plan and the helper.
// Adding a subcommand is one line in COMMANDS; each loads lazily so `validate` never pays
// for the helper's runtime.
import type { CliIO, Command } from './cli/command';
import { UsageError } from './cli/readBundle';
import pkg from '../package.json';
import * as fs from 'node:fs';
import { isRuntimeCall, RUNTIME_COMMAND_NAMES } from './cli/oci/isRuntimeCall';
import { OCI_VERSION } from './runtime/ociState';
import { EX_SOFTWARE } from './exitCodes';

const COMMANDS: Record<string, () => Promise<Command>> = {
  validate: async () => (await import('./cli/validate')).validateCommand,
  plan: async () => (await import('./cli/plan')).planCommand,
  run: async () => (await import('./cli/run')).runCommand,
  daemon: async () => (await import('./cli/daemon')).daemonCommand,
  ps: async () => (await import('./cli/ps')).psCommand,
  inspect: async () => (await import('./cli/inspect')).inspectCommand,
  logs: async () => (await import('./cli/logs')).logsCommand,
  stop: async () => (await import('./cli/stop')).stopCommand,
  rm: async () => (await import('./cli/rm')).rmCommand,
};

const stdio: CliIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

async function help(io: CliIO): Promise<void> {
  io.out('Usage: bindery COMMAND [ARGS]\n');
  io.out('Write, check and launch OCI runtime bundles.\n');
  io.out('Commands:');
  const names = Object.keys(COMMANDS);
  const width = Math.max(...names.map((n) => n.length));
  for (const name of names) io.out(`  ${name.padEnd(width)}  ${(await COMMANDS[name]()).summary}`);
  io.out(
    `\nAs an OCI runtime (runc's command line, for podman, containerd and Kubernetes):\n  bindery [--root DIR] [--log FILE] [--log-format json] ${RUNTIME_COMMAND_NAMES.join('|')} …`,
  );
  io.out('\nRun `bindery COMMAND --help` for its options. `bindery --version` prints the version.');
}

export async function main(argv: string[], io: CliIO = stdio): Promise<number> {
  if (isRuntimeCall(argv, fs.existsSync)) {
    const code = await (await import('./cli/oci/runtimeCli')).runtimeMain(argv, io);
    // An engine waits for this call to end: nothing left (a parked init's pipes, a pidfd
    // poll) may keep the process alive once its work is done.
    if (io === stdio) process.exit(code);
    return code;
  }
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    await help(io);
    return name === undefined ? 2 : 0;
  }
  if (name === '--version' || name === '-V' || name === '-v') {
    // runc's layout (name and version, then the runtime-spec version): engines show it.
    io.out(`bindery version ${pkg.version}\nspec: ${OCI_VERSION}\nnode: ${process.version}`);
    return 0;
  }
  const load = Object.prototype.hasOwnProperty.call(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!load) {
    io.err(
      `bindery: unknown command '${name}' (try: ${Object.keys(COMMANDS).join(', ')}; or bindery --help)`,
    );
    return 2;
  }
  const command = await load();
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`Usage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(rest, io);
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`bindery ${name}: ${e.message}`);
      return 2;
    }
    // Anything else is Bindery's bug: say so in one line, keep the stack for BINDERY_DEBUG.
    io.err(`bindery ${name}: internal error: ${e instanceof Error ? e.message : String(e)}`);
    if (process.env.BINDERY_DEBUG && e instanceof Error && e.stack) io.err(e.stack);
    return EX_SOFTWARE;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e) => {
      process.stderr.write(
        `bindery: internal error: ${e instanceof Error ? e.message : String(e)}\n`,
      );
      process.exitCode = EX_SOFTWARE;
    },
  );
}
