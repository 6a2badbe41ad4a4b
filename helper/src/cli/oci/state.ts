// `bindery state ID` and `bindery list`: runc's JSON state and its table.
import { listIds, loadState, ociStateJson } from '../../runtime/ociState';
import { oneId, parseRuntimeArgs } from './args';
import type { RuntimeCommand } from './runtimeCli';

export const stateCommand: RuntimeCommand = (args, ctx) => {
  const { positionals } = parseRuntimeArgs('state', args, {});
  const { dir, state } = loadState(ctx.root, oneId('state', positionals));
  ctx.io.out(JSON.stringify(ociStateJson(dir, state), null, 2));
  return 0;
};

export const listCommand: RuntimeCommand = (args, ctx) => {
  const { values } = parseRuntimeArgs('list', args, {
    format: { type: 'string', short: 'f' },
    quiet: { type: 'boolean', short: 'q' },
  });
  const states = listIds(ctx.root).flatMap((id) => {
    try {
      const { dir, state } = loadState(ctx.root, id);
      return [ociStateJson(dir, state)];
    } catch {
      return []; // removed meanwhile
    }
  });
  if (values.quiet) {
    for (const s of states) ctx.io.out(s.id);
    return 0;
  }
  if (values.format === 'json') {
    ctx.io.out(JSON.stringify(states));
    return 0;
  }
  const rows = [['ID', 'PID', 'STATUS', 'BUNDLE', 'CREATED', 'OWNER']];
  for (const s of states) rows.push([s.id, String(s.pid), s.status, s.bundle, s.created, 'root']);
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  for (const r of rows)
    ctx.io.out(
      r
        .map((c, i) => c.padEnd(widths[i]))
        .join('   ')
        .trimEnd(),
    );
  return 0;
};
