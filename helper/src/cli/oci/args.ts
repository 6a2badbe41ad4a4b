// Arguments the way runc (urfave/cli) reads them: options first, and the first positional
// ends them, so `exec ID sh -c 'echo hi'` passes `-c` to sh. Options are node:util parseArgs'.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { RuntimeError } from '../../runtime/ociState';

type Options = NonNullable<ParseArgsConfig['options']>;

/** Index of the first argument that is not an option or an option's value. */
function firstPositional(args: string[], options: Options): number {
  const takesValue = (name: string) => {
    for (const [long, o] of Object.entries(options))
      if (long === name || o.short === name) return o.type === 'string';
    return false;
  };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    if (a === '--') return i;
    if (!a.startsWith('-') || a === '-') return i;
    if (a.includes('=')) continue;
    const name = a.replace(/^--?/, '');
    // -abc style short groups take no values here.
    if (takesValue(name)) i++;
  }
  return args.length;
}

export function parseRuntimeArgs<T extends Options>(command: string, args: string[], options: T) {
  const cut = firstPositional(args, options);
  const rest = args.slice(cut);
  if (rest[0] === '--') rest.shift();
  try {
    const parsed = parseArgs({
      args: args.slice(0, cut),
      options,
      allowPositionals: false,
      strict: true,
    });
    return { values: parsed.values, positionals: rest };
  } catch (e) {
    const why = e instanceof Error ? e.message.split(/\.\s/)[0] : String(e);
    throw new RuntimeError(`${command}: ${why}`);
  }
}

/** The one ID a command takes, or runc's usage complaint. */
export function oneId(command: string, positionals: string[], extra = 0): string {
  if (positionals.length < 1) throw new RuntimeError(`"${command}" requires a container id`);
  if (positionals.length > 1 + extra)
    throw new RuntimeError(`${command}: unexpected argument ${positionals[1 + extra]}`);
  return positionals[0];
}
