// The init's process set-up calls that scale with its threads or with the signal count, old
// way and new way interleaved in the same fresh processes: glibc's set-id wrappers (each
// signals every other thread and waits for it: the set-id broadcast) against the raw
// per-thread syscalls the init now makes; and resetting all 60 changeable signal
// dispositions against reading /proc/self/status once (what resetting only the few that are
// not SIG_DFL would need first).
// Each sample is a fresh Node process that has loaded koffi and run warmUp, as a warm init
// has; it sets its ids to what they are (root to root: the same kernel work, nothing changes).
// CPU is the whole process's (process.cpuUsage: the other threads' signal handling counts).
// Not a test: prints figures. Needs root.
//
//   node --import tsx bench/processSetup.bench.ts        (BENCH_RUNS=N samples, default 20)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import koffi from 'koffi';
import { loadAverage, median } from './benchBundle';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SAMPLE = '--sample';
/** Repetitions of each way per sample, alternating, so both share each time window. */
const REPS = 10;

interface Sample {
  threads: number;
  /** Per repetition: wall and process CPU, ms. */
  [way: string]: number | { wall: number[]; cpu: number[] };
}

const now = () => Number(process.hrtime.bigint()) / 1e6;
const cpuMs = () => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

async function sample(): Promise<void> {
  const { koffiSyscalls } = await import('../src/runtime/koffiSyscalls');
  const { warmUp } = await import('../src/runtime/warmUp');
  const sys = koffiSyscalls();
  warmUp(sys);
  const libc = koffi.load('libc.so.6');
  const glibc = {
    setgroups: libc.func('int setgroups(size_t size, const uint32_t *list)'),
    setresgid: libc.func('int setresgid(uint32_t r, uint32_t e, uint32_t s)'),
    setresuid: libc.func('int setresuid(uint32_t r, uint32_t e, uint32_t s)'),
  };
  const check = (what: string, rc: unknown) => {
    if (rc !== 0) throw new Error(`${what} failed`);
  };
  const ways: Record<string, () => void> = {
    'set-id, glibc (broadcast)': () => {
      check('setgroups', glibc.setgroups(0, null));
      check('setresgid', glibc.setresgid(0, 0, 0));
      check('setresuid', glibc.setresuid(0, 0, 0));
    },
    'set-id, raw (this thread)': () => {
      for (const r of [sys.setgroups([]), sys.setresgid(0), sys.setresuid(0)]) if (!r.ok) throw new Error(r.call);
    },
    // Why the init still resets all 60: finding the few Node changed costs more than that.
    'signals, all 60 (as the init)': () => {
      const r = sys.resetSignals();
      if (!r.ok) throw new Error(r.call);
    },
    'read /proc/self/status once': () => {
      if (!/^SigIgn:/m.test(fs.readFileSync('/proc/self/status', 'latin1'))) throw new Error('no SigIgn');
    },
  };
  const out: Sample = { threads: fs.readdirSync('/proc/self/task').length };
  const names = Object.keys(ways);
  for (let i = 0; i < REPS; i++)
    for (const name of i % 2 ? [...names].reverse() : names) {
      const c = cpuMs();
      const t = now();
      ways[name]();
      const wall = now() - t;
      const cpu = cpuMs() - c;
      const row = (out[name] ??= { wall: [], cpu: [] }) as { wall: number[]; cpu: number[] };
      row.wall.push(wall);
      row.cpu.push(cpu);
    }
  process.stdout.write(JSON.stringify(out));
}

function main(): void {
  if (process.getuid?.() !== 0) throw new Error('needs root (the set-id calls)');
  const load0 = loadAverage();
  const wall: Record<string, number[]> = {};
  const cpu: Record<string, number[]> = {};
  const threads: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    const r = spawnSync(process.execPath, [...process.execArgv, __filename, SAMPLE], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`sample failed: ${r.stderr}`);
    const s = JSON.parse(r.stdout) as Sample;
    threads.push(s.threads);
    for (const [name, v] of Object.entries(s)) {
      if (typeof v === 'number') continue;
      (wall[name] ??= []).push(...v.wall);
      (cpu[name] ??= []).push(...v.cpu);
    }
  }
  console.log(`process set-up calls, ${RUNS} fresh processes × ${REPS} each (threads per process: ${median(threads)}), load ${load0} → ${loadAverage()}`);
  console.log('| calls | wall, median µs | CPU, median µs |');
  console.log('| --- | --- | --- |');
  for (const name of Object.keys(wall))
    console.log(`| ${name} | ${(median(wall[name]) * 1000).toFixed(0)} | ${(median(cpu[name]) * 1000).toFixed(0)} |`);
}

if (process.argv.includes(SAMPLE)) void sample();
else main();
