// A binderyd of the benchmarks' own: built dist/, its socket and state in a scratch folder.
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { HelperClient } from '../src/client';
import { HELPER } from './benchBundle';

export interface BenchDaemon {
  socket: string;
  pid: number;
  stateDir: string;
  stop(): Promise<void>;
}

/** Start binderyd and wait for its socket and for its warm inits (they use the CPU meanwhile). */
export async function startDaemon(dir: string, settleMs = 5000): Promise<BenchDaemon> {
  const socket = path.join(dir, 'bindery.sock');
  const stateDir = path.join(dir, 'state');
  const p = spawn(process.execPath, [path.join(HELPER, 'dist', 'binderyd.js'), '--socket', socket, '--state-dir', stateDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  p.stderr!.on('data', (c) => (err += c));
  for (let i = 0; i < 200; i++) {
    try {
      (await HelperClient.connect({ socketPath: socket })).close();
      await new Promise((r) => setTimeout(r, settleMs));
      return {
        socket,
        pid: p.pid!,
        stateDir,
        stop: () =>
          new Promise((resolve) => {
            if (p.exitCode !== null) return resolve();
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
          }),
      };
    } catch {
      if (p.exitCode !== null) throw new Error(`binderyd exited: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  p.kill('SIGTERM');
  throw new Error(`binderyd did not come up: ${err}`);
}
