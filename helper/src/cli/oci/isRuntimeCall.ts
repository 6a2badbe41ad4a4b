// Which command lines are runc's (engines, the conformance suite) rather than Bindery's own.
// Kept apart from runtimeCli.ts so that every \`bindery\` call can ask without loading it.

export const RUNTIME_COMMAND_NAMES = [
  'create',
  'start',
  'run',
  'state',
  'list',
  'kill',
  'delete',
  'exec',
  'ps',
  'features',
  'pause',
  'resume',
  'update',
] as const;

export type RuntimeCommandName = (typeof RUNTIME_COMMAND_NAMES)[number];

export function isRuntimeCommandName(name: string): name is RuntimeCommandName {
  return (RUNTIME_COMMAND_NAMES as readonly string[]).includes(name);
}

export const GLOBAL_OPTIONS = {
  root: { type: 'string' },
  log: { type: 'string' },
  'log-format': { type: 'string' },
  debug: { type: 'boolean' },
  'systemd-cgroup': { type: 'boolean' },
  // Accepted as runc accepts them; Bindery has no use for them.
  criu: { type: 'string' },
  rootless: { type: 'string' },
} as const;

/** runc's `run` and `ps` options that Bindery's own `run BUNDLE` and `ps` do not have. */
const RUNC_ONLY =
  /^(-b|--bundle|--pid-file|--console-socket|--preserve-fds|--no-pivot|--no-new-keyring|--no-subreaper|--keep|-f|--format)(=|$)/;

/**
 * Does this command line address the runtime interface rather than Bindery's own commands?
 * `run` and `ps` are both: runc's `run [-b BUNDLE] ID` (no BUNDLE path as its argument) and
 * `ps ID` (an argument) versus Bindery's `run BUNDLE` and `ps`.
 */
export function isRuntimeCall(argv: string[], pathExists: (p: string) => boolean): boolean {
  const [first = '', ...rest] = argv;
  const name = first.replace(/^--?/, '').split('=')[0];
  if (first.startsWith('-') && Object.prototype.hasOwnProperty.call(GLOBAL_OPTIONS, name))
    return true;
  if (first !== 'ps' && first !== 'run') return isRuntimeCommandName(first);
  if (rest.some((a) => RUNC_ONLY.test(a))) return true;
  // The first argument that is not an option nor the value of Bindery's --id / --socket.
  const positional = rest.find(
    (a, i) => !a.startsWith('-') && !/^--(id|socket)$/.test(rest[i - 1] ?? ''),
  );
  if (first === 'ps') return positional !== undefined;
  return positional !== undefined && !pathExists(positional);
}
