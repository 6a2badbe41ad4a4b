// What the engine tests share: a scratch folder holding every engine's storage, config and
// state (and the runtime's), the busybox image those engines run, and the clean-up that
// leaves nothing mounted, running or written outside it.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { parseMountinfo } from '@bindery/plan';
import { assertBuilt, BINDERY } from '../oci/ociHarness';
import { findBusybox } from '../runtime/busybox';

export { BINDERY };

/** Root and the engine's binaries; missing ones fail in CI (a skip there hides that nothing ran). */
export function needsEngine(t: TestContext, ...commands: string[]): boolean {
  const missing = commands.filter((c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0);
  const why =
    process.getuid?.() !== 0
      ? 'needs root'
      : missing.length
        ? `needs ${missing.join(', ')} (Debian: apt-get install podman containerd golang-go runc)`
        : undefined;
  if (!why) {
    assertBuilt();
    return true;
  }
  if (process.env.CI) throw new Error(`engine tests must run in CI: ${why}`);
  t.skip(why);
  return false;
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function run(cmd: string, args: string[], opts: SpawnSyncOptions = {}): Run {
  const start = process.hrtime.bigint();
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: 120_000, ...opts });
  return {
    status: r.status,
    stdout: String(r.stdout ?? ''),
    stderr: String(r.stderr ?? '') + (r.error ? `\n${r.error.message}` : ''),
    ms: Number(process.hrtime.bigint() - start) / 1e6,
  };
}

/** A folder for one engine's whole life; `cleanup` unmounts what was mounted in it and removes it. */
export class Scratch {
  readonly dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-engine-'));
  private readonly started: ChildProcess[] = [];

  path(...parts: string[]): string {
    return path.join(this.dir, ...parts);
  }

  /** A daemon of the test's own (containerd): ended by pid in cleanup. */
  spawnDaemon(cmd: string, args: string[], log: string): ChildProcess {
    const out = fs.openSync(log, 'a');
    const child = spawn(cmd, args, { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    this.started.push(child);
    return child;
  }

  /**
   * A runtime (`bindery`, or runc as the oracle) with `--root` in this folder, as an
   * engine's runtime path: the runtime's state stays here too (podman, like the conformance
   * suite, calls the runtime without --root; runc would use /run/runc).
   */
  runtimeWrapper(name = 'bindery', command = BINDERY, root = this.path('runtime-state')): string {
    const file = this.path(name);
    fs.writeFileSync(file, `#!/bin/sh\nexec ${command} --root ${root} "$@"\n`, { mode: 0o755 });
    return file;
  }

  async cleanup(): Promise<void> {
    for (const child of this.started.splice(0)) {
      if (child.exitCode !== null || child.signalCode !== null) continue;
      const gone = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await gone;
      clearTimeout(timer);
    }
    unmountUnder(this.dir);
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

/** Mount points under `dir`, deepest first, unmounted (lazily when busy). Only those. */
export function unmountUnder(dir: string): void {
  const points = parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((p) => p === dir || p.startsWith(dir + '/'))
    .sort((a, b) => b.length - a.length);
  for (const p of points) if (run('umount', [p]).status !== 0) run('umount', ['-l', p]);
}

/** A busybox rootfs as a tar archive, the input of `podman import`. */
export function busyboxRootfsTar(scratch: Scratch): string {
  const rootfs = scratch.path('image-rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp', 'root', 'data'])
    fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  fs.copyFileSync(findBusybox(), path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of ['sh', 'echo', 'cat', 'sleep', 'true', 'ls', 'ps', 'hostname', 'id', 'grep'])
    fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  fs.writeFileSync(path.join(rootfs, 'etc', 'passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(rootfs, 'etc', 'group'), 'root:x:0:\n');
  const tar = scratch.path('rootfs.tar');
  const r = run('tar', ['-C', rootfs, '-cf', tar, '.']);
  if (r.status !== 0) throw new Error(`tar: ${r.stderr}`);
  return tar;
}

/** podman with all of its storage, run state, temp files and config in `scratch`. */
/** Where podman (cgroupfs manager) puts its containers' and conmon's cgroups. */
const PODMAN_CGROUP_PARENT = 'libpod_parent';

/** The cgroup hierarchies of this host (v1 controllers, and unified / the v2 root). */
function cgroupHierarchies(): string[] {
  const root = '/sys/fs/cgroup';
  if (fs.existsSync(path.join(root, 'cgroup.controllers'))) return [root];
  return fs
    .readdirSync(root)
    .map((h) => path.join(root, h))
    .filter((h) => fs.statSync(h).isDirectory());
}

export class Podman {
  readonly conf: string;
  /** podman leaves libpod_parent/conmon behind; removed at cleanup when the test made it. */
  private readonly cgroupParentExisted = cgroupHierarchies().some((h) =>
    fs.existsSync(path.join(h, PODMAN_CGROUP_PARENT)),
  );

  constructor(
    readonly scratch: Scratch,
    runtimes: Record<string, string> = {},
  ) {
    this.conf = scratch.path('containers.conf');
    const names = Object.keys(runtimes);
    fs.writeFileSync(
      this.conf,
      [
        '[containers]',
        // No bridge network: it would add an interface, iptables rules and /run/netns on the host.
        'netns = "none"',
        // podman asks for more than this kind of machine's hard limits allow.
        'default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]',
        '',
        '[engine]',
        'cgroup_manager = "cgroupfs"',
        'events_logger = "file"',
        `runtime_supports_json = ${JSON.stringify([...new Set(['runc', ...names])])}`,
        '',
        '[engine.runtimes]',
        ...names.map((n) => `${n} = [${JSON.stringify(runtimes[n])}]`),
        '',
      ].join('\n'),
    );
    fs.mkdirSync(scratch.path('tmp'), { recursive: true });
  }

  run(args: string[], opts: SpawnSyncOptions = {}): Run {
    const s = this.scratch;
    return run(
      'podman',
      [
        '--root',
        s.path('podman', 'root'),
        '--runroot',
        s.path('podman', 'run'),
        '--tmpdir',
        s.path('podman', 'tmp'),
        ...args,
      ],
      { ...opts, env: { ...process.env, CONTAINERS_CONF: this.conf, TMPDIR: s.path('tmp') } },
    );
  }

  /** The busybox image, imported from a rootfs tarball (no registry is reachable). */
  importBusybox(ref: string): void {
    const r = this.run(['import', busyboxRootfsTar(this.scratch), ref]);
    if (r.status !== 0) throw new Error(`podman import: ${r.stderr}`);
  }

  /** Every container and the storage's mounts gone (the scratch folder is removed after). */
  cleanup(): void {
    this.run(['rm', '--all', '--force', '--time', '0']);
    if (this.cgroupParentExisted) return;
    for (const h of cgroupHierarchies())
      for (const d of ['conmon', '']) {
        const dir = path.join(h, PODMAN_CGROUP_PARENT, d);
        if (!fs.existsSync(dir)) continue;
        try {
          fs.rmdirSync(dir); // only an empty cgroup goes; a busy one stays and is reported
        } catch (e) {
          process.stderr.write(`podman cgroup ${dir} left: ${(e as Error).message}\n`);
        }
      }
  }
}
