// Where a bind mount's time goes in a Bindery launch, both sides of the init's pipe:
// the daemon plans the bundle and sends the plan into the init as JSON; the init (a fresh
// Node process, warmed up as the real init is) runs the operations, one event line each,
// written together (heldLines.ts); the daemon reads them and forwards them to the client as
// one JSON-RPC notification (`container/operations`, protocol 1.3).
// Measured on the lifecycle benchmark's bundle at 3 and 100 binds; the per-bind figure of a
// component is (its time at 100 − at 3) / 97. Syscalls are timed by wrapping the real
// koffi Syscalls; "JS in the init" is setupRootfs's time minus its syscalls and events.
// Not a test: prints figures. Needs root and the example rootfs.
//
//   node --import tsx helper/bench/mountCost.bench.ts        (BENCH_RUNS=N samples, default 12)
//
// Each sample is one init-like process in a private mount namespace that runs the plan's
// operations up to pivot_root (the binds all come before it) and exits, its mounts dying
// with its namespace, as a real init's do.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { planBundle, realHostView, type Plan } from '@bindery/plan';
import { initRequest } from '../src/runtime/initChannel';
import { operationEvent, type OperationOutcome } from '../src/runtime/operationOutcome';
import { copyExampleRootfs, loadAverage, makeBundle, median } from './benchBundle';

const RUNS = Number(process.env.BENCH_RUNS ?? 12);
const SIZES = [3, 100] as const;
const SAMPLE = '--sample';

interface Sample {
  /** JSON.parse of the request in the init. */
  parseRequest: number;
  setupRootfs: number;
  /** Time and count per syscall name. */
  calls: Record<string, { ms: number; n: number }>;
  /** JSON.stringify of each event line and its write(2), in the init. */
  emit: number;
  events: number;
}

const now = () => Number(process.hrtime.bigint()) / 1e6;

/** The init side, in this (fresh) process: warm up as the init does, then run one plan. */
async function sample(requestFile: string): Promise<void> {
  const { koffiSyscalls } = await import('../src/runtime/koffiSyscalls');
  const { warmUp } = await import('../src/runtime/warmUp');
  const { setupRootfs } = await import('../src/runtime/rootfs');
  const real = koffiSyscalls();
  warmUp(real);
  const text = fs.readFileSync(requestFile, 'utf8');
  let t = now();
  const req = JSON.parse(text) as { id: string; plan: Plan; stateDir: string };
  const parseRequest = now() - t;
  const pivot = req.plan.operations.findIndex((o) => o.op === 'pivot-root');
  const plan: Plan = { ...req.plan, operations: req.plan.operations.slice(0, pivot) };
  const calls: Sample['calls'] = {};
  const timed = new Proxy(real, {
    get(target, name: string) {
      const f = (target as unknown as Record<string, unknown>)[name];
      if (typeof f !== 'function') return f;
      return (...args: unknown[]) => {
        const t0 = now();
        const r = (f as (...a: unknown[]) => unknown).apply(target, args);
        const c = (calls[name] ??= { ms: 0, n: 0 });
        c.ms += now() - t0;
        c.n++;
        return r;
      };
    },
  });
  const sink = fs.openSync('/dev/null', 'w');
  const { HeldLines } = await import('../src/runtime/heldLines');
  const lines = new HeldLines((text) => fs.writeSync(sink, text));
  let emit = 0;
  let events = 0;
  process.umask(0);
  t = now();
  const failure = setupRootfs(plan, timed, {
    stateDir: req.stateDir,
    network: { hostname: 'hello', ownNetworkNamespace: true },
    emit: (outcome) => {
      const t1 = now();
      lines.hold(JSON.stringify({ type: 'operation', outcome }) + '\n');
      emit += now() - t1;
      events++;
    },
  });
  const t2 = now();
  lines.flush();
  emit += now() - t2;
  const setupRootfsMs = now() - t;
  if (failure) throw new Error(`operation ${failure.index} failed: ${failure.message}`);
  const out: Sample = { parseRequest, setupRootfs: setupRootfsMs, calls, emit, events };
  process.stdout.write(JSON.stringify(out));
}

/**
 * The daemon side of one launch's events: parse each init line, make the event from the plan
 * (operationEvent), send them on as one notification (the init wrote them together), the
 * client parses it.
 */
function relayCost(id: string, plan: Plan, lines: string[]): number {
  const t = now();
  const operations = lines.map((line) => operationEvent(id, plan, (JSON.parse(line) as { outcome: OperationOutcome }).outcome)!);
  const wire = JSON.stringify({ jsonrpc: '2.0', method: 'container/operations', params: { id, operations } });
  JSON.parse(wire);
  return now() - t;
}

function main(): void {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-mountcost-'));
  fs.chmodSync(dir, 0o755);
  const host = realHostView();
  const rows: Record<string, Record<number, number>> = {};
  const put = (k: string, n: number, v: number) => ((rows[k] ??= {})[n] = v);
  const opsPerSize: Record<number, number> = {};
  try {
    copyExampleRootfs(dir);
    // Both sizes in every round, alternating: the load drifts, and a bind's cost is the
    // difference between them, so they share each time window.
    const sizes = SIZES.map((n) => {
      const bundle = makeBundle(dir, n);
      const text = fs.readFileSync(path.join(bundle, 'config.json'), 'utf8');
      const stateDir = path.join(dir, 'state', `mc-${n}`);
      fs.mkdirSync(stateDir, { recursive: true });
      const plan = () => planBundle({ text, bundleDir: bundle, host, stateDir });
      for (let i = 0; i < 20; i++) plan(); // the daemon is long-lived: its planner is warm
      return { n, bundle, stateDir, plan, planMs: [] as number[], stringifyMs: [] as number[], relayMs: [] as number[], samples: [] as Sample[] };
    });
    for (let i = 0; i < RUNS; i++) {
      for (const z of i % 2 ? [...sizes].reverse() : sizes) {
        let t = now();
        const p = z.plan();
        z.planMs.push(now() - t);
        t = now();
        // The request exactly as the launcher sends it (initRequest: the lean plan).
        const req = JSON.stringify(initRequest({ id: `mc-${z.n}`, plan: p, owner: { uid: 0, gid: 0 }, bundleDir: z.bundle }, p.launch!, z.stateDir, { stdout: '/dev/null', stderr: '/dev/null' })) + '\n';
        z.stringifyMs.push(now() - t);
        const file = path.join(dir, `req-${z.n}.json`);
        fs.writeFileSync(file, req);
        const r = spawnSync('unshare', ['-m', '--propagation', 'private', process.execPath, ...process.execArgv, __filename, SAMPLE, file], {
          encoding: 'utf8',
          maxBuffer: 1 << 24,
        });
        if (r.status !== 0) throw new Error(`sample failed: ${r.stderr}`);
        z.samples.push(JSON.parse(r.stdout) as Sample);
        const lines = p.operations
          .slice(0, p.operations.findIndex((o) => o.op === 'pivot-root'))
          .map((_, index) => JSON.stringify({ type: 'operation', outcome: { index, ok: true } }));
        z.relayMs.push(relayCost(`mc-${z.n}`, p, lines));
      }
      if ((i + 1) % 4 === 0) process.stderr.write(`  ${i + 1} of ${RUNS} rounds done\n`);
    }
    for (const { n, planMs, stringifyMs, relayMs, samples } of sizes) {
      opsPerSize[n] = samples[0].events;
      put('daemon: planBundle', n, median(planMs));
      put('daemon: request JSON.stringify', n, median(stringifyMs));
      put('init: request JSON.parse', n, median(samples.map((s) => s.parseRequest)));
      put('init: setupRootfs, all', n, median(samples.map((s) => s.setupRootfs)));
      put('init: event JSON + write(2)', n, median(samples.map((s) => s.emit)));
      const names = new Set(samples.flatMap((s) => Object.keys(s.calls)));
      let sysTotal = samples.map(() => 0);
      for (const name of names) {
        const per = samples.map((s) => s.calls[name]?.ms ?? 0);
        sysTotal = sysTotal.map((x, k) => x + per[k]);
        put(`init: ${name}`, n, median(per));
        put(`calls: ${name}`, n, samples[0].calls[name]?.n ?? 0);
      }
      put('init: JS (setupRootfs − syscalls − events)', n, median(samples.map((s, k) => s.setupRootfs - sysTotal[k] - s.emit)));
      put('daemon+client: relay events', n, median(relayMs));
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const [a, b] = SIZES;
  console.log(`\nPer bind mount, Bindery's launch path (median of ${RUNS} samples; load ${loadAverage()}; ${opsPerSize[a]} → ${opsPerSize[b]} operations before pivot_root):`);
  console.log(`| component | ${a} binds, ms | ${b} binds, ms | per extra bind, µs | calls per bind |`);
  console.log('| --- | --- | --- | --- | --- |');
  for (const [k, v] of Object.entries(rows)) {
    if (k.startsWith('calls: ')) continue;
    const name = k;
    const callKey = `calls: ${k.replace(/^init: /, '')}`;
    const perBind = ((v[b] - v[a]) / (b - a)) * 1000;
    const c = rows[callKey];
    const callsPer = c ? ((c[b] - c[a]) / (b - a)).toFixed(1) : '';
    console.log(`| ${name} | ${v[a].toFixed(2)} | ${v[b].toFixed(2)} | ${perBind.toFixed(1)} | ${callsPer} |`);
  }
}

if (process.argv[2] === SAMPLE) {
  sample(process.argv[3]).catch((e) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
} else if (process.getuid?.() !== 0) {
  console.log('mountCost bench: needs root (it mounts); skipped');
} else {
  main();
}
