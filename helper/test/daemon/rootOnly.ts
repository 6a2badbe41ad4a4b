// Root tests: skipped with a message on a developer's machine, a failure in CI.
import * as fs from 'node:fs';
import * as path from 'node:path';

export const isRoot = process.getuid?.() === 0;

/**
 * The `skip` option for a root-only suite: a message when not root on a developer's
 * machine; false in CI, where `assertRoot` in the suite's `before` then fails it.
 */
export function rootSkip(what: string): string | false {
  if (isRoot || process.env.CI) return false;
  return `${what}: not root (run with sudo; in CI this is a failure, not a skip)`;
}

export function assertRoot(what: string): void {
  if (!isRoot) throw new Error(`${what} must run as root in CI (uid ${process.getuid?.()}); a skip there is a failure`);
}

/** Lines of the host's mount table that mention `dir` (there must be none after a test). */
export function hostMountsUnder(dir: string): string[] {
  return fs
    .readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((l) => l.includes(dir));
}

/** Bytes the files under `dir` take on its file system (st_blocks), whatever their sizes say. */
export function allocatedUnder(dir: string): number {
  let sum = 0;
  for (const name of fs.readdirSync(dir)) {
    const st = fs.lstatSync(path.join(dir, name));
    sum += st.isDirectory() ? allocatedUnder(path.join(dir, name)) : st.blocks * 512;
  }
  return sum;
}

/**
 * Waits (a few seconds at most) for process `pid` to sleep in a pipe write — a container
 * whose output nobody reads — and returns its wait channel, whatever it is by then.
 */
export async function pipeWriteWait(pid: number): Promise<string> {
  let wchan = '';
  for (let i = 0; i < 200 && !/pipe_write/.test(wchan); i++) {
    await new Promise((r) => setTimeout(r, 50));
    wchan = fs.readFileSync(`/proc/${pid}/wchan`, 'utf8');
  }
  return wchan;
}
