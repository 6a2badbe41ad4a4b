// `bindery logs ID [--follow]`: the container's output so far, and with --follow what it
// prints next, until it exits. Pushed by the helper; nothing polls.
import type { OutputEvent } from '../protocol';
import { UsageError } from './readBundle';
import type { Command } from './command';
import { parseCommandArgs } from './command';
import { SOCKET_OPTION, withHelper } from './helperCommand';

function write(e: OutputEvent): void {
  (e.stream === 'stderr' ? process.stderr : process.stdout).write(e.data);
}

/** What to tell the user when the helper left out output this client did not read fast enough. */
export function droppedNotice(command: string, e: OutputEvent): string | undefined {
  if (!e.dropped) return undefined;
  return `bindery ${command}: … ${e.dropped} bytes of ${e.stream} not shown: this terminal did not keep up (\`bindery logs ${e.id}\` has the last 1 MiB)`;
}

export const logsCommand: Command = {
  summary: "print a container's output (--follow: keep printing until it exits)",
  usage: 'bindery logs ID [--follow] [--socket PATH]',
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { follow: { type: 'boolean', short: 'f' }, ...SOCKET_OPTION });
    if (positionals.length !== 1) throw new UsageError('expects one container ID');
    const id = positionals[0];
    return withHelper(io, 'logs', values.socket, async (c) => {
      // Subscribe before asking: a connection delivers in order, so every chunk that
      // arrives after the reply is new, and every one before it is in the reply.
      let replied = false;
      let done: () => void = () => {};
      const finished = new Promise<void>((r) => (done = r));
      if (values.follow) {
        c.onOutput((e) => {
          if (e.id !== id || !replied) return;
          const notice = droppedNotice('logs', e);
          if (notice) io.err(notice);
          write(e);
        });
        c.onExited((e) => e.id === id && done());
        c.onTornDown((e) => e.id === id && done());
        c.onClose(() => done());
      }
      const { chunks } = await c.logs(id);
      replied = true;
      for (const e of chunks) write(e);
      if (!values.follow) return 0;
      const info = await c.inspect(id);
      if (info.status === 'running' || info.status === 'creating') await finished;
      return 0;
    });
  },
};
