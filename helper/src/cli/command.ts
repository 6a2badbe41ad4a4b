// The shape of a `bindery` subcommand; cli.ts maps names to these.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError } from './readBundle';

export interface CliIO {
  out(line: string): void;
  err(line: string): void;
}

export interface Command {
  /** One line for `bindery --help`. */
  summary: string;
  /** `bindery NAME …` synopsis and options, for `bindery NAME --help`. */
  usage: string;
  /** Returns the exit code. Throw UsageError for arguments that cannot be used (exit 2). */
  run(args: string[], io: CliIO): number | Promise<number>;
}

/** node:util parseArgs, with its errors turned into a one-line usage error. */
export function parseCommandArgs<T extends NonNullable<ParseArgsConfig['options']>>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (e) {
    throw new UsageError(e instanceof Error ? e.message.split(/\.\s/)[0] : String(e));
  }
}
