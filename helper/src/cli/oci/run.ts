// `bindery run [--bundle B] [--detach] [--pid-file P] ID`: runc's run, i.e. create, start and
// (unless --detach) wait: the process is this command's child, so its exit status is this
// command's (128+N for signal N), and the container is deleted when it ends.
import { exitStatus } from '../run';
import { releaseInit, writePidFile } from '../../runtime/ociCreate';
import { statusOf } from '../../runtime/ociState';
import { oneId, parseRuntimeArgs } from './args';
import { CREATE_OPTIONS, createFromArgs } from './create';
import { removeContainer } from './delete';
import type { RuntimeCommand } from './runtimeCli';
import { poststart, startContainer } from './start';

const FORWARDED = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'] as const;

export const runCommand: RuntimeCommand = async (args, ctx) => {
  const { values, positionals } = parseRuntimeArgs('run', args, {
    ...CREATE_OPTIONS,
    detach: { type: 'boolean', short: 'd' },
    keep: { type: 'boolean' },
    'no-subreaper': { type: 'boolean' },
  });
  const id = oneId('run', positionals);
  const { dir, state, child } = await createFromArgs('run', values, id, ctx);
  const exited = new Promise<{ exitCode?: number; signal?: string }>((resolve) =>
    child.once('exit', (code, signal) =>
      resolve({ ...(code !== null ? { exitCode: code } : {}), ...(signal ? { signal } : {}) }),
    ),
  );
  try {
    if (values['pid-file']) writePidFile(values['pid-file'], state.pid!);
    startContainer(dir, statusOf(dir, state));
  } catch (e) {
    child.kill('SIGKILL');
    await exited;
    await removeContainer(dir, state, ctx);
    throw e;
  }
  await poststart(state, ctx);
  if (values.detach) {
    releaseInit(child);
    return 0;
  }
  // Signals sent to `run` are the container's, as with runc.
  const forward = (s: NodeJS.Signals) => child.kill(s);
  for (const s of FORWARDED) process.on(s, forward);
  const ev = await exited;
  for (const s of FORWARDED) process.off(s, forward);
  if (!values.keep) await removeContainer(dir, state, ctx);
  return exitStatus(ev);
};
