// binderyd's memory as a user meets it: its RSS idle, with 100 containers running, and at
// its peak while one container writes 1 GiB to stdout that a client follows. The warm inits
// are processes of their own and are printed apart. The language server's RSS with a
// 1,000-mount spec open is printed by the server's benchmark (npm run bench -w server).
// Not a test: prints figures. Needs root, a built helper (dist/) and the example rootfs.
//
//   node --import tsx helper/bench/memory.bench.ts        (BENCH_CONTAINERS=N, default 100)
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { HelperClient } from '../src/client';
import { copyExampleRootfs, EXAMPLE, HELPER, loadAverage } from './benchBundle';
import { daemonChildren, startDaemon } from './benchDaemon';

const CONTAINERS = Number(process.env.BENCH_CONTAINERS ?? 100);
const STREAM_BYTES = 1024 * 1024 * 1024;
const TARGET_MIB = 100;

/** VmRSS of a process, MiB. */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

/** The daemon's children that are idle warm inits, and their RSS together. */
function warmInitsMiB(daemonPid: number): { count: number; mib: number } {
  const inits = daemonChildren(daemonPid).filter((c) => c.warmInit);
  return { count: inits.length, mib: inits.reduce((sum, c) => sum + rssMiB(c.pid), 0) };
}

function bundle(dir: string, name: string, args: string[]): string {
  const b = path.join(dir, name);
  fs.mkdirSync(b);
  const spec = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'config.json'), 'utf8'));
  spec.process.args = args;
  spec.root.path = path.join(dir, 'example-rootfs');
  spec.mounts = spec.mounts.filter((m: { destination: string }) => m.destination !== '/data');
  fs.writeFileSync(path.join(b, 'config.json'), JSON.stringify(spec));
  return b;
}

async function main(): Promise<void> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-memory-'));
  fs.chmodSync(dir, 0o755);
  copyExampleRootfs(dir);
  const sleeper = bundle(dir, 'sleeper', ['/bin/sleep', '600']);
  const streamer = bundle(dir, 'streamer', ['/bin/sh', '-c', `yes 0123456789abcdefghijklmnopqrstuvwxyz | head -c ${STREAM_BYTES}`]);
  const daemon = await startDaemon(dir);
  const client = await HelperClient.connect({ socketPath: daemon.socket });
  const ids: string[] = [];
  const fig: Record<string, number> = {};
  try {
    fig.idle = rssMiB(daemon.pid);
    const inits = warmInitsMiB(daemon.pid);

    const started = new Set<string>();
    const sub = client.onStarted((e) => started.add(e.id));
    for (let i = 0; i < CONTAINERS; i += 10) {
      const batch = Array.from({ length: Math.min(10, CONTAINERS - i) }, (_, k) => `mem-${process.pid}-${i + k}`);
      ids.push(...batch);
      await Promise.all(batch.map((id) => client.launch({ bundle: sleeper, id })));
    }
    const running = (await client.list()).filter((c) => c.status === 'running').length;
    if (running !== CONTAINERS) throw new Error(`${running} of ${CONTAINERS} containers running`);
    sub.dispose();
    fig.running = rssMiB(daemon.pid);
    for (let i = 0; i < ids.length; i += 10)
      await Promise.all(
        ids.slice(i, i + 10).map(async (id) => {
          await client.stop({ id, timeoutMs: 1000 });
          await client.teardown(id);
        }),
      );
    ids.length = 0;
    fig.afterTeardown = rssMiB(daemon.pid);

    // 1 GiB through the daemon to a client that reads as fast as it can.
    const id = `mem-${process.pid}-stream`;
    let received = 0;
    let dropped = 0;
    const out = client.onOutput((e) => {
      if (e.id !== id) return;
      received += Buffer.byteLength(e.data);
      dropped += e.dropped ?? 0;
    });
    const exited = new Promise<void>((resolve) => {
      const s = client.onExited((e) => e.id === id && (s.dispose(), resolve()));
    });
    let peak = 0;
    const t0 = process.hrtime.bigint();
    const sampler = setInterval(() => (peak = Math.max(peak, rssMiB(daemon.pid))), 20);
    ids.push(id);
    await client.launch({ bundle: streamer, id });
    await exited;
    // What is still on its way to this client.
    await new Promise((r) => setTimeout(r, 200));
    clearInterval(sampler);
    const secs = Number(process.hrtime.bigint() - t0) / 1e9;
    out.dispose();
    await client.teardown(id);
    ids.length = 0;
    fig.streamPeak = peak;

    const f = (x: number) => x.toFixed(1);
    console.log(`\nbinderyd RSS, MiB (load ${loadAverage()}; Node ${process.version}):`);
    console.log('| state | binderyd RSS | target |');
    console.log('| --- | --- | --- |');
    console.log(`| idle | ${f(fig.idle)} | |`);
    console.log(`| ${CONTAINERS} containers running | ${f(fig.running)} | < ${TARGET_MIB} (${fig.running < TARGET_MIB ? 'met' : 'not met'}) |`);
    console.log(`| after tearing them down | ${f(fig.afterTeardown)} | |`);
    console.log(`| peak during a 1 GiB stdout stream | ${f(fig.streamPeak)} | |`);
    console.log(
      `\nwarm inits: ${inits.count}, ${f(inits.mib)} MiB together (processes of their own); ` +
        `stream: ${(STREAM_BYTES / 2 ** 20 / secs).toFixed(0)} MiB/s, the client was sent ${f(received / 2 ** 20)} MiB, ${f(dropped / 2 ** 20)} MiB left out for reading too slowly (kept bounded)`,
    );
  } finally {
    await Promise.all(ids.map((id) => client.stop({ id, timeoutMs: 0 }).then(() => client.teardown(id)).catch(() => undefined)));
    client.close();
    await daemon.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (process.getuid?.() !== 0) console.log('memory bench: needs root (it runs containers); skipped');
else if (!fs.existsSync(path.join(HELPER, 'dist', 'binderyd.js'))) console.log('memory bench: run npm run build -w helper first');
else
  main().catch((e) => {
    console.error(`memory bench failed: ${e instanceof Error ? e.message : String(e)}`);
    process.exitCode = 1;
  });
