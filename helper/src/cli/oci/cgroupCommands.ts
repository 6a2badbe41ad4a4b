// `pause`, `resume` and `update`: runc does them through the container's cgroup (the freezer,
// the resource controllers). Bindery does not place containers in cgroups yet, so each one
// says so and fails, rather than pretend (a paused container that still runs would be worse).
import { loadState, RuntimeError, statusOf } from '../../runtime/ociState';
import { oneId, parseRuntimeArgs } from './args';
import type { RuntimeCommand, RuntimeContext } from './runtimeCli';

function refuse(
  command: string,
  what: string,
  args: string[],
  ctx: RuntimeContext,
  options = {},
): never {
  const { positionals } = parseRuntimeArgs(command, args, options);
  const { dir, state } = loadState(ctx.root, oneId(command, positionals));
  const status = statusOf(dir, state);
  if (status === 'stopped') throw new RuntimeError('container not running');
  throw new RuntimeError(
    `bindery cannot ${what}: it does not place containers in cgroups yet (runc uses the cgroup ${command === 'update' ? 'controllers' : 'freezer'})`,
  );
}

export const pauseCommand: RuntimeCommand = (args, ctx) =>
  refuse('pause', 'pause a container', args, ctx);
export const resumeCommand: RuntimeCommand = (args, ctx) =>
  refuse('resume', 'resume a container', args, ctx);
export const updateCommand: RuntimeCommand = (args, ctx) =>
  refuse('update', "change a container's resources", args, ctx, {
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
