// `bindery ps`: the containers the helper runs for you (all of them, for root).
import type { Command } from './command';
import { parseCommandArgs } from './command';
import { age, SOCKET_OPTION, table, withHelper } from './helperCommand';

export const psCommand: Command = {
  summary: 'list your containers (state, pid, owner, bundle)',
  usage: 'bindery ps [--json] [--socket PATH]',
  run(args, io) {
    const { values } = parseCommandArgs(args, { json: { type: 'boolean' }, ...SOCKET_OPTION });
    return withHelper(io, 'ps', values.socket, async (c) => {
      const list = await c.list();
      if (values.json) {
        io.out(JSON.stringify(list, null, 2));
        return 0;
      }
      const rows = [['ID', 'STATUS', 'PID', 'OWNER', 'CREATED', 'BUNDLE']];
      for (const x of list) {
        const status = x.status === 'stopped' && (x.exitCode !== undefined || x.signal) ? `stopped (${x.signal ?? `exit ${x.exitCode}`})` : x.status;
        rows.push([x.id, status, x.pid ? String(x.pid) : '-', String(x.owner), age(x.createdAt), x.bundle]);
      }
      for (const line of table(rows)) io.out(line);
      return 0;
    });
  },
};
