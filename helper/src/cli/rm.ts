// `bindery rm ID`: tear a container down (every mount, its network files, its state).
// Like `runc delete`, a running container needs --force, which stops it first.
import { UsageError } from './readBundle';
import type { Command } from './command';
import { parseCommandArgs } from './command';
import { SOCKET_OPTION, withHelper } from './helperCommand';

export const rmCommand: Command = {
  summary: 'remove a container: unmount everything, delete its state (--force to stop it first)',
  usage: 'bindery rm ID... [--force] [--socket PATH]',
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { force: { type: 'boolean', short: 'f' }, ...SOCKET_OPTION });
    if (positionals.length === 0) throw new UsageError('expects at least one container ID');
    return withHelper(io, 'rm', values.socket, async (c) => {
      let status = 0;
      for (const id of positionals) {
        const info = await c.inspect(id);
        if ((info.status === 'running' || info.status === 'creating') && !values.force) {
          io.err(`bindery rm: ${id} is ${info.status}; stop it first (bindery stop ${id}) or use --force`);
          status = 1;
          continue;
        }
        await c.teardown(id);
        io.out(id);
      }
      return status;
    });
  },
};
