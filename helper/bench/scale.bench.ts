// 100 containers launched concurrently by 10 clients, each client running its 10 one after
// another (launch → /bin/true exits → torn down), against 10 concurrent `runc run` and
// `crun run` workers doing the same on the same bundle. Prints containers/s per tool, the
// ratios, and what is left behind after binderyd's round (containers it lists, state
// directories, mounts, cgroups, processes): all must be zero.
// Not a test: prints figures. Needs root, a built helper (dist/) and the example rootfs.
//
//   node --import tsx helper/bench/scale.bench.ts     (BENCH_ROUNDS=N rounds per tool, default 3)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient } from '../src/client';
import { TMPFS_MAGIC } from '../src/runtime/syscalls';
import { copyExampleRootfs, HELPER, have, inPrivateMountNamespace, loadAverage, makeBundle, median, runtimeRootArgs } from './benchBundle';
import { daemonChildren, startDaemon, type BenchDaemon } from './benchDaemon';

const CLIENTS = 10;
const PER_CLIENT = Number(process.env.BENCH_PER_CLIENT ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const INNER = 'BINDERY_BENCH_INNER';
type Tool = 'bindery' | 'runc' | 'crun';

function run(tool: 'runc' | 'crun', bundle: string, id: string): Promise<void> {
  const child = spawn(tool, [...runtimeRootArgs(tool), 'run', '-b', bundle, id], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${tool} run ${id}: exit ${code}: ${err.trim()}`)))),
  );
}

/**
 * CPU time, ms, a process used and that of its children it has waited for (utime, stime,
 * cutime, cstime): for binderyd the inits and containers it reaped, for this process the
 * `runc run`s with what they reaped.
 */
function cpuMs(pid: number | 'self'): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // Fields 14–17 of proc(5); f starts at field 3.
  const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(f[i]), 0);
  return (ticks * 1000) / CLOCK_TICKS;
}
const CLOCK_TICKS = 100;

async function binderyRound(daemon: BenchDaemon, bundle: string, round: number): Promise<number> {
  const clients = await Promise.all(Array.from({ length: CLIENTS }, () => HelperClient.connect({ socketPath: daemon.socket })));
  try {
    const t0 = process.hrtime.bigint();
    await Promise.all(
      clients.map(async (c, k) => {
        for (let i = 0; i < PER_CLIENT; i++) {
          const id = `sc-${process.pid}-${round}-${k}-${i}`;
          const exited = new Promise<number | undefined>((resolve) => {
            const s = c.onExited((e) => e.id === id && (s.dispose(), resolve(e.exitCode)));
          });
          await c.launch({ bundle, id });
          const code = await exited;
          await c.teardown(id);
          if (code !== 0) throw new Error(`${id} exited with ${code}`);
        }
      }),
    );
    return Number(process.hrtime.bigint() - t0) / 1e9;
  } finally {
    for (const c of clients) c.close();
  }
}

async function engineRound(tool: 'runc' | 'crun', bundle: string, round: number): Promise<number> {
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: CLIENTS }, async (_, k) => {
      for (let i = 0; i < PER_CLIENT; i++) await run(tool, bundle, `sc-${tool}-${process.pid}-${round}-${k}-${i}`);
    }),
  );
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

/** What a round could leave behind, counted. */
interface Leftovers {
  mounts: number;
  states: number;
  cgroups: number;
  children: number;
  cgroupPaths: string[];
}

function leftovers(daemonPid: number, stateDir: string): Leftovers {
  const mounts = fs.readFileSync('/proc/self/mountinfo', 'utf8').split('\n').length;
  const states = fs.existsSync(stateDir) ? fs.readdirSync(stateDir).filter((e) => e.startsWith('sc-')).length : 0;
  let cgroups = 0;
  const cgroupPaths: string[] = [];
  const walk = (d: string, depth: number) => {
    // Only cgroup file systems: not the throwaway tmpfs standing in for the hybrid layout's cgroup2 mount.
    if (depth > 6 || (depth > 0 && fs.statfsSync(d).type === TMPFS_MAGIC)) return;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(d, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries)
      if (e.isDirectory()) {
        if (e.name.startsWith(`sc-${process.pid}-`)) {
          cgroups++;
          cgroupPaths.push(path.join(d, e.name));
        }
        else walk(path.join(d, e.name), depth + 1);
      }
  };
  walk('/sys/fs/cgroup', 0);
  const children = daemonChildren(daemonPid).filter((c) => !c.warmInit).length;
  return { mounts, states, cgroups, children, cgroupPaths };
}

async function inner(): Promise<void> {
  const only = process.env.BENCH_TOOLS?.split(',');
  const tools: Tool[] = (['bindery', 'runc', 'crun'] as const).filter((t) => (t === 'bindery' || have(t)) && (!only || only.includes(t)));
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-scale-'));
  fs.chmodSync(dir, 0o755);
  copyExampleRootfs(dir);
  const bundle = makeBundle(dir, 3);
  const daemon = await startDaemon(dir);
  const secs: Record<Tool, number[]> = { bindery: [], runc: [], crun: [] };
  const cpu: Record<Tool, number[]> = { bindery: [], runc: [], crun: [] };
  let leaked: Record<string, number> = {};
  let cgroupPaths: string[] = [];
  try {
    // A warm-up round each, not counted.
    await binderyRound(daemon, bundle, -1);
    const before = leftovers(daemon.pid, daemon.stateDir);
    for (let r = 0; r < ROUNDS; r++)
      for (const tool of tools.map((_, k) => tools[(k + r) % tools.length])) {
        const who = tool === 'bindery' ? daemon.pid : 'self';
        const cpu0 = cpuMs(who);
        secs[tool].push(tool === 'bindery' ? await binderyRound(daemon, bundle, r) : await engineRound(tool, bundle, r));
        cpu[tool].push((cpuMs(who) - cpu0) / (CLIENTS * PER_CLIENT));
        process.stderr.write(`  round ${r + 1}: ${tool} done\n`);
      }
    const client = await HelperClient.connect({ socketPath: daemon.socket });
    const listed = (await client.list()).filter((c) => c.id.startsWith('sc-')).length;
    client.close();
    const after = leftovers(daemon.pid, daemon.stateDir);
    cgroupPaths = after.cgroupPaths;
    leaked = {
      'containers listed': listed,
      'state directories': after.states,
      'mounts (host namespace, after − before)': after.mounts - before.mounts,
      cgroups: after.cgroups,
      'processes (besides warm inits)': after.children,
    };
  } finally {
    await daemon.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const n = CLIENTS * PER_CLIENT;
  const rate = (t: Tool) => (secs[t].length ? n / median(secs[t]) : NaN);
  const f = (x: number) => (Number.isFinite(x) ? x.toFixed(1) : 'n/a');
  console.log(`\n${n} containers (/bin/true, 3 binds) by ${CLIENTS} concurrent clients, ${PER_CLIENT} each, median of ${ROUNDS} rounds; load ${loadAverage()}:`);
  console.log('| tool | containers/s | bindery / tool | CPU ms per container (all processes) |');
  console.log('| --- | --- | --- | --- |');
  for (const t of tools)
    console.log(
      `| ${t === 'bindery' ? 'bindery (10 socket clients)' : `${t} run (10 workers)`} | ${f(rate(t))} | ${t === 'bindery' ? '' : `${(rate('bindery') / rate(t)).toFixed(2)}×`} | ${f(median(cpu[t]))} |`,
    );
  console.log(`\nleft behind by binderyd: ${Object.entries(leaked).map(([k, v]) => `${k} ${v}`).join(', ')}`);
  if (cgroupPaths.length) console.log(`cgroups left, e.g.: ${cgroupPaths.slice(0, 4).join(', ')}`);
  if (Object.values(leaked).some((v) => v !== 0)) process.exitCode = 1;
}

if (process.getuid?.() !== 0) console.log('scale bench: needs root (it runs containers); skipped');
else if (!fs.existsSync(path.join(HELPER, 'dist', 'binderyd.js'))) console.log('scale bench: run npm run build -w helper first');
else if (process.env[INNER] || !have('crun'))
  inner().catch((e) => {
    console.error(`scale bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
else process.exitCode = inPrivateMountNamespace(__filename, INNER);
