// Two builds of the helper side by side: a binderyd from each (each runs its own dist/init.js)
// and their lifecycles alternating at 3 binds (launch → /bin/true exits → torn down, a pause
// before each so the previous launch's pool refill has finished), with the init's CPU from the
// container's cpuacct cgroup (from joining it, before the first mount, to /bin/true's exit).
// For a change to the init's own steps: build the other side into a copy of dist/ first.
// Not a test, not in `npm run bench`: a before/after to read. Needs root and a built helper.
//
//   BENCH_BASE_DIST=/path/to/other/dist node --import tsx bench/initBuilds.bench.ts   (BENCH_RUNS=N each, default 30)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient } from '../src/client';
import { copyExampleRootfs, HELPER, loadAverage, makeBundle, median } from './benchBundle';
import { binderyLifecycle, initCpu, startDaemon } from './benchDaemon';

const RUNS = Number(process.env.BENCH_RUNS ?? 30);
const WARMUP = 3;
const PAUSE_MS = 450;
const BINDS = 3;

interface Side {
  name: string;
  dist: string;
  rows: { launch: number[]; exit: number[]; total: number[]; initCpu: number[] };
}

async function main(): Promise<void> {
  const base = process.env.BENCH_BASE_DIST;
  if (process.getuid?.() !== 0 || !base) throw new Error('needs root and BENCH_BASE_DIST (another build\'s dist/)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-initbuilds-'));
  fs.chmodSync(dir, 0o755);
  const sides: Side[] = [
    { name: 'base', dist: path.resolve(base), rows: { launch: [], exit: [], total: [], initCpu: [] } },
    { name: 'this', dist: path.join(HELPER, 'dist'), rows: { launch: [], exit: [], total: [], initCpu: [] } },
  ];
  const load0 = loadAverage();
  const stops: (() => Promise<void>)[] = [];
  const clients: HelperClient[] = [];
  try {
    copyExampleRootfs(dir);
    const bundle = makeBundle(dir, BINDS);
    for (const s of sides) {
      const d = path.join(dir, s.name);
      fs.mkdirSync(d);
      const daemon = await startDaemon(d, 3000, [], s.dist);
      stops.push(daemon.stop);
      clients.push(await HelperClient.connect({ socketPath: daemon.socket }));
    }
    let seq = 0;
    for (let i = 0; i < WARMUP + RUNS; i++)
      for (const k of i % 2 ? [1, 0] : [0, 1]) {
        await new Promise((r) => setTimeout(r, PAUSE_MS));
        const id = `ib-${process.pid}-${seq++}`;
        let cpu: ReturnType<typeof initCpu>;
        const r = await binderyLifecycle(clients[k], bundle, id, () => (cpu = initCpu(id)));
        if (i < WARMUP) continue;
        const rows = sides[k].rows;
        rows.launch.push(r.launch);
        rows.exit.push(r.exit);
        rows.total.push(r.total);
        if (cpu) rows.initCpu.push(cpu.total / 1e6);
      }
  } finally {
    for (const c of clients) c.close();
    for (const stop of stops) await stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
  console.log(`two builds alternating, ${BINDS} binds, ${RUNS} lifecycles each, ${PAUSE_MS} ms pause before each; load ${load0} → ${loadAverage()}`);
  console.log('| medians, ms | base | this | this / base |');
  console.log('| --- | --- | --- | --- |');
  for (const key of ['launch', 'exit', 'total', 'initCpu'] as const) {
    const [a, b] = sides.map((s) => median(s.rows[key]));
    console.log(`| ${key} | ${a.toFixed(1)} | ${b.toFixed(1)} | ${(b / a).toFixed(2)} |`);
  }
}

main().catch((e) => {
  console.error(`init builds failed: ${e instanceof Error ? e.stack : String(e)}`);
  process.exitCode = 1;
});
