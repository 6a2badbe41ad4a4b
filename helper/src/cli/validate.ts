// `bindery validate PATH [--json]`: the spec's findings, as a compiler prints them.
import { type Finding, type Plan, planBundle, processRequester, realHostView } from '@bindery/plan';
import { parseCommandArgs, type CliIO, type Command } from './command';
import { readBundle, UsageError, type BundleFile } from './readBundle';

/** The plan of a bundle named on the command line, against the real host. */
export function planFile(bundle: BundleFile, stateDir?: string): Plan {
  return planBundle({
    text: bundle.text,
    bundleDir: bundle.bundleDir,
    host: realHostView(),
    fileName: 'config.json',
    stateDir,
    requester: processRequester(),
  });
}

/** The `--json` shape: what the issue promises, and nothing that could change with internals. */
export function findingToJson(f: Finding) {
  return { code: f.code, severity: f.severity, message: f.message, range: f.range };
}

/** `config.json:LINE:COL: error CODE: message`, 1-based like a compiler. */
export function formatFinding(file: string, f: Finding): string {
  return `${file}:${f.range.start.line + 1}:${f.range.start.character + 1}: ${f.severity} ${f.code}: ${f.message}`;
}

export function summarize(findings: readonly Finding[]): string {
  const count = (s: Finding['severity']) => findings.filter((f) => f.severity === s).length;
  const parts: string[] = [];
  const add = (n: number, word: string) => n > 0 && parts.push(`${n} ${word}${n === 1 ? '' : 's'}`);
  add(count('error'), 'error');
  add(count('warning'), 'warning');
  add(count('information') + count('hint'), 'note');
  const blocking = findings.filter((f) => f.blocksLaunch).length;
  if (blocking > 0 && count('error') === 0)
    parts.push(
      `valid, but Bindery cannot launch it yet (${blocking} warning${blocking === 1 ? '' : 's'} above)`,
    );
  return parts.join(', ');
}

export const validateCommand: Command = {
  summary: 'check a bundle’s config.json: every problem, where it is',
  usage: `bindery validate PATH [--json]

PATH is a bundle directory or its config.json. Prints each finding as
FILE:LINE:COL: SEVERITY CODE: MESSAGE. Exit status: 1 when there is an error, 0 otherwise,
2 when PATH cannot be used.

  --json   print the findings as a JSON array (0-based LSP ranges)`,
  run(args: string[], io: CliIO): number {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' } });
    if (positionals.length !== 1)
      throw new UsageError('validate takes exactly one PATH (a bundle directory or config.json)');
    const bundle = readBundle(positionals[0]);
    const plan = planFile(bundle);
    if (values.json) {
      io.out(JSON.stringify(plan.findings.map(findingToJson), null, 2));
    } else {
      for (const f of plan.findings) io.out(formatFinding(bundle.displayPath, f));
      if (plan.findings.length > 0) io.err(`${bundle.displayPath}: ${summarize(plan.findings)}`);
    }
    return plan.findings.some((f) => f.severity === 'error') ? 1 : 0;
  },
};
