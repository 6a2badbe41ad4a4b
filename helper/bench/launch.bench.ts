// One container lifecycle, measured in-process with the warm init pool: launch request →
// /bin/true exits → torn down. Uses the shipped dist/init.js (run `npm run build` first)
// and the example bundle's rootfs (examples/build-rootfs.sh). Needs root.
//
//   node --import tsx helper/bench/launch.bench.ts [RUNS] [POOL] [--back-to-back]
//
// When runc is installed, `runc run` on the same bundle is timed interleaved with it (this
// machine is shared and noisy: compare the ratio, not the milliseconds). runc's figure
// includes spawning it from this process. The daemon-level comparison over the socket is
// the daemon's benchmark; this one isolates the runtime.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { koffiSyscalls } from '../src/runtime/koffiSyscalls';
import { initPool, useInitScript, warmInits } from '../src/runtime/initLauncher';
import { runtimeRootArgs } from './benchBundle';
import { lifecycleMs } from './inProcessLifecycle';

async function main(): Promise<void> {
  // RUNS [POOL] [--back-to-back]: by default each launch waits until the pool is warm again;
  // back-to-back shows what a pool of POOL inits sustains when requests do not wait.
  const args = process.argv.slice(2);
  const backToBack = args.includes('--back-to-back');
  const [runs = 50, pool = 1] = args.filter((a) => !a.startsWith('--')).map(Number);
  const helper = path.join(__dirname, '..');
  const init = path.join(helper, 'dist', 'init.js');
  const example = path.join(helper, '..', 'examples', 'hello');
  if (!fs.existsSync(init)) throw new Error(`${init} missing: run npm run build -w @bindery/helper`);
  if (!fs.existsSync(path.join(example, 'rootfs', 'bin', 'busybox')))
    throw new Error('example rootfs missing: run examples/build-rootfs.sh');
  useInitScript(init);

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-bench-'));
  const stateRoot = path.join(dir, 'state');
  const spec = JSON.parse(fs.readFileSync(path.join(example, 'config.json'), 'utf8'));
  spec.process.args = ['/bin/true'];
  spec.root.path = path.join(example, 'rootfs');
  fs.mkdirSync(path.join(dir, 'data'));
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec));
  const text = fs.readFileSync(path.join(dir, 'config.json'), 'utf8');

  // Back to back, runc in between would give the pool time to refill: bindery alone then.
  const haveRunc = !backToBack && spawnSync('runc', ['--version']).status === 0;
  warmInits(pool, koffiSyscalls());
  const times: number[] = [];
  const runcTimes: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      if (haveRunc) {
        const t = process.hrtime.bigint();
        const r = spawnSync('runc', [...runtimeRootArgs('runc'), 'run', '-b', dir, `bench-runc-${process.pid}-${i}`], {
          stdio: 'ignore',
        });
        runcTimes.push(Number(process.hrtime.bigint() - t) / 1e6);
        if (r.status !== 0) throw new Error(`runc run failed (${r.status})`);
      }
      if (!backToBack || i === 0) await initPool.whenWarm();
      times.push(await lifecycleMs(text, dir, stateRoot, `bench-${i}`));
    }
  } finally {
    warmInits(0, koffiSyscalls());
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const q = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const line = (name: string, xs: number[]) =>
    `${name.padEnd(8)} median ${q(xs, 0.5).toFixed(1)} ms  p10 ${q(xs, 0.1).toFixed(1)} ms  p90 ${q(xs, 0.9).toFixed(1)} ms`;
  console.log(
    `launch → /bin/true exits → torn down, ${runs} runs, ${pool} warm init(s)${backToBack ? ', back to back' : ''} (example bundle, ${spec.mounts.length} spec mounts + network files)`,
  );
  console.log(line('bindery', times));
  if (runcTimes.length) {
    console.log(line('runc', runcTimes));
    console.log(`bindery / runc (medians): ${(q(times, 0.5) / q(runcTimes, 0.5)).toFixed(2)}`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
