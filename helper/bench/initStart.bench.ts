// The cost of starting one container init (issue 15): CPU (user+sys of all its threads, from
// /proc/PID/task/*/schedstat) and wall time from spawn to its "loaded" line on fd 3, and
// the CPU again once it has settled (V8's background compiling and GC after that line).
// By part: each part is a bundle of its own (bench/initStartParts/) that stops after
// loading Node, then koffi, then declaring the libc functions, then the launch path's
// modules, then running the warm-up; the last rows are the shipped init as the launcher
// starts it, and the same with other Node flags. Interleaved, medians, load average printed.
//
//   node --import tsx bench/initStart.bench.ts        (BENCH_RUNS=N rounds, default 20)
//
// Needs a built helper (dist/init.js); spawned as the launcher does (env {}, same stdio),
// outside a PID namespace (the namespace costs the launcher, not the init).
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as esbuild from 'esbuild';
import { DAEMON_INIT_STDIO, initCommand, useInitScript } from '../src/runtime/initLauncher';
import { HELPER, loadAverage, median, useBuiltInit } from './benchBundle';

const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const SETTLE_MS = 150;

const PARTS = ['node', 'koffi', 'syscalls', 'warmUpLoaded', 'warmUpRun'] as const;
const PART_NAMES: Record<(typeof PARTS)[number], string> = {
  node: 'Node alone',
  koffi: '+ koffi loaded (libc opened)',
  syscalls: '+ koffiSyscalls.ts (libc, the plan)',
  warmUpLoaded: '+ launch path modules loaded',
  warmUpRun: '+ warm-up run',
};

interface Variant {
  name: string;
  argv: string[];
}

/** CPU time of every live thread of `pid`, ms. */
function cpuMs(pid: number): number {
  let ns = 0;
  for (const t of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      ns += Number(fs.readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return ns / 1e6;
}

interface Sample {
  wall: number;
  cpu: number;
  settled: number;
  threads: number;
}

function measure(v: Variant): Promise<Sample> {
  const t0 = process.hrtime.bigint();
  const child = spawn(v.argv[0], v.argv.slice(1), { stdio: DAEMON_INIT_STDIO, env: {} });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  return new Promise((resolve, reject) => {
    child.once('exit', (code) =>
      reject(new Error(`${v.name} exited (${code}) before ready: ${err}`)),
    );
    child.stdio[3]!.once('data', () => {
      const wall = Number(process.hrtime.bigint() - t0) / 1e6;
      const cpu = cpuMs(child.pid!);
      setTimeout(() => {
        const settled = cpuMs(child.pid!);
        const threads = fs.readdirSync(`/proc/${child.pid}/task`).length;
        child.removeAllListeners('exit');
        child.once('exit', () => resolve({ wall, cpu, settled, threads }));
        child.stdin!.end();
      }, SETTLE_MS);
    });
  });
}

async function main(): Promise<void> {
  useBuiltInit(useInitScript);
  const init = initCommand();
  // Beside the helper so that `require('koffi')` resolves as it does for dist/init.js.
  const out = fs.mkdtempSync(path.join(HELPER, '.bench-init-parts-'));
  process.once('exit', () => fs.rmSync(out, { recursive: true, force: true }));
  await esbuild.build({
    entryPoints: [...PARTS, 'koffiIndex'].map((p) => ({
      in: path.join(__dirname, 'initStartParts', `${p}.ts`),
      out: p,
    })),
    outdir: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    external: ['koffi'],
    mainFields: ['module', 'main'],
    logLevel: 'warning',
  });
  const [node, ...rest] = init;
  const variants: Variant[] = [
    ...PARTS.map((p) => ({ name: PART_NAMES[p], argv: [node, path.join(out, `${p}.js`)] })),
    { name: "koffi's own loader (for comparison)", argv: [node, path.join(out, 'koffiIndex.js')] },
    {
      name: 'the init without its code cache',
      argv: [node, path.join(path.dirname(rest[0]), 'init-main.js')],
    },
    { name: 'the init as launched', argv: init },
    ...(process.env.BENCH_FLAGS ?? '')
      .split(';')
      .filter(Boolean)
      .map((f) => ({ name: `the init, node ${f}`, argv: [node, ...f.split(' '), ...rest] })),
    ...(process.env.BENCH_EXTRA ?? '')
      .split(';')
      .filter(Boolean)
      .map((f) => ({ name: f, argv: [node, ...f.split(' ')] })),
  ];
  const samples = new Map<string, Sample[]>(variants.map((v) => [v.name, []]));
  for (const v of variants) await measure(v); // page cache, first-run effects
  const load0 = loadAverage();
  for (let r = 0; r < RUNS; r++)
    for (const v of variants) samples.get(v.name)!.push(await measure(v));
  console.log(
    `init start-up, ${RUNS} interleaved rounds (load average ${load0} → ${loadAverage()})`,
  );
  console.log(
    'medians: CPU at ready / settled +150 ms (ms, user+sys, all threads), wall to ready (ms), threads',
  );
  const base = median(samples.get('the init as launched')!.map((s) => s.settled));
  let prev = 0;
  for (const v of variants) {
    const s = samples.get(v.name)!;
    const cpu = median(s.map((x) => x.cpu));
    const settled = median(s.map((x) => x.settled));
    const part = PARTS.some((p) => PART_NAMES[p] === v.name)
      ? `  (part ${(settled - prev).toFixed(1)})`
      : '';
    if (part) prev = settled;
    console.log(
      `  ${v.name.padEnd(34)} cpu ${cpu.toFixed(1).padStart(6)} / ${settled.toFixed(1).padStart(6)}${part.padEnd(14)}` +
        `  wall ${median(s.map((x) => x.wall))
          .toFixed(1)
          .padStart(6)}  threads ${median(s.map((x) => x.threads))}` +
        `  ${(settled / base).toFixed(2)}× the init`,
    );
  }
}

main().catch((e) => {
  console.error(e);
  process.exitCode = 1;
});
