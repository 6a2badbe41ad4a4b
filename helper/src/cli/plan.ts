// `bindery plan PATH [--json]`: what the helper will do, in order, as the calls it makes.
import {
  launchRefusals,
  type Operation,
  operationTarget,
  type Origin,
  renderOperation,
  renderOrigin,
} from '@bindery/plan';
import { parseCommandArgs, type CliIO, type Command } from './command';
import { readBundle, UsageError } from './readBundle';
import { formatFinding, planFile, summarize } from './validate';

function sameOrigin(a: Origin, b: Origin | undefined): boolean {
  if (!b || a.kind !== b.kind) return false;
  if (a.kind === 'added' && b.kind === 'added') return a.reason === b.reason;
  return a.kind === 'spec' && b.kind === 'spec' && a.path.join('\0') === b.path.join('\0');
}

/** One line per operation; an added step's reason is printed once above its group. */
export function formatPlan(
  operations: readonly Operation[],
  mountDestinations: ReadonlyMap<number, string>,
): string[] {
  const lines: string[] = [];
  let previous: Origin | undefined;
  for (const op of operations) {
    const o = op.origin;
    let label: string;
    if (o.kind === 'added') {
      if (!sameOrigin(o, previous)) lines.push(`# added: ${o.reason}`);
      const target = op.op === 'write-network-file' ? `/etc/${op.file}` : operationTarget(op);
      label = target ? `added ${target}` : 'added';
    } else {
      label = renderOrigin(
        o,
        o.mountIndex !== undefined ? mountDestinations.get(o.mountIndex) : undefined,
      );
    }
    lines.push(`${renderOperation(op)}  # ${label}`);
    previous = o;
  }
  return lines;
}

export const planCommand: Command = {
  summary: 'print the ordered operations (mount(2), mount_setattr(2), …) a launch performs',
  usage: `bindery plan PATH [--json] [--state-dir DIR]

PATH is a bundle directory or its config.json. Prints every operation the helper performs,
in order, each with the spec entry it comes from. Exit status: 1 when the spec has an
error (the helper would refuse it), 0 otherwise, 2 when PATH cannot be used.

  --json            print the operations as a JSON array
  --state-dir DIR   where the network files would be written (default: a placeholder)`,
  run(args: string[], io: CliIO): number {
    const { values, positionals } = parseCommandArgs(args, {
      json: { type: 'boolean' },
      'state-dir': { type: 'string' },
    });
    if (positionals.length !== 1)
      throw new UsageError('plan takes exactly one PATH (a bundle directory or config.json)');
    const bundle = readBundle(positionals[0]);
    const plan = planFile(bundle, values['state-dir']);
    const errors = launchRefusals(plan);
    // The refusal comes first: it is the answer; the plan after it is only what would happen.
    if (errors.length > 0) {
      io.err(`${bundle.displayPath}: ${summarize(errors)}: the helper refuses to launch this spec`);
      for (const f of errors) io.err(formatFinding(bundle.displayPath, f));
    }
    if (values.json) {
      io.out(JSON.stringify(plan.operations, null, 2));
    } else {
      if (errors.length > 0)
        io.out(
          `# refused: the helper will not launch this spec (${summarize(errors)}, listed above); the plan it would follow once they are fixed:`,
        );
      const destinations = new Map<number, string>();
      for (const m of plan.mounts) if (m.index !== null) destinations.set(m.index, m.destination);
      for (const line of formatPlan(plan.operations, destinations)) io.out(line);
    }
    return errors.length > 0 ? 1 : 0;
  },
};
