// How long planning + validating takes (parse, rules, runtime additions, operations), for a
// typical ~30-mount spec and a generated 1,000-mount one. Not a test: prints figures.
//   npm run bench -w @bindery/helper     (BENCH_SECONDS=N to run longer)
import { performance } from 'node:perf_hooks';
import { type HostEntry, type HostView, planBundle } from '@bindery/plan';
import {
  baseSpec,
  DEFAULT_NAMESPACES,
  RUNC_MASKED_PATHS,
  RUNC_READONLY_PATHS,
  runcMounts,
  SYSTEM_MOUNT_POINTS,
} from '../test/baseSpec';

const BUNDLE = '/bundles/bench';

/** Every path exists: directories, except file-looking bind sources. Answers in O(1), like a warm dentry cache. */
const host: HostView = {
  kernelRelease: '6.1.0',
  lstat: (p): HostEntry => ({
    type: /\.(conf|json|txt)$|\/(hosts|hostname|resolv\.conf)$/.test(p) ? 'file' : 'directory',
  }),
  readdir: () => [],
};

// runc's defaults, cgroup mount and namespace included.
const system = runcMounts(...SYSTEM_MOUNT_POINTS, '/sys/fs/cgroup');

function userMount(i: number) {
  switch (i % 5) {
    case 0:
      return {
        destination: `/data/vol${i}`,
        type: 'bind',
        source: `/srv/vol${i}`,
        options: ['rbind', 'ro', 'rprivate'],
      };
    case 1:
      return {
        destination: `/etc/app/conf${i}.conf`,
        source: `conf/conf${i}.conf`,
        options: ['bind', 'nosuid', 'nodev'],
      };
    case 2:
      return {
        destination: `/scratch/t${i}`,
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'mode=1777', 'size=64m'],
      };
    case 3:
      return {
        destination: `/cache/c${i}`,
        source: `/var/cache/c${i}`,
        options: ['rbind', 'rro', 'rnosuid'],
      };
    default:
      return {
        destination: `/logs/l${i}`,
        source: `/var/log/l${i}`,
        options: ['bind', 'rw', 'noexec', 'slave'],
      };
  }
}

export function spec(n: number): string {
  const mounts = [...system, ...Array.from({ length: n - system.length }, (_, i) => userMount(i))];
  const value = baseSpec({
    args: ['/bin/true'],
    hostname: 'bench',
    mounts,
    namespaces: [...DEFAULT_NAMESPACES, 'cgroup'],
    maskedPaths: RUNC_MASKED_PATHS,
    readonlyPaths: RUNC_READONLY_PATHS,
  });
  return JSON.stringify(value, null, 2);
}

function run(name: string, text: string, seconds: number): void {
  const sample = planBundle({ text, bundleDir: BUNDLE, host });
  for (let i = 0; i < 20; i++) planBundle({ text, bundleDir: BUNDLE, host }); // warm-up
  const times: number[] = [];
  const end = performance.now() + seconds * 1000;
  while (performance.now() < end || times.length < 30) {
    const t0 = performance.now();
    planBundle({ text, bundleDir: BUNDLE, host });
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))];
  const median = q(0.5);
  console.log(
    `${name.padEnd(22)} ${String(sample.mounts.length).padStart(5)} mounts ${String(sample.operations.length).padStart(6)} ops ` +
      `${String(sample.findings.length).padStart(4)} findings | median ${median.toFixed(3)} ms  p95 ${q(0.95).toFixed(3)} ms  ` +
      `${Math.round(1000 / median)} plans/s  (${times.length} runs, ${(text.length / 1024).toFixed(0)} KiB)`,
  );
}

if (require.main === module) {
  const seconds = Number(process.env.BENCH_SECONDS ?? 3);
  console.log(
    `planBundle (parse + every rule + runtime additions + operations), node ${process.version}`,
  );
  run('typical (30 mounts)', spec(30), seconds);
  run('large (1,000 mounts)', spec(1000), seconds);
}
