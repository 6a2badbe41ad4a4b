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
// printed as "spawn floor"); binderyd's include planning the bundle.
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient } from '../src/client';

const HELPER = path.join(__dirname, '..');
const EXAMPLE = path.join(HELPER, '..', 'examples', 'hello');
const SIZES = [3, 10, 100];
const RUNS = Number(process.env.BENCH_RUNS ?? 40);
const WARMUP = 10;
const INNER = 'BINDERY_BENCH_INNER';

type Tool = 'bindery' | 'runc' | 'crun';

function have(cmd: string): boolean {
  return spawnSync(cmd, ['--version'], { stdio: 'ignore' }).status === 0;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** A bundle from examples/hello: its own copy of the rootfs (runtimes create mount points in it), N binds. */
function makeBundle(dir: string, n: number): string {
  const bundle = path.join(dir, `binds-${n}`);
  fs.mkdirSync(bundle);
  // From the copy taken at the start: a build running meanwhile may be rewriting the example.
  spawnSync('cp', ['-a', path.join(dir, 'example-rootfs'), path.join(bundle, 'rootfs')], { stdio: 'inherit' });
  const spec = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'config.json'), 'utf8'));
  spec.process.args = ['/bin/true'];
  spec.process.terminal = false;
  // crun 1.8 accepts only 1.0.x here; the bundle means the same to all three.
  spec.ociVersion = '1.0.2';
  spec.mounts = spec.mounts.filter((m: { destination: string }) => m.destination !== '/data');
  const sources = path.join(dir, 'sources');
  fs.mkdirSync(sources, { recursive: true });
  for (let i = 0; i < n; i++) {
    const src = path.join(sources, `s${i}`);
    fs.mkdirSync(src, { recursive: true });
    fs.mkdirSync(path.join(bundle, 'rootfs', 'mnt', `b${i}`), { recursive: true });
    spec.mounts.push({ destination: `/mnt/b${i}`, type: 'bind', source: src, options: ['rbind', 'ro'] });
  }
  for (const f of ['hosts', 'hostname', 'resolv.conf']) {
    fs.writeFileSync(path.join(bundle, 'rootfs', 'etc', f), '');
    spec.mounts.push({ destination: `/etc/${f}`, type: 'bind', source: `/etc/${f}`, options: ['rbind', 'ro'] });
  }
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  return bundle;
}

function runTool(tool: 'runc' | 'crun' | 'true', bundle: string, id: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  const argv = tool === 'true' ? [] : ['run', '-b', bundle, id];
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

async function runBindery(c: HelperClient, bundle: string, id: string): Promise<number> {
  const t0 = process.hrtime.bigint();
  let sub: { dispose(): void } | undefined;
  const exited = new Promise<number | undefined>((resolve) => {
    sub = c.onExited((e) => e.id === id && resolve(e.exitCode));
  });
  await c.launch({ bundle, id });
  const code = await exited;
  sub?.dispose();
  await c.teardown(id);
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (code !== 0) throw new Error(`bindery: ${id} exited with ${code}`);
  return ms;
}

async function startHelper(dir: string): Promise<{ socket: string; stop(): Promise<void> }> {
  const socket = path.join(dir, 'bindery.sock');
  const p = spawn(process.execPath, [path.join(HELPER, 'dist', 'binderyd.js'), '--socket', socket, '--state-dir', path.join(dir, 'state')], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let err = '';
  p.stderr!.on('data', (c) => (err += c));
  for (let i = 0; i < 200; i++) {
    try {
      (await HelperClient.connect({ socketPath: socket })).close();
      // Let the warm inits start and finish warming themselves up (they use the CPU meanwhile).
      await new Promise((r) => setTimeout(r, 5000));
      return {
        socket,
        stop: () =>
          new Promise((resolve) => {
            p.once('exit', () => resolve());
            p.kill('SIGTERM');
          }),
      };
    } catch {
      if (p.exitCode !== null) throw new Error(`binderyd exited: ${err}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw new Error(`binderyd did not come up: ${err}`);
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
  if (spawnSync('cp', ['-a', path.join(EXAMPLE, 'rootfs'), path.join(dir, 'example-rootfs')], { stdio: 'inherit' }).status !== 0)
    throw new Error('cannot copy the example rootfs');
  const helper = await startHelper(dir);
  const client = await HelperClient.connect({ socketPath: helper.socket });
  const results: Record<number, Record<Tool, number[]>> = {};
  const spawnFloor: number[] = [];
  let seq = 0;
  try {
    for (const n of SIZES) {
      const bundle = makeBundle(dir, n);
      results[n] = { bindery: [], runc: [], crun: [] };
      const active = [...tools];
      for (let i = 0; i < WARMUP + RUNS; i++) {
        // Rotate the order so that no tool always runs right after another one's clean-up.
        const order = active.map((_, k) => active[(k + i) % active.length]);
        for (const tool of order) {
          const id = `lc-${process.pid}-${seq++}`;
          try {
            const ms = tool === 'bindery' ? await runBindery(client, bundle, id) : await runTool(tool, bundle, id);
            if (i >= WARMUP) results[n][tool].push(ms);
          } catch (e) {
            if (tool === 'bindery') throw e;
            process.stderr.write(`${tool} fails on this bundle, left out: ${e instanceof Error ? e.message : String(e)}\n`);
            active.splice(active.indexOf(tool), 1);
          }
        }
        if (i >= WARMUP) spawnFloor.push(await runTool('true', '', ''));
      }
      process.stderr.write(`  ${n} bind mounts done\n`);
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
  console.log(`\nspawn floor (spawning /bin/true from this process, included in runc/crun): ${f(median(spawnFloor))} ms`);
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
  const r = spawnSync(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', 'umount /sys/fs/cgroup/unified && exec "$@"', 'sh', process.execPath, ...process.execArgv, __filename],
    { stdio: 'inherit', env: { ...process.env, [INNER]: '1' } },
  );
  process.exitCode = r.status ?? 1;
}

main();
