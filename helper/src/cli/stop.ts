// `bindery stop ID`: SIGTERM, a grace period, then SIGKILL; the container stays for logs and inspect.
import { UsageError } from './readBundle';
import type { Command } from './command';
import { parseCommandArgs } from './command';
import { SOCKET_OPTION, withHelper } from './helperCommand';

export const stopCommand: Command = {
  summary: 'stop a container (SIGTERM, then SIGKILL after --timeout seconds)',
  usage: 'bindery stop ID [--timeout SECONDS] [--socket PATH]',
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { timeout: { type: 'string' }, ...SOCKET_OPTION });
    if (positionals.length !== 1) throw new UsageError('expects one container ID');
    let timeoutMs: number | undefined;
    if (values.timeout !== undefined) {
      const s = Number(values.timeout);
      if (!Number.isFinite(s) || s < 0 || s > 600) throw new UsageError(`--timeout must be a number of seconds from 0 to 600, not ${values.timeout}`);
      timeoutMs = Math.round(s * 1000);
    }
    return withHelper(io, 'stop', values.socket, async (c) => {
      const info = await c.stop({ id: positionals[0], ...(timeoutMs !== undefined ? { timeoutMs } : {}) });
      io.out(`${info.id}: ${info.status}${info.signal ? ` (${info.signal})` : info.exitCode !== undefined ? ` (exit ${info.exitCode})` : ''}`);
      return 0;
    });
  },
};
