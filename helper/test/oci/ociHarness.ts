// Shared by the runtime-interface tests: the built `bindery` command (what engines run), runc
// beside it as the oracle, and clean-up of what a failed test may leave.
import { spawnSync, type SpawnSyncOptions } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

export const HELPER = path.join(__dirname, '..', '..');
/** The installed command, loading dist/cli.js (with its code cache) as an engine would. */
export const BINDERY = path.join(HELPER, 'bin', 'bindery.js');

/** Engines call the built runtime: a missing build is a failure, not a skip. */
export function assertBuilt(): void {
  for (const f of ['cli.js', 'init.js'])
    if (!fs.existsSync(path.join(HELPER, 'dist', f)))
      throw new Error(`helper/dist/${f} is missing: run \`npm run build\` first`);
}

export interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** One runtime call, `tool --root ROOT ARGS…`. */
export function runtime(
  tool: 'bindery' | 'runc',
  root: string,
  args: string[],
  opts: SpawnSyncOptions = {},
): Result {
  const r = spawnSync(tool === 'runc' ? 'runc' : BINDERY, ['--root', root, ...args], {
    encoding: 'utf8',
    timeout: 60_000,
    ...opts,
  });
  return { status: r.status, stdout: String(r.stdout ?? ''), stderr: String(r.stderr ?? '') };
}

/** runc's and Bindery's state of a container, or undefined when it does not exist. */
export function stateOf(tool: 'bindery' | 'runc', root: string, id: string) {
  const r = runtime(tool, root, ['state', id]);
  if (r.status !== 0) return undefined;
  return JSON.parse(r.stdout) as { status: string; pid: number; id: string; bundle: string };
}

/** Polls `state` (as engines and the conformance suite do) until the status is `want`. */
export async function waitStatus(tool: 'bindery' | 'runc', root: string, id: string, want: string) {
  for (let i = 0; i < 100; i++) {
    if (stateOf(tool, root, id)?.status === want) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${tool}: ${id} never became ${want} (now ${stateOf(tool, root, id)?.status})`);
}

/** Force-delete whatever a failed test left under `root`, then the folder. */
export function cleanRoot(tool: 'bindery' | 'runc', root: string): void {
  if (!fs.existsSync(root)) return;
  for (const id of fs.readdirSync(root)) runtime(tool, root, ['delete', '--force', id]);
  fs.rmSync(root, { recursive: true, force: true });
}
