// `bindery inspect ID`: state, pid, owner, the planned mounts and, while it runs, the
// container's actual mount table from /proc/PID/mountinfo.
import { parseMountinfo } from '@bindery/plan';
import type { InspectResult } from '../protocol';
import { UsageError } from './readBundle';
import type { CliIO, Command } from './command';
import { parseCommandArgs } from './command';
import { SOCKET_OPTION, table, withHelper } from './helperCommand';

function print(info: InspectResult, io: CliIO): void {
  io.out(`ID:       ${info.id}`);
  io.out(`Status:   ${info.status}${info.signal ? ` (${info.signal})` : info.exitCode !== undefined ? ` (exit ${info.exitCode})` : ''}`);
  io.out(`PID:      ${info.pid ?? '-'}`);
  io.out(`Owner:    uid ${info.owner}`);
  io.out(`Bundle:   ${info.bundle}`);
  io.out(`Created:  ${info.createdAt}`);
  io.out(`Command:  ${info.args.map((a) => (/[\s"'\\]/.test(a) ? JSON.stringify(a) : a)).join(' ')}`);
  for (const f of info.networkFiles) io.out(`${(f.name + ':').padEnd(12)} ${f.path}`);
  io.out('');
  io.out('Planned mounts:');
  if (info.mounts.length === 0) io.out('  (none reported)');
  else
    for (const line of table([
      ['#', 'DESTINATION', 'TYPE', 'SOURCE', 'OPTIONS', 'STATE'],
      ...info.mounts.map((m) => [m.index === null ? 'added' : String(m.index), m.destination, m.type, m.source, m.options, m.errno ? `${m.state} ${m.errno}` : m.state]),
    ]))
      io.out('  ' + line);
  io.out('');
  if (info.mountinfo === undefined) {
    io.out(`Mount table: not available (the container is ${info.status})`);
    return;
  }
  io.out(`Mount table (/proc/${info.pid}/mountinfo):`);
  for (const line of table([['MOUNT POINT', 'TYPE', 'SOURCE', 'OPTIONS'], ...parseMountinfo(info.mountinfo).map((m) => [m.mountPoint, m.fstype, m.source, m.options.join(',')])]))
    io.out('  ' + line);
}

export const inspectCommand: Command = {
  summary: "show a container: state, pid, owner, planned mounts and its actual mount table",
  usage: 'bindery inspect ID [--json] [--socket PATH]',
  run(args, io) {
    const { values, positionals } = parseCommandArgs(args, { json: { type: 'boolean' }, ...SOCKET_OPTION });
    if (positionals.length !== 1) throw new UsageError('expects one container ID');
    return withHelper(io, 'inspect', values.socket, async (c) => {
      const info = await c.inspect(positionals[0]);
      if (values.json) io.out(JSON.stringify(info, null, 2));
      else print(info, io);
      return 0;
    });
  },
};
