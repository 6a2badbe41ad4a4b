// What a user namespace costs a launch: the example bundle launched → /bin/true exits → torn
// down, interleaved in three ways on the same machine state: with a warm init (the daemon's
// usual launch), with a cold init (no pool: a Node start on the launch path), and with a user
// namespace (which cannot use a warm init: the maps come with the spec, and the init is exec'd
// through util-linux's nsenter and `unshare --pid --fork` after a holder made the namespace,
// see src/runtime/firstStage.ts). Uses dist/init.js (`npm run build -w @bindery/helper`) and
// the example rootfs, copied and owned by the namespace's root. Needs root.
//
//   node --import tsx helper/bench/userns.bench.ts [RUNS]
//
// The machine is shared and noisy: compare the ratios, not the milliseconds.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { koffiSyscalls } from '../src/runtime/koffiSyscalls';
import { initPool, useInitScript, warmInits } from '../src/runtime/initLauncher';
import { EXAMPLE, useBuiltInit } from './benchBundle';
import { lifecycleMs } from './inProcessLifecycle';

const HOST_ROOT = 100000;

async function main(): Promise<void> {
  const runs = Number(process.argv[2] ?? 20);
  useBuiltInit(useInitScript);
  const example = EXAMPLE;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-userns-bench-'));
  // The namespace's root opens its output pipes in the state root and creates mount points
  // in its own copy of the rootfs.
  fs.chmodSync(dir, 0o711);
  const stateRoot = path.join(dir, 'state');
  fs.mkdirSync(stateRoot, { mode: 0o711 });
  const texts: Record<'plain' | 'userns', string> = { plain: '', userns: '' };
  for (const kind of ['plain', 'userns'] as const) {
    const bundle = path.join(dir, kind);
    fs.mkdirSync(path.join(bundle, 'data'), { recursive: true });
    fs.chmodSync(bundle, 0o711);
    const cp = spawnSync('cp', ['-a', path.join(example, 'rootfs'), path.join(bundle, 'rootfs')]);
    if (cp.status !== 0) throw new Error(`cp: ${String(cp.stderr)}`);
    const spec = JSON.parse(fs.readFileSync(path.join(example, 'config.json'), 'utf8'));
    spec.process.args = ['/bin/true'];
    spec.root.path = path.join(bundle, 'rootfs');
    if (kind === 'userns') {
      const chown = spawnSync('chown', ['-R', '--no-dereference', `${HOST_ROOT}:${HOST_ROOT}`, bundle]);
      if (chown.status !== 0) throw new Error(`chown: ${String(chown.stderr)}`);
      spec.linux.namespaces.push({ type: 'user' });
      spec.linux.uidMappings = [{ containerID: 0, hostID: HOST_ROOT, size: 65536 }];
      spec.linux.gidMappings = [{ containerID: 0, hostID: HOST_ROOT, size: 65536 }];
    }
    texts[kind] = JSON.stringify(spec);
  }

  const times: Record<'warm' | 'cold' | 'userns', number[]> = { warm: [], cold: [], userns: [] };
  const once = async (kind: keyof typeof times, i: number) => {
    const which = kind === 'userns' ? 'userns' : 'plain';
    times[kind].push(await lifecycleMs(texts[which], path.join(dir, which), stateRoot, `${kind}-${i}`));
  };
  try {
    for (let i = 0; i < runs; i++) {
      // Nothing else starts Node while a launch is timed: the pool is full (or empty) first.
      warmInits(1, koffiSyscalls());
      await initPool.whenWarm();
      await once('warm', i);
      await initPool.whenWarm();
      await once('userns', i);
      warmInits(0, koffiSyscalls());
      await once('cold', i);
    }
  } finally {
    warmInits(0, koffiSyscalls());
    fs.rmSync(dir, { recursive: true, force: true });
  }
  const q = (xs: number[], p: number) =>
    [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))];
  const median = (xs: number[]) => q(xs, 0.5);
  const line = (name: string, xs: number[]) =>
    `${name.padEnd(22)} median ${median(xs).toFixed(1)} ms  p10 ${q(xs, 0.1).toFixed(1)} ms  p90 ${q(xs, 0.9).toFixed(1)} ms`;
  console.log(`launch → /bin/true exits → torn down, ${runs} runs of each, interleaved (example bundle)`);
  console.log(line('warm init', times.warm));
  console.log(line('cold init', times.cold));
  console.log(line('user namespace', times.userns));
  console.log(
    `user namespace / warm: ${(median(times.userns) / median(times.warm)).toFixed(2)}, ` +
      `user namespace / cold: ${(median(times.userns) / median(times.cold)).toFixed(2)}`,
  );
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
