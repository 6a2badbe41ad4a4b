// `bindery ps [--format table|json] ID [-- PS_ARGS]`: the container's processes. json: an
// array of host pids (what containerd's shim reads); table: the host's ps(1) output
// (`-ef` unless PS_ARGS are given) cut to the container's processes, as runc does.
import { spawnSync } from 'node:child_process';
import { loadState, RuntimeError } from '../../runtime/ociState';
import { containerPids } from '../../runtime/ociSignal';
import { parseRuntimeArgs } from './args';
import type { RuntimeCommand } from './runtimeCli';

export const psCommand: RuntimeCommand = (args, ctx) => {
  const { values, positionals } = parseRuntimeArgs('ps', args, {
    format: { type: 'string', short: 'f' },
  });
  const [id, ...psArgs] = positionals;
  if (!id) throw new RuntimeError('"ps" requires a container id');
  const format = values.format ?? 'table';
  if (format !== 'table' && format !== 'json')
    throw new RuntimeError(`invalid format option: ${format}`);
  const { state } = loadState(ctx.root, id);
  const pids = containerPids(state);
  if (format === 'json') {
    ctx.io.out(JSON.stringify(pids));
    return 0;
  }
  const ps = spawnSync('ps', psArgs.length ? psArgs : ['-ef'], { encoding: 'utf8' });
  if (ps.status !== 0) throw new RuntimeError(`ps: ${ps.stderr.trim() || `exit ${ps.status}`}`);
  const [header, ...lines] = ps.stdout.trimEnd().split('\n');
  const pidColumn = header.trim().split(/\s+/).indexOf('PID');
  if (pidColumn < 0) throw new RuntimeError("couldn't find PID field in ps output");
  ctx.io.out(header);
  const wanted = new Set(pids.map(String));
  for (const line of lines) if (wanted.has(line.trim().split(/\s+/)[pidColumn])) ctx.io.out(line);
  return 0;
};
