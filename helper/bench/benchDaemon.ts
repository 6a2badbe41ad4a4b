// A binderyd of the benchmarks' own: built dist/, its socket and state in a scratch folder.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HelperClient } from '../src/client';
import { HELPER } from './benchBundle';

export interface BenchDaemon {
  socket: string;
  pid: number;
  stateDir: string;
  stop(): Promise<void>;
}

/** The node flags binderyd's executable asks for on its shebang line (see esbuild.mjs). */
export function daemonNodeFlags(): string[] {
  const first = fs.readFileSync(path.join(HELPER, 'dist', 'binderyd.js'), 'utf8').split('\n', 1)[0];
  const m = /^#!\/usr\/bin\/env -S node (.*)$/.exec(first);
  return m ? m[1].split(' ').filter(Boolean) : [];
}

/** Start binderyd and wait for its socket and for its warm inits (they use the CPU meanwhile). */
export async function startDaemon(
  dir: string,
  settleMs = 5000,
  extraNodeArgs: string[] = [],
  /** Another build's dist/ (its binderyd runs its own init.js), to compare two builds. */
  distDir = path.join(HELPER, 'dist'),
): Promise<BenchDaemon> {
  const socket = path.join(dir, 'bindery.sock');
  const stateDir = path.join(dir, 'state');
  // BENCH_DAEMON_NODE_ARGS (e.g. "--cpu-prof --cpu-prof-dir=DIR") profiles the daemon in a bench run.
  const nodeArgs = [
    ...daemonNodeFlags(),
    ...(process.env.BENCH_DAEMON_NODE_ARGS?.split(' ').filter(Boolean) ?? []),
    ...extraNodeArgs,
  ];
  const p = spawn(process.execPath, [...nodeArgs, path.join(distDir, 'binderyd.js'), '--socket', socket, '--state-dir', stateDir], {
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

/** binderyd's child processes, each marked whether it is one of its idle warm inits (dist/init.js before its execve). */
export function daemonChildren(daemonPid: number): { pid: number; warmInit: boolean }[] {
  const out: { pid: number; warmInit: boolean }[] = [];
  for (const e of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid !== daemonPid) continue;
      out.push({ pid: Number(e), warmInit: fs.readFileSync(`/proc/${e}/cmdline`, 'utf8').includes('init.js') });
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** The scheduler state of a process ('R' running, 'S' sleeping, …), or undefined when it is gone. */
function processState(pid: number): string | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return undefined;
  }
}

/**
 * Wait until binderyd's warm inits have loaded (each asleep on its request; a refill still
 * loading runs for ~100 ms of CPU), at most `maxMs`. Benchmarks call it before every run of
 * every tool, so that the pool's refill after a Bindery launch falls on none of the runs that
 * follow it: not on runc's or crun's (which it slowed by up to 2.6× on this 2-core machine) and
 * not on Bindery's next launch. The refill's CPU still shows in the scale bench.
 */
export async function untilInitsLoaded(daemonPid: number, maxMs = 2000): Promise<void> {
  const deadline = Date.now() + maxMs;
  let quietPolls = 0;
  while (Date.now() < deadline && quietPolls < 2) {
    const busy = daemonChildren(daemonPid).some((c) => c.warmInit && processState(c.pid) === 'R');
    quietPolls = busy ? 0 : quietPolls + 1;
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** One lifecycle through binderyd as a client sees it, ms: `launch` request → its answer →
 * the `exited` notification → `teardown` answered. Throws when the process did not exit 0. */
export async function binderyLifecycle(
  c: HelperClient,
  bundle: string,
  id: string,
  /** Called once the process exited, before the teardown (its cgroup is still there). */
  afterExit?: () => void,
): Promise<{ launch: number; exit: number; teardown: number; total: number }> {
  const t0 = process.hrtime.bigint();
  const since = (t: bigint) => Number(process.hrtime.bigint() - t) / 1e6;
  let sub: { dispose(): void } | undefined;
  const exited = new Promise<number | undefined>((resolve) => {
    sub = c.onExited((e) => e.id === id && resolve(e.exitCode));
  });
  await c.launch({ bundle, id });
  const launch = since(t0);
  const code = await exited;
  const exit = since(t0) - launch;
  sub?.dispose();
  afterExit?.();
  const t1 = process.hrtime.bigint();
  await c.teardown(id);
  const teardown = since(t1);
  if (code !== 0) throw new Error(`bindery: ${id} exited with ${code}`);
  return { launch, exit, teardown, total: since(t0) };
}

/** The init's CPU in its cgroup, ns (cpuacct is v1's; absent on a cgroup2-only host). */
export function initCpu(id: string): { user: number; sys: number; total: number } | undefined {
  const own = /^\d+:(?:[^:]*,)?cpuacct(?:,[^:]*)?:(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'));
  if (!own) return undefined;
  const dir = ['/sys/fs/cgroup/cpuacct', '/sys/fs/cgroup/cpu,cpuacct']
    .map((m) => path.join(m, own[1], id))
    .find((d) => fs.existsSync(d));
  if (!dir) return undefined;
  const read = (f: string) => Number(fs.readFileSync(path.join(dir, f), 'utf8').trim());
  // usage_user and usage_sys count in scheduler ticks (4 ms at HZ=250); usage is exact.
  return { user: read('cpuacct.usage_user'), sys: read('cpuacct.usage_sys'), total: read('cpuacct.usage') };
}
