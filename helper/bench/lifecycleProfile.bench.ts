// Where the lifecycle's per-bind time goes outside the init's rootfs steps: the daemon and
// the client profiled (V8 CPU profiles) while Bindery alone runs the lifecycle bench's
// launch → exited → teardown at 10 and at 100 binds, the two sizes alternating. Each size has
// its own daemon (so each daemon profile holds one size) and the client's profile is taken per
// run; self time per function and per part, (at 100 − at 10) / runs / 90, is what one more
// bind costs there. The init's CPU is read from the container's cpuacct cgroup (user and
// system), which holds the init from before its first mount until /bin/true exits.
// Not a test, not in `npm run bench` (profiling slows what it measures): a breakdown to read.
//
//   node --import tsx bench/lifecycleProfile.bench.ts        (BENCH_RUNS=N per size, default 30)
import * as fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient } from '../src/client';
import { copyExampleRootfs, EXAMPLE, HELPER, loadAverage, makeBundle, median } from './benchBundle';
import { initCpu, startDaemon, type BenchDaemon } from './benchDaemon';
import { partOf, PARTS, type Side } from './profileParts';

const SIZES = [10, 100] as const;
const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 5;
const INTERVAL_US = 200;

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}
interface CpuProfile {
  startTime: number;
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

/** µs of self time per function key and per part, summed over profiles. */
class SelfTime {
  readonly byFunction = new Map<string, number>();
  readonly byPart = new Map<string, number>();
  /** µs per part in each run (a window, or a whole client profile): the table takes their medians. */
  readonly runs: Map<string, number>[] = [];
  /** The samples no rule claims, by their leaf and four callers: what a new rule should name. */
  readonly unclaimed = new Map<string, number>();
  /** `windows`: only samples within these [from, to] (µs, CLOCK_MONOTONIC as the profile's timestamps). */
  add(p: CpuProfile, side: Side, windows?: [number, number][]): void {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const part = new Map<number, string>();
    const partOfNode = (id: number): string => {
      let got = part.get(id);
      if (got !== undefined) return got;
      const stack: ProfileNode['callFrame'][] = [];
      for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) stack.push(byId.get(at)!.callFrame);
      got = partOf(side, stack);
      part.set(id, got);
      return got;
    };
    let t = p.startTime;
    let w = 0;
    const first = this.runs.length;
    for (let k = 0; k < (windows?.length ?? 1); k++) this.runs.push(new Map());
    for (let i = 0; i < p.samples.length; i++) {
      t += p.timeDeltas[i];
      if (windows) {
        while (w < windows.length && windows[w][1] < t) w++;
        if (w === windows.length || t < windows[w][0]) continue;
      }
      // timeDeltas[i] is the time since the previous sample: it belongs to the one before.
      const dt = p.timeDeltas[i + 1] ?? 0;
      const f = byId.get(p.samples[i])!.callFrame;
      const key = `${f.functionName || '(anonymous)'} ${path.basename(f.url)}:${f.lineNumber + 1}`;
      this.byFunction.set(key, (this.byFunction.get(key) ?? 0) + dt);
      const k = partOfNode(p.samples[i]);
      this.byPart.set(k, (this.byPart.get(k) ?? 0) + dt);
      const run = this.runs[first + (windows ? w : 0)];
      run.set(k, (run.get(k) ?? 0) + dt);
      if (k === 'other') {
        const chain: string[] = [];
        for (let at: number | undefined = p.samples[i]; at !== undefined && chain.length < 5; at = parent.get(at))
          chain.push(byId.get(at)!.callFrame.functionName || '(anonymous)');
        const c = chain.join(' < ');
        this.unclaimed.set(c, (this.unclaimed.get(c) ?? 0) + dt);
      }
    }
  }
}

async function lifecycle(c: HelperClient, bundle: string, id: string): Promise<{ ms: number; window: [number, number]; init?: { user: number; sys: number } }> {
  const t0 = process.hrtime.bigint();
  let sub: { dispose(): void } | undefined;
  const exited = new Promise<number | undefined>((resolve) => {
    sub = c.onExited((e) => e.id === id && resolve(e.exitCode));
  });
  await c.launch({ bundle, id });
  const code = await exited;
  sub?.dispose();
  const init = initCpu(id);
  await c.teardown(id);
  if (code !== 0) throw new Error(`bindery: ${id} exited with ${code}`);
  const t1 = process.hrtime.bigint();
  return { ms: Number(t1 - t0) / 1e6, window: [Number(t0 / 1000n), Number(t1 / 1000n)], init };
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) return void console.log('lifecycle profile: needs root (it runs containers); skipped');
  if (!fs.existsSync(path.join(HELPER, 'dist', 'binderyd.js')) || !fs.existsSync(path.join(EXAMPLE, 'rootfs', 'bin', 'busybox')))
    return void console.log('lifecycle profile: build first (npm run build)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-lcprof-'));
  fs.chmodSync(dir, 0o755);
  copyExampleRootfs(dir);
  const daemons = new Map<number, BenchDaemon>();
  const clients = new Map<number, HelperClient>();
  const session = new Session();
  session.connect();
  await session.post('Profiler.enable');
  await session.post('Profiler.setSamplingInterval', { interval: INTERVAL_US });
  const client = new Map(SIZES.map((n) => [n, new SelfTime()]));
  const wall = new Map<number, number[]>(SIZES.map((n) => [n, []]));
  const init = new Map<number, { user: number; sys: number }[]>(SIZES.map((n) => [n, []]));
  const windows = new Map<number, [number, number][]>(SIZES.map((n) => [n, []]));
  const profDir = (n: number) => path.join(dir, `prof-${n}`);
  try {
    const bundles = new Map(SIZES.map((n) => [n, makeBundle(dir, n)]));
    for (const n of SIZES) {
      const d = path.join(dir, `daemon-${n}`);
      fs.mkdirSync(d);
      const daemon = await startDaemon(d, 3000, ['--cpu-prof', `--cpu-prof-dir=${profDir(n)}`, `--cpu-prof-interval=${INTERVAL_US}`]);
      daemons.set(n, daemon);
      clients.set(n, await HelperClient.connect({ socketPath: daemon.socket }));
    }
    let seq = 0;
    for (let i = 0; i < WARMUP + RUNS; i++) {
      for (const n of i % 2 ? [...SIZES].reverse() : SIZES) {
        const counted = i >= WARMUP;
        if (counted) await session.post('Profiler.start');
        const r = await lifecycle(clients.get(n)!, bundles.get(n)!, `lp-${process.pid}-${seq++}`);
        if (!counted) continue;
        const { profile } = await session.post('Profiler.stop');
        client.get(n)!.add(profile as unknown as CpuProfile, 'client');
        wall.get(n)!.push(r.ms);
        windows.get(n)!.push(r.window);
        if (r.init) init.get(n)!.push(r.init);
      }
    }
  } finally {
    session.disconnect();
    for (const c of clients.values()) c.close();
    for (const d of daemons.values()) await d.stop();
  }
  // The daemons' profiles hold their whole life: only the samples during counted runs count
  // (V8's timestamps and process.hrtime are both CLOCK_MONOTONIC).
  const daemon = new Map(SIZES.map((n) => [n, new SelfTime()]));
  for (const n of SIZES) {
    const files = fs.existsSync(profDir(n)) ? fs.readdirSync(profDir(n)) : [];
    if (files.length === 0) throw new Error(`no daemon profile for ${n} binds in ${profDir(n)}`);
    for (const f of files) daemon.get(n)!.add(JSON.parse(fs.readFileSync(path.join(profDir(n), f), 'utf8')), 'daemon', windows.get(n));
  }
  fs.rmSync(dir, { recursive: true, force: true });

  const [lo, hi] = SIZES;
  const perBind = (a: number | undefined, b: number | undefined) => ((b ?? 0) - (a ?? 0)) / RUNS / (hi - lo);
  const us = (x: number) => x.toFixed(0);
  console.log(`\nLifecycle profile: ${RUNS} runs per size, ${lo} and ${hi} binds alternating, sampling every ${INTERVAL_US} µs`);
  const wallPerBind = ((median(wall.get(hi)!) - median(wall.get(lo)!)) / (hi - lo)) * 1000;
  console.log(`wall time (profiled, so slower): ${median(wall.get(lo)!).toFixed(1)} / ${median(wall.get(hi)!).toFixed(1)} ms median, ${us(wallPerBind)} µs per extra bind`);
  console.log('\n| part | side | µs per extra bind |');
  console.log('| --- | --- | --- |');
  let sum = 0;
  for (const [side, prof] of [['daemon', daemon], ['client', client]] as const) {
    for (const part of PARTS[side]) {
      // Medians of the runs: a run that waited long for the CPU moves a sum, not a median.
      const m = (n: (typeof SIZES)[number]) => median(prof.get(n)!.runs.map((r) => r.get(part) ?? 0));
      const x = (m(hi) - m(lo)) / (hi - lo);
      if (part !== '(idle)') sum += x;
      console.log(`| ${part} | ${side} | ${us(x)} |`);
    }
  }
  const initSlope = (k: 'user' | 'sys') =>
    init.get(lo)!.length && init.get(hi)!.length
      ? ((median(init.get(hi)!.map((x) => x[k])) - median(init.get(lo)!.map((x) => x[k]))) / (hi - lo)) / 1000
      : NaN;
  for (const k of ['user', 'sys'] as const) {
    const x = initSlope(k);
    if (Number.isFinite(x)) sum += x;
    console.log(`| the init's CPU, ${k} (cpuacct, median) | init | ${Number.isFinite(x) ? us(x) : 'n/a'} |`);
  }
  console.log(`| **sum (not idle)** | | **${us(sum)}** |`);
  for (const [side, prof] of [['daemon', daemon], ['client', client]] as const) {
    const rows = [...new Set([...prof.get(lo)!.byFunction.keys(), ...prof.get(hi)!.byFunction.keys()])]
      .map((k) => ({ k, x: perBind(prof.get(lo)!.byFunction.get(k), prof.get(hi)!.byFunction.get(k)) }))
      .sort((a, b) => b.x - a.x)
      .slice(0, 25);
    console.log(`\n${side}: self time per function, µs per extra bind (top 25)`);
    for (const r of rows) console.log(`  ${us(r.x).padStart(6)}  ${r.k}`);
    const other = [...new Set([...prof.get(lo)!.unclaimed.keys(), ...prof.get(hi)!.unclaimed.keys()])]
      .map((k) => ({ k, x: perBind(prof.get(lo)!.unclaimed.get(k), prof.get(hi)!.unclaimed.get(k)) }))
      .sort((a, b) => b.x - a.x)
      .slice(0, 12);
    console.log(`${side}: 'other' by leaf and callers, µs per extra bind (top 12)`);
    for (const r of other) console.log(`  ${us(r.x).padStart(6)}  ${r.k}`);
  }
  console.log(`\nload average at the end: ${loadAverage()}`);
}

main().catch((e) => {
  console.error(`lifecycle profile failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
