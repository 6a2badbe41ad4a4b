// The README's commands on a fresh clone, as a newcomer runs them: `git clone` of this
// checkout into a temp folder, `npm ci`, then `npm start` until the URL it prints answers,
// then Ctrl-C (SIGINT to its process group, as a terminal sends it). It checks that each
// command works, `npm ci` prints no engine warning, `npm start` opens a copy of the
// examples (not the clone's own), Ctrl-C stops everything and removes its temp folder with
// nothing left mounted, and the clone's `git status` is clean afterwards.
//
//   node --import tsx test/e2e/freshClone.ts        (as root: `npm start` runs the helper)
//
// Cost: `npm ci` from the npm cache the checkout's own install filled, and the one-time
// set-up shared with the checkout (BINDERY_CACHE_DIR), so `npm start` checks it rather
// than compiling code-server again; CI's own set-up phase is the cold run of that script.
// The clone holds what is committed (HEAD), not uncommitted changes.
import { spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mountsUnder } from './leakedMounts';
import { cacheDir, repoRoot } from './paths';

const START_TIMEOUT_MS = 10 * 60 * 1000;
const STOP_TIMEOUT_MS = 60 * 1000;
const say = (message: string) => console.log(`fresh clone: ${message}`);

// A newcomer's shell: none of the npm_* variables of the `npm test` this may run under.
const env: NodeJS.ProcessEnv = Object.fromEntries(
  Object.entries(process.env).filter(([name]) => !/^npm_/i.test(name)),
);
// Git refuses a repository owned by another user unless told it is safe (CI's checkout).
Object.assign(env, {
  GIT_CONFIG_COUNT: '1',
  GIT_CONFIG_KEY_0: 'safe.directory',
  GIT_CONFIG_VALUE_0: '*',
});

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  const result = spawnSync(command, args, { cwd, env, encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0)
    throw new Error(
      `\`${[command, ...args].join(' ')}\` failed (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  return result;
}

function timed<T>(what: string, fn: () => T): T {
  const started = Date.now();
  const value = fn();
  say(`${what}: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return value;
}

async function main(): Promise<void> {
  if (process.getuid?.() !== 0) throw new Error('run it as root: `npm start` runs the helper');
  if (!existsSync(join(repoRoot, '.git')))
    throw new Error(`${repoRoot} is not a git checkout: the test clones it`);
  const parent = mkdtempSync(join(tmpdir(), 'bindery-fresh-clone-'));
  const clone = join(parent, 'bindery');
  try {
    const head = run('git', ['rev-parse', '--short', 'HEAD'], repoRoot).stdout.trim();
    timed(`git clone (${head})`, () => run('git', ['clone', '--quiet', repoRoot, clone], parent));

    const ci = timed('npm ci', () => run('npm', ['ci'], clone));
    const ciOutput = `${ci.stdout}${ci.stderr}`;
    if (/EBADENGINE|Unsupported engine/.test(ciOutput))
      throw new Error(`npm ci warned about engines on Node ${process.version}:\n${ciOutput}`);

    await startThenInterrupt(clone);

    const status = run('git', ['status', '--porcelain'], clone).stdout;
    if (status.trim())
      throw new Error(`the README's commands left the clone dirty (git status):\n${status}`);
    say('git status is clean');
  } finally {
    rmSync(parent, { recursive: true, force: true });
  }
}

/** `npm start` until its URL answers, then Ctrl-C; checks what it printed and left. */
async function startThenInterrupt(clone: string): Promise<void> {
  const started = Date.now();
  const child = spawn('npm', ['start'], {
    cwd: clone,
    env: { ...env, BINDERY_CACHE_DIR: cacheDir },
    detached: true, // its own process group, which Ctrl-C in a terminal signals as a whole
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  // npm itself dies of the SIGINT, as it does in a terminal; what matters is what start.ts,
  // which handles it, does before it exits: so the whole group is waited for below.
  const exited = new Promise<string>((resolve) =>
    child.once('exit', (code, signal) => resolve(signal ?? String(code))),
  );
  const interrupt = () => {
    try {
      process.kill(-(child.pid as number), 'SIGINT');
    } catch {
      // Already gone.
    }
  };
  try {
    const url = await waitForUrl(() => output, exited, started);
    say(`npm start: answering at ${url} after ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const line of ['checking the one-time set-up', 'building', 'helper running'])
      if (!output.includes(line)) throw new Error(`npm start did not say "${line}":\n${output}`);
    const folder = decodeURIComponent(/[?&]folder=([^&\s]+)/.exec(url)?.[1] ?? '');
    if (!folder || folder.startsWith(clone) || !existsSync(join(folder, 'hello', 'config.json')))
      throw new Error(`npm start should open a copy of examples/ outside the clone, not ${folder}`);
    const tempDir = folder.slice(0, folder.lastIndexOf('/'));

    const stopping = Date.now();
    interrupt();
    const npmExit = await exited;
    if (npmExit !== '0' && npmExit !== 'SIGINT')
      throw new Error(`after Ctrl-C, npm start exited with ${npmExit}:\n${output}`);
    if (!(await groupEnded(child.pid as number, STOP_TIMEOUT_MS)))
      throw new Error(`processes of npm start still run ${STOP_TIMEOUT_MS / 1000} s after Ctrl-C`);
    if (!output.includes('bindery start: stopped; removed'))
      throw new Error(`npm start did not say it stopped and cleaned up:\n${output}`);
    say(`Ctrl-C: everything stopped in ${((Date.now() - stopping) / 1000).toFixed(1)} s`);
    if (existsSync(tempDir)) throw new Error(`npm start left ${tempDir} behind`);
    const leaked = mountsUnder(tempDir);
    if (leaked.length) throw new Error(`still mounted after Ctrl-C:\n  ${leaked.join('\n  ')}`);
  } finally {
    // On a failure above: stop it the way a user would, then for good.
    interrupt();
    if (!(await groupEnded(child.pid as number, 10000))) {
      try {
        process.kill(-(child.pid as number), 'SIGKILL');
      } catch {
        // Ended meanwhile.
      }
    }
  }
}

/** Waits until no process of the group `pgid` is left (the ones start.ts started have their own). */
async function groupEnded(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      process.kill(-pgid, 0);
    } catch {
      return true;
    }
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

async function waitForUrl(
  output: () => string,
  exited: Promise<string>,
  started: number,
): Promise<string> {
  let ended: string | undefined;
  void exited.then((code) => (ended = code));
  for (;;) {
    const url = /http:\/\/127\.0\.0\.1:\d+\/\?folder=\S+/.exec(output())?.[0];
    if (url && (await answers(url))) return url;
    if (ended !== undefined) throw new Error(`npm start exited (${ended}) early:\n${output()}`);
    if (Date.now() - started > START_TIMEOUT_MS)
      throw new Error(`npm start printed no URL that answers:\n${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(5000) });
    return response.ok;
  } catch {
    return false;
  }
}

const begun = Date.now();
main().then(
  () => {
    say(`passed in ${((Date.now() - begun) / 1000).toFixed(1)} s`);
    process.exit(0);
  },
  (error: Error) => {
    console.error(`fresh clone: FAILED: ${error.message}`);
    process.exit(1);
  },
);
