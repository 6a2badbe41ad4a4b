// Where a launch's fixed time goes, Bindery next to crun: one launch → /bin/true exits →
// torn down at 3 binds (the lifecycle bench's bundle), as a timeline of phases on both sides.
// Bindery's daemon and its warm inits are traced with `strace -f -ttt -T` for one lifecycle
// from a long-lived client; crun with `strace -f -ttt -T crun run`. Marks (the first syscall
// of a process matching a pattern, in order) cut each trace into spans; strace slows every
// syscall, so the spans are read as shares of the traced total, and each share is also shown
// scaled to the untraced total measured in the same run (BENCH_TRACED traced lifecycles per
// tool, medians of each span). Untraced, in rounds: Bindery after a pause (its pool's refill
// of the previous launch has finished), crun right after it (while that launch's refill, a
// new Node init starting, still runs), Bindery again right away, crun after a pause.
// Not a test, not in `npm run bench`: a breakdown to read. Needs root, strace, crun, a built helper.
//
//   node --import tsx bench/launchTimeline.bench.ts     (BENCH_RUNS=N untraced rounds, default 20; BENCH_TRACED=N, default 5)
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient } from '../src/client';
import { copyExampleRootfs, EXAMPLE, HELPER, have, inPrivateMountNamespace, loadAverage, makeBundle, median, runtimeRootArgs } from './benchBundle';
import { binderyLifecycle, daemonChildren, startDaemon } from './benchDaemon';
import { parseTrace, spansOf, timeOf, type Mark, type Span, type TraceLine } from './launchTrace';

const BINDS = 3;
const RUNS = Number(process.env.BENCH_RUNS ?? 20);
const TRACED = Number(process.env.BENCH_TRACED ?? 5);
const PAUSE_MS = 700;
const INNER = 'BINDERY_BENCH_INNER';
// Long enough to show the JSON-RPC method and `"result"` of the daemon's writes.
const STRACE = ['-f', '-ttt', '-T', '-s', '200'];

const q = (s: string) => s.replace(/"/g, '\\\\"');
const json = (s: string) => new RegExp(q(s));

/** Bindery: `daemon` is binderyd, `init` the warm init that becomes /bin/true. */
function binderyMarks(id: string): { start: Mark; marks: Mark[] } {
  return {
    start: { who: 'daemon', at: json('"method":"launch"'), span: 'launch request read', phase: '' },
    marks: [
      { who: 'daemon', at: new RegExp(`mkdir\\(".*/${id}", 0711\\)`), span: 'request parse, authorize, planBundle (host look-ups)', phase: 'config / plan' },
      { who: 'daemon', at: /mkdir\("\/sys\/fs\/cgroup\//, span: 'state directory, output FIFOs, take a warm init, its start time', phase: 'state' },
      { who: 'daemon', at: /\.state\.json\.tmp/, span: 'cgroups: a directory per v1 hierarchy, cgroup.procs, device rules', phase: 'cgroups' },
      { who: 'daemon', at: new RegExp(`^write\\(\\d+, "${q('{"id":')}`), span: 'state write (pid, cgroups), the init request\'s JSON', phase: 'state' },
      { who: 'init', at: /^unshare\(/, span: 'the init wakes, parses the request, opens its stdio', phase: 'hand-off to the container process' },
      { who: 'init', at: /^pivot_root\(/, span: 'namespaces, lo up, the rootfs operations (one event line each)', phase: 'rootfs to pivot_root' },
      { who: 'init', at: /^setsid\(/, span: 'old root, read-only /, hostname, readonlyPaths, maskedPaths', phase: 'after pivot_root' },
      { who: 'init', at: /^prctl\(PR_CAPBSET_DROP/, span: 'setsid, rlimits, cwd, close_range', phase: 'process set-up' },
      { who: 'init', at: /^dup3\(/, span: 'capabilities, user, no_new_privs, seccomp', phase: 'process set-up' },
      { who: 'init', at: new RegExp(`^write\\(3, "${q('{"type":"exec"')}`), span: 'stdio, signal dispositions reset', phase: 'process set-up' },
      { who: 'init', at: /^execve\("\/bin\/true"/, span: 'the exec message, pdeathsig', phase: 'process set-up' },
      { who: 'daemon', at: /^read\(\d+, "", \d+\) = 0/, span: 'execve of a Node process (its threads, its address space) until the daemon sees the channel close', phase: 'execve' },
      { who: 'daemon', at: json('"result"'), span: 'state write (running), the changed notification, the answer', phase: 'answer / state' },
      // /bin/true may exit before the answer leaves: its exit is not a mark of its own.
      { who: 'daemon', at: /^wait4\(INIT,/, span: '/bin/true runs and exits, SIGCHLD, reaped (libuv)', phase: '/bin/true runs, exit and reap' },
      { who: 'daemon', at: json('container/exited'), span: 'cgroup outcome read, the exited notification', phase: '/bin/true runs, exit and reap' },
      { who: 'daemon', at: json('"method":"teardown"'), span: 'the client\'s teardown request', phase: 'client' },
      { who: 'daemon', at: json('"result"'), span: 'teardown: cgroups and the state directory removed, the answer', phase: 'teardown' },
    ],
  };
}

/** crun: `parent` is `crun run`, `child` the container's process. */
const CRUN_START: Mark = { who: 'parent', at: /^execve\("[^"]*crun"/, span: 'exec crun', phase: '' };
const CRUN_MARKS: Mark[] = [
  { who: 'parent', at: /^execveat\(/, span: 'crun start-up (loader, libraries), a sealed copy of itself', phase: 'start-up' },
  { who: 'parent', at: /^clone\(.*CLONE_NEW/, span: 're-exec start-up, config.json parse, state directory', phase: 'config / plan' },
  { who: 'parent', at: /^mkdirat\(AT_FDCWD, "\/sys\/fs\/cgroup\//, span: 'clone into the new namespaces, sync with the child', phase: 'hand-off to the container process' },
  { who: 'child', at: /^mount\(NULL, "\/", NULL, MS_REC\|MS_PRIVATE/, span: 'cgroups: a directory and cgroup.procs per v1 hierarchy (the child waits)', phase: 'cgroups' },
  { who: 'child', at: /^pivot_root\(/, span: 'the rootfs operations (mounts, devices)', phase: 'rootfs to pivot_root' },
  { who: 'child', at: /^prctl\(PR_CAPBSET_DROP/, span: 'old root, readonlyPaths, maskedPaths, hostname', phase: 'after pivot_root' },
  { who: 'child', at: /^execve\("\/bin\/true"/, span: 'capabilities, user, no_new_privs, seccomp, rlimits', phase: 'process set-up' },
  { who: 'child', at: /^(?!execve|<\.\.\. execve)[a-z_0-9]+\(/, span: 'execve', phase: 'execve' },
  { who: 'child', at: /^exit_group\(/, span: '/bin/true runs', phase: '/bin/true runs, exit and reap' },
  { who: 'parent', at: /^wait4\(-1, \[/, span: 'exit, reaped', phase: '/bin/true runs, exit and reap' },
  { who: 'parent', at: /^exit_group\(/, span: 'delete: cgroups and the state directory removed', phase: 'teardown' },
];

function pidOf(lines: TraceLine[], at: RegExp): number | undefined {
  return lines.find((l) => at.test(l.text))?.pid;
}

function runStraced(args: string[], out: string): Promise<void> {
  const p = spawn('strace', [...STRACE, '-o', out, ...args], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr!.on('data', (c) => (err += c));
  return new Promise((resolve, reject) =>
    p.once('exit', (code) => (code === 0 ? resolve() : reject(new Error(`strace ${args.join(' ')}: ${err.trim().split('\n').pop()}`)))),
  );
}

type Lifecycle = Awaited<ReturnType<typeof binderyLifecycle>>;

function crunRun(bundle: string, id: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const child = spawn('crun', [...runtimeRootArgs('crun'), 'run', '-b', bundle, id], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (c) => (err += c));
  return new Promise((resolve, reject) =>
    child.once('exit', (code) =>
      code === 0 ? resolve(Number(process.hrtime.bigint() - t0) / 1e6) : reject(new Error(`crun run failed (exit ${code}): ${err.trim()}`)),
    ),
  );
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** CPU time (ms) a process has used, from /proc/PID/stat (utime + stime, clock ticks of 10 ms). */
function cpuMs(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * 10;
  } catch {
    return undefined;
  }
}

/** One traced Bindery lifecycle: its spans, and where the pool's refill spawn blocked the daemon. */
async function traceBindery(c: HelperClient, daemonPid: number, bundle: string, id: string, dir: string): Promise<{ spans: Span[]; refill?: { at: string; ms: number } }> {
  const out = path.join(dir, `bindery-${id}.trace`);
  const pids = [daemonPid, ...daemonChildren(daemonPid).map((x) => x.pid)];
  const st = spawn('strace', [...STRACE, '-o', out, ...pids.flatMap((p) => ['-p', String(p)])], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  st.stderr!.on('data', (x) => (err += x));
  for (let i = 0; (err.match(/attached/g) ?? []).length < pids.length; i++) {
    if (i > 200 || st.exitCode !== null) throw new Error(`strace did not attach: ${err}`);
    await sleep(25);
  }
  await sleep(200);
  await binderyLifecycle(c, bundle, id);
  // The refill's new init is traced too (-f): let it load before detaching.
  await sleep(400);
  st.kill('SIGINT');
  await new Promise((r) => st.once('exit', r));
  const lines = parseTrace(fs.readFileSync(out, 'utf8'));
  const init = pidOf(lines, /^execve\("\/bin\/true"/);
  if (init === undefined) throw new Error(`no execve of /bin/true in ${out}`);
  const { start, marks } = binderyMarks(id);
  const withInit = marks.map((m) => ({ ...m, at: new RegExp(m.at.source.replace('INIT', String(init))) }));
  const spans = spansOf(lines, { daemon: daemonPid, init }, start, withInit);
  if (typeof spans === 'string') {
    fs.copyFileSync(out, path.join(os.tmpdir(), 'launch-timeline-bindery.trace'));
    throw new Error(`bindery trace: mark not found after "${spans}" (the trace: ${path.join(os.tmpdir(), 'launch-timeline-bindery.trace')})`);
  }
  // The refill: the daemon forks a new init after the answer; uv_spawn waits for its execve.
  const answered = timeOf(lines, daemonPid, json('"result"'), timeOf(lines, init, /^execve\("\/bin\/true"/));
  let refill: { at: string; ms: number } | undefined;
  const clone = lines.find((l) => l.pid === daemonPid && answered !== undefined && l.t >= answered && /^clone\(/.test(l.text));
  const child = clone && Number(/ = (\d+)/.exec(clone.text)?.[1]);
  const execd = child ? timeOf(lines, child, /^execve\(/) : undefined;
  if (clone && execd !== undefined) {
    // Which span the spawn started in.
    let t = timeOf(lines, daemonPid, start.at)!;
    let at = 'after the teardown';
    for (const s of spans) {
      if (clone.t < t + s.ms / 1000) {
        at = s.span;
        break;
      }
      t += s.ms / 1000;
    }
    refill = { at, ms: (execd - clone.t) * 1000 };
  }
  fs.rmSync(out);
  return { spans, refill };
}

async function traceCrun(bundle: string, id: string, dir: string): Promise<Span[]> {
  const out = path.join(dir, `crun-${id}.trace`);
  await runStraced(['crun', ...runtimeRootArgs('crun'), 'run', '-b', bundle, id], out);
  const lines = parseTrace(fs.readFileSync(out, 'utf8'));
  const parent = lines[0]?.pid;
  const child = pidOf(lines, /^execve\("\/bin\/true"/);
  if (parent === undefined || child === undefined) throw new Error(`crun trace ${out}: no crun or no /bin/true`);
  const spans = spansOf(lines, { parent, child }, CRUN_START, CRUN_MARKS);
  if (typeof spans === 'string') {
    fs.copyFileSync(out, path.join(os.tmpdir(), 'launch-timeline-crun.trace'));
    throw new Error(`crun trace: mark not found after "${spans}" (the trace: ${path.join(os.tmpdir(), 'launch-timeline-crun.trace')})`);
  }
  fs.rmSync(out);
  return spans;
}

/** Each span's median over the traced runs (the spans of one tool are the same list each run). */
function medianSpans(runs: Span[][]): Span[] {
  return runs[0].map((s, i) => ({ ...s, ms: median(runs.map((r) => r[i].ms)) }));
}

async function inner(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-timeline-'));
  fs.chmodSync(dir, 0o755);
  copyExampleRootfs(dir);
  const bundle = makeBundle(dir, BINDS);
  const helper = await startDaemon(dir, 3000);
  const client = await HelperClient.connect({ socketPath: helper.socket });
  let seq = 0;
  const id = () => `tl-${process.pid}-${seq++}`;
  const rested: Lifecycle[] = [];
  const backToBack: Lifecycle[] = [];
  const crunAfter: number[] = [];
  const crunRested: number[] = [];
  const warmCpu: number[] = [];
  const bTraces: Span[][] = [];
  const cTraces: Span[][] = [];
  const refills: { at: string; ms: number }[] = [];
  try {
    for (let i = 0; i < 5; i++) {
      await binderyLifecycle(client, bundle, id());
      await crunRun(bundle, id());
    }
    for (let i = 0; i < RUNS; i++) {
      await sleep(PAUSE_MS);
      // A warm init's CPU once loaded and idle: what starting one costs.
      for (const c of daemonChildren(helper.pid)) {
        const ms = c.warmInit ? cpuMs(c.pid) : undefined;
        if (ms !== undefined) warmCpu.push(ms);
      }
      rested.push(await binderyLifecycle(client, bundle, id()));
      crunAfter.push(await crunRun(bundle, id()));
      backToBack.push(await binderyLifecycle(client, bundle, id()));
      await sleep(PAUSE_MS);
      crunRested.push(await crunRun(bundle, id()));
      if ((i + 1) % 5 === 0) process.stderr.write(`  round ${i + 1} of ${RUNS} done\n`);
    }
    for (let i = 0; i < TRACED; i++) {
      await sleep(PAUSE_MS);
      const b = await traceBindery(client, helper.pid, bundle, id(), dir);
      bTraces.push(b.spans);
      if (b.refill) refills.push(b.refill);
      await sleep(PAUSE_MS);
      cTraces.push(await traceCrun(bundle, id(), dir));
    }
  } finally {
    client.close();
    await helper.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }

  const f = (x: number) => x.toFixed(1);
  const m = (xs: number[]) => median(xs);
  const bTotal = m(rested.map((r) => r.total));
  const cTotal = m(crunRested);
  console.log(`\nLaunch timeline at ${BINDS} binds (launch → /bin/true exits → torn down), ${RUNS} untraced rounds, ${TRACED} traced runs per tool`);
  console.log(`\nuntraced, median ms: bindery ${f(bTotal)} (launch ${f(m(rested.map((r) => r.launch)))}, exit ${f(m(rested.map((r) => r.exit)))}, teardown ${f(m(rested.map((r) => r.teardown)))}); crun run ${f(cTotal)} (spawning it included); bindery/crun ${(bTotal / cTotal).toFixed(2)}×`);

  const b = medianSpans(bTraces);
  const c = medianSpans(cTraces);
  const bSum = b.reduce((a, s) => a + s.ms, 0);
  const cSum = c.reduce((a, s) => a + s.ms, 0);
  for (const [name, spans, sum, total] of [['bindery', b, bSum, bTotal], ['crun', c, cSum, cTotal]] as const) {
    console.log(`\n${name}: traced ${f(sum)} ms in all; each span's median, its share, and that share of the untraced ${f(total)} ms`);
    console.log('| span | phase | traced ms | share | ≈ untraced ms |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const s of spans) console.log(`| ${s.span} | ${s.phase} | ${f(s.ms)} | ${((s.ms / sum) * 100).toFixed(0)} % | ${f((s.ms / sum) * total)} |`);
  }
  // The phases both tools have, each scaled to its own tool's untraced total.
  const phases = [...new Set([...b, ...c].map((s) => s.phase))];
  const est = (spans: Span[], sum: number, total: number, p: string) => (spans.filter((s) => s.phase === p).reduce((a, s) => a + s.ms, 0) / sum) * total;
  console.log('\nby phase, ≈ untraced ms (shares of each tool\'s traced total times its untraced total):');
  console.log('| phase | bindery | crun | bindery − crun | bindery/crun |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const p of phases) {
    const x = est(b, bSum, bTotal, p);
    const y = est(c, cSum, cTotal, p);
    console.log(`| ${p} | ${f(x)} | ${f(y)} | ${f(x - y)} | ${y > 0.05 ? `${(x / y).toFixed(1)}×` : '—'} |`);
  }
  console.log(`| **all** | **${f(bTotal)}** | **${f(cTotal)}** | **${f(bTotal - cTotal)}** | **${(bTotal / cTotal).toFixed(2)}×** |`);

  console.log('\nthe warm pool\'s refill (a new Node init spawned after each launch):');
  if (refills.length) {
    const where = [...new Set(refills.map((r) => r.at))].join('; ');
    console.log(`  the daemon's main thread blocked in the spawn (fork until the child's execve), traced: ${f(m(refills.map((r) => r.ms)))} ms median; it starts in: ${where}`);
  }
  if (warmCpu.length) console.log(`  a warm init's CPU once loaded (utime + stime, 10 ms ticks): ${f(m(warmCpu))} ms median`);
  const row = (name: string, xs: Lifecycle[]) =>
    console.log(`  | ${name} | ${f(m(xs.map((r) => r.launch)))} | ${f(m(xs.map((r) => r.exit)))} | ${f(m(xs.map((r) => r.teardown)))} | ${f(m(xs.map((r) => r.total)))} |`);
  console.log('  | bindery, median ms | launch | exit | teardown | all |');
  console.log('  | --- | --- | --- | --- | --- |');
  row(`after a ${PAUSE_MS} ms pause (the previous refill done)`, rested);
  row('right after crun, which ran right after a Bindery launch (that refill still loading)', backToBack);
  console.log(`  crun run: ${f(m(crunRested))} ms after a pause, ${f(m(crunAfter))} ms right after a Bindery lifecycle (its refill running): ${(m(crunAfter) / m(crunRested)).toFixed(2)}×`);
  console.log(`\nload average at the end: ${loadAverage()}`);
}

function main(): void {
  if (process.getuid?.() !== 0) return void console.log('launch timeline: needs root (it runs containers); skipped');
  if (!have('strace') || !have('crun')) return void console.log('launch timeline: needs strace and crun (apt-get install -y strace crun); skipped');
  if (!fs.existsSync(path.join(HELPER, 'dist', 'binderyd.js')) || !fs.existsSync(path.join(EXAMPLE, 'rootfs', 'bin', 'busybox')))
    return void console.log('launch timeline: build first (npm run build)');
  const run = () =>
    inner().catch((e) => {
      console.error(`launch timeline failed: ${e instanceof Error ? e.message : String(e)}`);
      process.exitCode = 1;
    });
  // crun 1.8 refuses the hybrid layout's cgroup2 mount: as the lifecycle bench, everything
  // runs in a private mount namespace without it.
  if (process.env[INNER] || !fs.existsSync('/sys/fs/cgroup/unified')) return void run();
  process.exitCode = inPrivateMountNamespace(__filename, INNER);
}

main();
