// Does the pool's refill still compete with the launch that took a warm init? One lifecycle
// in-process (launch → /bin/true exits → torn down, the pool warm before each), alternating
// between spares that start at SCHED_IDLE (as the daemon's: at most 150 ms, initLauncher.ts)
// and spares given the launcher's scheduling right after their spawn (as before), on the
// example bundle with the shipped dist/init.js. Needs root and a built helper.
//
//   node --import tsx bench/spareIdle.bench.ts        (BENCH_RUNS=N per mode, default 40)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { initPool, useInitScript, warmInits } from '../src/runtime/initLauncher';
import { koffiSyscalls } from '../src/runtime/koffiSyscalls';
import { EXAMPLE, loadAverage, median, useBuiltInit } from './benchBundle';
import { lifecycleMs } from './inProcessLifecycle';

const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const sys = koffiSyscalls();
const MODES = { 'idle spares': undefined, 'spares at normal priority': 0 } as const;

async function main(): Promise<void> {
  useBuiltInit(useInitScript);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-bench-'));
  const stateRoot = path.join(dir, 'state');
  const spec = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'config.json'), 'utf8'));
  spec.process.args = ['/bin/true'];
  spec.process.terminal = false;
  spec.root.path = path.join(EXAMPLE, 'rootfs');
  fs.mkdirSync(path.join(dir, 'data')); // the example's one relative bind source
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
  const text = fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
  const times = new Map<string, number[]>(Object.keys(MODES).map((m) => [m, []]));
  const load0 = loadAverage();
  try {
    for (let i = 0; i < RUNS * 2 + 4; i++) {
      const [mode, idleMs] = Object.entries(MODES)[i % 2];
      // The spare this launch's refill spawns gets this mode.
      warmInits(1, sys, idleMs);
      await initPool.whenWarm();
      const ms = await lifecycleMs(text, dir, stateRoot, `spare-${i}`);
      if (i >= 4) times.get(mode)!.push(ms);
    }
  } finally {
    warmInits(0, sys);
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [idle, normal] = [...times.values()].map(median);
  console.log(
    `lifecycle in-process, ${RUNS} per mode, alternating (load average ${load0} → ${loadAverage()}):`,
  );
  for (const [m, xs] of times) console.log(`  ${m.padEnd(26)} median ${median(xs).toFixed(1)} ms`);
  console.log(`  idle / normal: ${(idle / normal).toFixed(2)}`);
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
