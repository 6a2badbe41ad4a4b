// `pause` and `resume` through the container's freezer cgroup (ociCgroups.ts), as runc does
// them. `update` is refused: changing linux.resources of a running container is not
// implemented yet, and a half-applied update would be worse than none.
import { setFrozen } from '../../runtime/ociCgroups';
import { loadState, RuntimeError, statusOf } from '../../runtime/ociState';
import { oneId, parseRuntimeArgs } from './args';
import type { RuntimeCommand } from './runtimeCli';

function freeze(command: 'pause' | 'resume', frozen: boolean): RuntimeCommand {
  return async (args, ctx) => {
    const { positionals } = parseRuntimeArgs(command, args, {});
    const { dir, state } = loadState(ctx.root, oneId(command, positionals));
    const status = statusOf(dir, state);
    if (status === 'stopped' || status === 'creating')
      throw new RuntimeError('container not running');
    if (frozen && status === 'paused') throw new RuntimeError('container already paused');
    if (!frozen && status !== 'paused') throw new RuntimeError('container not paused');
    await setFrozen(state.plan, frozen);
    return 0;
  };
}

export const pauseCommand = freeze('pause', true);
export const resumeCommand = freeze('resume', false);

export const updateCommand: RuntimeCommand = (args, ctx) => {
  const { positionals } = parseRuntimeArgs('update', args, {
    resources: { type: 'string', short: 'r' },
    'blkio-weight': { type: 'string' },
    'cpu-period': { type: 'string' },
    'cpu-quota': { type: 'string' },
    'cpu-share': { type: 'string' },
    'cpu-rt-period': { type: 'string' },
    'cpu-rt-runtime': { type: 'string' },
    'cpuset-cpus': { type: 'string' },
    'cpuset-mems': { type: 'string' },
    memory: { type: 'string' },
    'memory-reservation': { type: 'string' },
    'memory-swap': { type: 'string' },
    'pids-limit': { type: 'string' },
    'l3-cache-schema': { type: 'string' },
    'mem-bw-schema': { type: 'string' },
  });
  const { dir, state } = loadState(ctx.root, oneId('update', positionals));
  if (statusOf(dir, state) === 'stopped') throw new RuntimeError('container not running');
  throw new RuntimeError(
    "bindery cannot change a running container's resources yet (update); they stay as linux.resources set them at create",
  );
};
