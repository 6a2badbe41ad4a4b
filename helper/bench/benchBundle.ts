// The bundle the launch benchmarks share: examples/hello running /bin/true with N directory
// bind mounts (`rbind`, `ro`) plus bind-mounted /etc/hosts, /etc/hostname, /etc/resolv.conf,
// as ../shared reference perf-anchors measures runc and crun with.
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const HELPER = path.join(__dirname, '..');
export const EXAMPLE = path.join(HELPER, '..', 'examples', 'hello');

export function have(cmd: string): boolean {
  // crun makes its state root on any call, even `--version`: give it the run's own.
  const root = cmd === 'runc' || cmd === 'crun' ? runtimeRootArgs(cmd) : [];
  return spawnSync(cmd, [...root, '--version'], { stdio: 'ignore' }).status === 0;
}

/**
 * `--root` for runc and crun: a state folder of this run's own, removed when it ends, so a
 * benchmark leaves nothing in /run (their default roots /run/runc and /run/crun).
 */
let stateRoot: string | undefined;
export function runtimeRootArgs(tool: 'runc' | 'crun'): string[] {
  if (!stateRoot) {
    const made = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-bench-state-'));
    stateRoot = made;
    process.once('exit', () => fs.rmSync(made, { recursive: true, force: true }));
  }
  return ['--root', path.join(stateRoot, tool)];
}

export function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Copy the example rootfs once into `dir` (a build running meanwhile may be rewriting the example). */
export function copyExampleRootfs(dir: string): void {
  if (spawnSync('cp', ['-a', path.join(EXAMPLE, 'rootfs'), path.join(dir, 'example-rootfs')], { stdio: 'inherit' }).status !== 0)
    throw new Error('cannot copy the example rootfs');
}

/** A bundle in `dir` with its own copy of the rootfs (runtimes create mount points in it) and `n` binds. */
export function makeBundle(dir: string, n: number): string {
  const bundle = path.join(dir, `binds-${n}`);
  fs.mkdirSync(bundle);
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

/**
 * Re-run this script in a private mount namespace without the hybrid layout's cgroup2 mount
 * (crun 1.8 refuses it). A throwaway tmpfs takes its place: runtimes that still make a
 * directory (and write cgroup.procs) there write into it, not into the host's /sys/fs/cgroup
 * tmpfs under the hidden mount point, and it goes away with the namespace.
 */
export function inPrivateMountNamespace(script: string, env: string, args: string[] = []): number {
  const r = spawnSync(
    'unshare',
    ['-m', '--propagation', 'private', 'sh', '-c', 'if mountpoint -q /sys/fs/cgroup/unified; then umount /sys/fs/cgroup/unified && mount -t tmpfs -o size=4m,mode=755 bench-unified /sys/fs/cgroup/unified; fi && exec "$@"', 'sh', process.execPath, ...process.execArgv, script, ...args],
    { stdio: 'inherit', env: { ...process.env, [env]: '1' } },
  );
  return r.status ?? 1;
}

export function loadAverage(): string {
  return fs.readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');
}

/** Launches in this process run the shipped dist/init.js on the example rootfs: both must be built. */
export function useBuiltInit(useInitScript: (jsPath: string) => void): void {
  const init = path.join(HELPER, 'dist', 'init.js');
  if (!fs.existsSync(init)) throw new Error(`${init} missing: run npm run build -w @bindery/helper`);
  if (!fs.existsSync(path.join(EXAMPLE, 'rootfs', 'bin', 'busybox')))
    throw new Error('example rootfs missing: run examples/build-rootfs.sh');
  useInitScript(init);
}
