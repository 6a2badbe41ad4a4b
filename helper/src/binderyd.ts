// binderyd: the root helper's own executable; the same code as `bindery daemon`.
// (runDaemon sizes libuv's thread pool before anything uses it; see cli/daemon.ts.)
import type { CliIO } from './cli/command';
import { runDaemon } from './cli/daemon';
import { UsageError } from './cli/readBundle';

const io: CliIO = {
  out: (line) => process.stdout.write(line + '\n'),
  err: (line) => process.stderr.write(line + '\n'),
};

runDaemon(process.argv.slice(2), io).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(`binderyd: ${e instanceof UsageError ? e.message : `internal error: ${e instanceof Error ? e.message : String(e)}`}\n`);
    process.exit(e instanceof UsageError ? 2 : 70);
  },
);
