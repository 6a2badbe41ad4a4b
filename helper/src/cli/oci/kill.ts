// `bindery kill [--all] ID [SIGNAL]`: runc's kill (SIGTERM by default; names or numbers).
import { koffiSyscalls } from '../../runtime/koffiSyscalls';
import { loadState, RuntimeError, statusOf } from '../../runtime/ociState';
import { parseSignal, signalAll, signalProcess } from '../../runtime/ociSignal';
import { oneId, parseRuntimeArgs } from './args';
import type { RuntimeCommand } from './runtimeCli';

export const killCommand: RuntimeCommand = (args, ctx) => {
  const { values, positionals } = parseRuntimeArgs('kill', args, {
    all: { type: 'boolean', short: 'a' },
  });
  const id = oneId('kill', positionals, 1);
  const signal = parseSignal(positionals[1] ?? 'SIGTERM');
  if (signal === undefined) throw new RuntimeError(`unknown signal "${positionals[1]}"`);
  const { dir, state } = loadState(ctx.root, id);
  const status = statusOf(dir, state);
  if (status === 'stopped' || status === 'creating')
    throw new RuntimeError('container not running');
  if (values.all) signalAll(state, signal, koffiSyscalls());
  else if (!signalProcess(state.pid!, state.startTime!, signal, koffiSyscalls()))
    throw new RuntimeError('container not running');
  return 0;
};
