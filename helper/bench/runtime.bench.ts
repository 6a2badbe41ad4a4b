// Bindery as an OCI runtime: what an engine pays per call. Every runtime call is a new
// process, and an engine makes 3–5 per container, so Node's start-up is the cost to watch.
// Not a test: prints medians and ratios (this machine is shared and noisy: read the ratios).
//
//   node --import tsx helper/bench/runtime.bench.ts [RUNS]     (root; `npm run build` first)
//
// 1. One call: `node -e 0`, `runc --version`, `bindery --version`, `state` of a container that
//    does not exist (bindery and runc), interleaved.
// 2. A container's calls as containerd's shim makes them (create, start, delete) on the
//    example bundle running /bin/true, bindery and runc interleaved.
// 3. `podman run --rm IMAGE /bin/echo hi`, --runtime bindery vs runc (when podman is installed).
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Podman, Scratch } from '../test/engines/engineHarness';

const HELPER = path.join(__dirname, '..');
const BINDERY = path.join(HELPER, 'bin', 'bindery.js');
const EXAMPLE = path.join(HELPER, '..', 'examples', 'hello');
const RUNS = Number(process.argv[2] ?? process.env.BENCH_RUNS ?? 20);

function ms(f: () => void): number {
  const t = process.hrtime.bigint();
  f();
  return Number(process.hrtime.bigint() - t) / 1e6;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function have(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${cmd}`]).status === 0;
}

function quiet(cmd: string, args: string[]): number {
  return spawnSync(cmd, args, { stdio: 'ignore' }).status ?? -1;
}

function table(title: string, samples: Record<string, number[]>): Record<string, number> {
  const med = Object.fromEntries(Object.entries(samples).map(([k, v]) => [k, median(v)]));
  console.log(`\n${title} (median of ${RUNS}, ms)`);
  for (const [k, v] of Object.entries(med))
    console.log(`  ${k.padEnd(28)} ${v.toFixed(1).padStart(8)}`);
  return med;
}

function perCall(dir: string): void {
  const root = path.join(dir, 'calls');
  const calls: Record<string, [string, string[]]> = {
    'node -e 0': [process.execPath, ['-e', '0']],
    'runc --version': ['runc', ['--version']],
    'bindery --version': [BINDERY, ['--version']],
    'runc state (missing)': ['runc', ['--root', root, 'state', 'none']],
    'bindery state (missing)': [BINDERY, ['--root', root, 'state', 'none']],
  };
  const samples: Record<string, number[]> = Object.fromEntries(
    Object.keys(calls).map((k) => [k, []]),
  );
  for (let i = 0; i < RUNS + 3; i++)
    for (const [name, [cmd, args]] of Object.entries(calls)) {
      const t = ms(() => quiet(cmd, args));
      if (i >= 3) samples[name].push(t);
    }
  const m = table('One runtime call', samples);
  const node = m['node -e 0'];
  console.log(
    `  bindery state / node -e 0: ${(m['bindery state (missing)'] / node).toFixed(2)}×; ` +
      `bindery state / runc state: ${(m['bindery state (missing)'] / m['runc state (missing)']).toFixed(1)}×`,
  );
}

function exampleBundle(dir: string): string {
  const bundle = path.join(dir, 'bundle');
  fs.mkdirSync(bundle);
  const spec = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'config.json'), 'utf8'));
  spec.process.args = ['/bin/true'];
  spec.root.path = path.join(EXAMPLE, 'rootfs');
  spec.mounts = spec.mounts.filter((m: { destination: string }) => m.destination !== '/data');
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
  return bundle;
}

async function gone(pidFile: string): Promise<void> {
  const pid = Number(fs.readFileSync(pidFile, 'utf8'));
  while (
    fs.existsSync(`/proc/${pid}`) &&
    !/^\S+ \(.*\) Z/.test(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'))
  )
    await new Promise((r) => setTimeout(r, 2));
}

async function lifecycle(dir: string): Promise<void> {
  const bundle = exampleBundle(dir);
  const samples: Record<string, number[]> = {};
  for (let i = 0; i < RUNS + 2; i++)
    for (const tool of ['runc', 'bindery'] as const) {
      const cmd = tool === 'runc' ? 'runc' : BINDERY;
      const root = path.join(dir, `${tool}-root`);
      const pidFile = path.join(dir, `${tool}.pid`);
      const id = `b${i}`;
      const g = ['--root', root, '--log', path.join(dir, `${tool}.log`), '--log-format', 'json'];
      const create = ms(() =>
        quiet(cmd, [...g, 'create', '--bundle', bundle, '--pid-file', pidFile, id]),
      );
      const start = ms(() => quiet(cmd, [...g, 'start', id]));
      await gone(pidFile);
      const del = ms(() => quiet(cmd, [...g, 'delete', id]));
      if (i < 2) continue;
      for (const [k, v] of [
        ['create', create],
        ['start', start],
        ['delete', del],
        ['all three', create + start + del],
      ] as const)
        (samples[`${tool} ${k}`] ??= []).push(v);
    }
  const m = table('A container as the shim drives it (/bin/true)', samples);
  console.log(
    `  bindery / runc, create+start+delete: ${(m['bindery all three'] / m['runc all three']).toFixed(1)}×`,
  );
}

async function podman(): Promise<void> {
  if (!have('podman')) {
    console.log('\npodman is not installed: skipping `podman run --rm`');
    return;
  }
  const scratch = new Scratch();
  try {
    // The runtime's state goes to the scratch folder too (podman passes no --root).
    const p = new Podman(scratch, {
      bindery: scratch.runtimeWrapper(),
      runc: scratch.runtimeWrapper('runc', 'runc', scratch.path('runc-state')),
    });
    p.importBusybox('localhost/bench-busybox:latest');
    const samples: Record<string, number[]> = { runc: [], bindery: [] };
    for (let i = 0; i < RUNS + 2; i++)
      for (const rt of ['runc', 'bindery'] as const) {
        const t = ms(() =>
          p.run([
            '--runtime',
            rt,
            'run',
            '--rm',
            'localhost/bench-busybox:latest',
            '/bin/echo',
            'hi',
          ]),
        );
        if (i >= 2) samples[rt].push(t);
      }
    const m = table('podman run --rm IMAGE /bin/echo hi', samples);
    console.log(`  bindery / runc: ${(m.bindery / m.runc).toFixed(2)}×`);
    p.cleanup();
  } finally {
    await scratch.cleanup();
  }
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('needs root');
  if (!fs.existsSync(path.join(HELPER, 'dist', 'cli.js')))
    throw new Error('run `npm run build` first');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-runtime-bench-'));
  try {
    console.log(
      `node ${process.version}, ${os.cpus().length} cpus, load ${os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' ')}`,
    );
    perCall(dir);
    await lifecycle(dir);
    await podman();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

void main();
