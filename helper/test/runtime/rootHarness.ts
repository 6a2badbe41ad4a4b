// Shared by the root integration tests: root check, throw-away bundles with a busybox
// rootfs, launching through the real runtime, and the host mount table.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { TestContext } from 'node:test';
import { findBusybox } from './busybox';
import { parseMountinfo, type Plan, planBundle, realHostView } from '@bindery/plan';
import type { OperationEvent, OutputEvent } from '../../src/protocol';
import { runtimeWith, type Container } from '../../src/runtime/container';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { baseSpec, runcMounts } from '../baseSpec';

const { launchContainer } = runtimeWith(koffiSyscalls());

/** Root tests fail in CI when not root (a skip there would hide that nothing was tested), skip locally. */
export function needsRoot(t: TestContext): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI)
    throw new Error(
      'root integration tests must run as root in CI (they were about to be skipped)',
    );
  t.skip('needs root: run as root to exercise real mounts');
  return false;
}

export { findBusybox };

const tmpRoots: string[] = [];

/**
 * The host's mount table, every line of it except mounts inside *other* programs' scratch
 * directories under the temp dir (other test suites on the same machine mount there while
 * these tests run). Mounts under this file's own temp dirs are kept, so a leak there shows.
 */
export function hostMountinfo(): string {
  const tmp = os.tmpdir().replace(/\/+$/, '') + '/';
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => {
      const point = parseMountinfo(line)[0]?.mountPoint ?? '';
      return (
        !point.startsWith(tmp) || tmpRoots.some((d) => point === d || point.startsWith(d + '/'))
      );
    })
    .join('\n');
}

/** A temp directory removed by cleanupTemp() (never through a mount: nothing is mounted on the host). */
export function tempDir(prefix: string): string {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), `bindery-${prefix}-`));
  tmpRoots.push(d);
  return d;
}

export function cleanupTemp(): void {
  for (const d of tmpRoots.splice(0)) fs.rmSync(d, { recursive: true, force: true });
}

export interface BundleOptions {
  args: string[];
  mounts?: unknown[];
  hostname?: string;
  readonlyRoot?: boolean;
  namespaces?: string[];
  user?: Record<string, unknown>;
  cwd?: string;
  extra?: Record<string, unknown>;
  /** Called with the rootfs path to add files or symlinks before launch. */
  prepare?: (rootfs: string) => void;
}

export function makeBundle(o: BundleOptions): string {
  const dir = tempDir('bundle');
  const rootfs = path.join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'sys', 'dev', 'etc', 'tmp', 'data', 'root'])
    fs.mkdirSync(path.join(rootfs, d), { recursive: true });
  const busybox = findBusybox();
  fs.copyFileSync(busybox, path.join(rootfs, 'bin', 'busybox'));
  fs.chmodSync(path.join(rootfs, 'bin', 'busybox'), 0o755);
  for (const applet of [
    'sh',
    'cat',
    'echo',
    'mount',
    'hostname',
    'sleep',
    'true',
    'false',
    'touch',
    'grep',
    'id',
    'ls',
    'head',
    'printf',
    'readlink',
    'pwd',
    'ip',
    'kill',
  ]) {
    fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
  }
  o.prepare?.(rootfs);
  const config = baseSpec({
    user: o.user,
    args: o.args,
    env: ['PATH=/bin', 'HOME=/root'],
    cwd: o.cwd,
    process: { noNewPrivileges: true, ...(o.extra?.process as object | undefined) },
    readonlyRoot: o.readonlyRoot ?? false,
    hostname: o.hostname ?? 'testbox',
    mounts: o.mounts ?? runcMounts('/proc', '/dev'),
    namespaces: o.namespaces,
    linux: o.extra?.linux as Record<string, unknown> | undefined,
  });
  fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(config, null, 2));
  return dir;
}

export function planFor(bundle: string, stateRoot: string, id: string): Plan {
  return planBundle({
    text: fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'),
    bundleDir: bundle,
    host: realHostView(),
    stateDir: path.join(stateRoot, id),
  });
}

export interface Launched {
  container: Container;
  operations: OperationEvent[];
  /** Output so far, per stream. */
  out: { stdout: string; stderr: string };
  chunks: OutputEvent[];
}

export async function launch(
  bundle: string,
  stateRoot: string,
  id: string,
  plan = planFor(bundle, stateRoot, id),
): Promise<Launched> {
  const operations: OperationEvent[] = [];
  const container = await launchContainer({
    id,
    bundleDir: bundle,
    plan,
    owner: { uid: 0, gid: 0 },
    stateRoot,
    onOperation: (e) => operations.push(e),
  });
  const launched: Launched = { container, operations, out: { stdout: '', stderr: '' }, chunks: [] };
  container.on('output', (o: OutputEvent) => {
    launched.chunks.push(o);
    launched.out[o.stream] += o.data;
  });
  return launched;
}

/** Run to completion and tear down; returns stdout, stderr and the exit event. */
export async function runToEnd(bundle: string, stateRoot: string, id: string) {
  const l = await launch(bundle, stateRoot, id);
  const exit = await l.container.exited;
  await l.container.teardown();
  return { ...l.out, exit, operations: l.operations };
}
