// The whole container lifecycle through binderyd, as a client sees it: `launch` request →
// /bin/true exits (notification) → `teardown` answered, from one long-lived client over
// the socket. On the example bundle (examples/hello, /bin/true) with 3, 10 and 100
// directory bind mounts plus bind-mounted /etc/hosts, /etc/hostname and /etc/resolv.conf,
// interleaved with `runc run` and `crun run` on the very same bundle, printed as ratios.
// Not a test: prints figures. Needs root, a built helper (dist/) and the example rootfs.
//
//   npm run bench -w @bindery/helper                  (BENCH_RUNS=N per tool and size, default 40)
//
// crun 1.8 refuses this kind of machine's hybrid cgroup layout, so the whole benchmark
// re-runs itself in a private mount namespace without /sys/fs/cgroup/unified (see
// ../shared reference perf-anchors): every tool runs in that same namespace.
// runc's and crun's figures include spawning them from this process (measured and
// printed as "spawn floor"); binderyd's include planning the bundle. Every run starts once
// binderyd's warm inits have loaded, so no tool's run carries the refill of the pool.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient } from '../src/client';
import { copyExampleRootfs, EXAMPLE, HELPER, have, inPrivateMountNamespace, loadAverage, makeBundle, median, runtimeRootArgs } from './benchBundle';
import { binderyLifecycle, startDaemon, untilInitsLoaded } from './benchDaemon';

const SIZES = [3, 10, 100];
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 10;
const INNER = 'BINDERY_BENCH_INNER';

type Tool = 'bindery' | 'runc' | 'crun';

function runTool(tool: 'runc' | 'crun' | 'true', bundle: string, id: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const argv = tool === 'true' ? [] : [...runtimeRootArgs(tool), 'run', '-b', bundle, id];
  const child = spawn(tool === 'true' ? '/bin/true' : tool, argv, { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) => {
      const ms = Number(process.hrtime.bigint() - t0) / 1e6;
      if (code === 0) resolve(ms);
      else reject(new Error(`${tool} run failed (exit ${code}): ${err.trim().split('\n').pop()}`));
    }),
  );
}

/** Bindery's lifecycle in its three phases as the client sees them, ms. */
interface Phases {
  /** `launch` request → its answer: planning, the init's operations, the process started. */
  launch: number;
  /** The answer → the `exited` notification: the process runs and exits, the helper reaps it. */
  exit: number;
  /** `teardown` request → its answer: cgroups, state directory, the container's records. */
  teardown: number;
}
const PHASES = ['launch', 'exit', 'teardown'] as const;

async function runBindery(c: HelperClient, bundle: string, id: string, phases: Phases[] | undefined): Promise<number> {
  const { launch, exit, teardown, total } = await binderyLifecycle(c, bundle, id);
  phases?.push({ launch, exit, teardown });
  return total;
}

async function inner(): Promise<void> {
  const tools: Tool[] = ['bindery'];
  const missing: string[] = [];
  for (const t of ['runc', 'crun'] as const) {
    if (have(t)) tools.push(t);
    else missing.push(t);
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-lifecycle-'));
  fs.chmodSync(dir, 0o755);
  copyExampleRootfs(dir);
  const helper = await startDaemon(dir);
  const client = await HelperClient.connect({ socketPath: helper.socket });
  const results: Record<number, Record<Tool, number[]>> = {};
  const phases: Record<number, Phases[]> = {};
  const spawnFloor: number[] = [];
  let seq = 0;
  try {
    // Every size in every round, tools and sizes rotated: the machine's load drifts, and the
    // cost of an extra bind is a difference between sizes, so they share each time window.
    const bundles = new Map(SIZES.map((n) => [n, makeBundle(dir, n)]));
    for (const n of SIZES) {
      results[n] = { bindery: [], runc: [], crun: [] };
      phases[n] = [];
    }
    const active = [...tools];
    for (let i = 0; i < WARMUP + RUNS; i++) {
      const sizes = SIZES.map((_, k) => SIZES[(k + i) % SIZES.length]);
      for (const n of sizes) {
        // Rotate the order so that no tool always runs right after another one's clean-up.
        const order = active.map((_, k) => active[(k + i) % active.length]);
        for (const tool of order) {
          const id = `lc-${process.pid}-${seq++}`;
          await untilInitsLoaded(helper.pid);
          try {
            const ms = tool === 'bindery' ? await runBindery(client, bundles.get(n)!, id, i >= WARMUP ? phases[n] : undefined) : await runTool(tool, bundles.get(n)!, id);
            if (i >= WARMUP) results[n][tool].push(ms);
          } catch (e) {
            if (tool === 'bindery') throw e;
            process.stderr.write(`${tool} fails on this bundle, left out: ${e instanceof Error ? e.message : String(e)}\n`);
            active.splice(active.indexOf(tool), 1);
          }
        }
      }
      if (i >= WARMUP) spawnFloor.push(await runTool('true', '', ''));
      if ((i + 1) % 10 === 0) process.stderr.write(`  round ${i + 1} of ${WARMUP + RUNS} done\n`);
    }
  } finally {
    client.close();
    await helper.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const f = (x: number) => x.toFixed(1);
  const r = (a: number[], b: number[]) => (a.length && b.length ? `${(median(a) / median(b)).toFixed(2)}×` : 'n/a');
  console.log(`\nLifecycle (launch → /bin/true exits → torn down), median ms of ${RUNS} runs each, interleaved, one run:`);
  console.log('| bind mounts | bindery (socket) | runc run | crun run | bindery/runc | bindery/crun |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const n of SIZES) {
    const x = results[n];
    const cell = (t: Tool) => (x[t].length ? f(median(x[t])) : 'n/a');
    console.log(`| ${n} | ${cell('bindery')} | ${cell('runc')} | ${cell('crun')} | ${r(x.bindery, x.runc)} | ${r(x.bindery, x.crun)} |`);
  }
  // The slope between the smallest and the largest bundle: what one more bind mount costs.
  const [lo, hi] = [SIZES[0], SIZES[SIZES.length - 1]];
  const perBind = (t: Tool) =>
    results[lo][t].length && results[hi][t].length ? ((median(results[hi][t]) - median(results[lo][t])) / (hi - lo)) * 1000 : NaN;
  const pb = { bindery: perBind('bindery'), runc: perBind('runc'), crun: perBind('crun') };
  const us = (x: number) => (Number.isFinite(x) ? `${x.toFixed(0)} µs` : 'n/a');
  const ratio = (a: number, b: number) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(1)}×` : 'n/a');
  console.log(`| per extra bind (${lo}→${hi}) | ${us(pb.bindery)} | ${us(pb.runc)} | ${us(pb.crun)} | ${ratio(pb.bindery, pb.runc)} | ${ratio(pb.bindery, pb.crun)} |`);
  // Where Bindery's slope lies: each phase's median per size, and its own slope.
  console.log(`\nbindery by phase, median ms (the per-bind column is the phase's own slope ${lo}→${hi}):`);
  console.log(`| phase | ${SIZES.join(' | ')} | per extra bind |`);
  console.log(`| --- | ${SIZES.map(() => '---').join(' | ')} | --- |`);
  for (const ph of PHASES) {
    const m = (n: number) => median(phases[n].map((p) => p[ph]));
    console.log(`| ${ph} | ${SIZES.map((n) => f(m(n))).join(' | ')} | ${us(((m(hi) - m(lo)) / (hi - lo)) * 1000)} |`);
  }
  console.log(`\nload average at the end: ${loadAverage()}`);
  console.log(`spawn floor (spawning /bin/true from this process, included in runc/crun): ${f(median(spawnFloor))} ms`);
  if (missing.length) console.log(`not installed: ${missing.join(', ')} (apt-get install -y ${missing.join(' ')}); absolute figures only for those`);
}

function main(): void {
  if (process.getuid?.() !== 0) {
    console.log('lifecycle bench: needs root (it runs containers); skipped');
    return;
  }
  if (!fs.existsSync(path.join(EXAMPLE, 'rootfs', 'bin', 'busybox'))) {
    console.log('lifecycle bench: examples/hello/rootfs is missing; run examples/build-rootfs.sh (npm run build does)');
    return;
  }
  if (!fs.existsSync(path.join(HELPER, 'dist', 'binderyd.js'))) {
    console.log('lifecycle bench: dist/binderyd.js is missing; run npm run build -w @bindery/helper');
    return;
  }
  if (process.env[INNER] || !have('crun') || !fs.existsSync('/sys/fs/cgroup/unified')) {
    inner().catch((e) => {
      console.error(`lifecycle bench failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    });
    return;
  }
  // crun 1.8 needs the hybrid layout's cgroup2 mount gone: run everything in a private
  // mount namespace without it (the host's mount table is untouched).
  process.exitCode = inPrivateMountNamespace(__filename, INNER);
}

main();
