// The mocha suites that run inside the extension host, and how each gets compiled:
// - client: the extension's own suite (client/test/suite), bundled by client/esbuild.mjs as
//   part of `npm run build` into client/dist/test/suite/index.js;
// - smoke: this folder's check of the machinery itself, compiled here: every .ts becomes its
//   own CommonJS file so index.js finds the *.test.js next to it; `vscode` comes from the
//   extension host and mocha from the repository's node_modules at run time.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

export interface Suite {
  name: 'smoke' | 'client';
  sourceDir: string;
  outDir: string;
  /** Compiled by `npm run build`, not here. */
  builtByWorkspace: boolean;
}

export const suites: Record<Suite['name'], Suite> = {
  smoke: {
    name: 'smoke',
    sourceDir: join(repoRoot, 'test', 'e2e', 'smoke'),
    outDir: join(repoRoot, 'test', 'e2e', 'dist', 'smoke'),
    builtByWorkspace: false,
  },
  client: {
    name: 'client',
    sourceDir: join(repoRoot, 'client', 'test', 'suite'),
    outDir: join(repoRoot, 'client', 'dist', 'test', 'suite'),
    builtByWorkspace: true,
  },
};

/** `all`: smoke, then the extension's suite (required in CI, where it must exist). */
export function selectSuites(choice: string, ci: boolean, say: (m: string) => void): Suite[] {
  if (choice === 'smoke' || choice === 'client') return [suites[choice]];
  if (choice !== 'all') throw new Error(`--suite must be smoke, client or all, not ${choice}`);
  if (existsSync(join(suites.client.sourceDir, 'index.ts'))) return [suites.smoke, suites.client];
  const missing = `the extension's suite is missing (${suites.client.sourceDir}/index.ts)`;
  if (ci) throw new Error(missing);
  say(`${missing}; running the smoke suite only`);
  return [suites.smoke];
}

/** Builds the suite if it is ours and returns the absolute path of its compiled index.js. */
export async function buildSuite(suite: Suite): Promise<string> {
  const index = join(suite.outDir, 'index.js');
  if (suite.builtByWorkspace) {
    if (!existsSync(index)) throw new Error(`${index} not found: run \`npm run build\` first`);
    return index;
  }
  const entryPoints = listTypeScript(suite.sourceDir);
  rmSync(suite.outDir, { recursive: true, force: true });
  await build({
    entryPoints,
    outbase: suite.sourceDir,
    outdir: suite.outDir,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  if (!existsSync(index)) throw new Error(`${suite.name} suite: no index.ts in ${suite.sourceDir}`);
  return index;
}

/** The harness extension that runs a suite in the extension host (harness/extension.ts). */
const harnessDir = join(repoRoot, 'test', 'e2e', 'harness');

/** The folder name an installed copy of the harness has: publisher.name-version. */
export function harnessFolderName(): string {
  const manifest = JSON.parse(readFileSync(join(harnessDir, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  return `${manifest.publisher}.${manifest.name}-${manifest.version}`;
}

/** Compiles the harness into `into` (manifest and bundle); returns `into`. */
export async function buildHarness(into: string): Promise<string> {
  mkdirSync(into, { recursive: true });
  copyFileSync(join(harnessDir, 'package.json'), join(into, 'package.json'));
  await build({
    entryPoints: [join(harnessDir, 'extension.ts')],
    outfile: join(into, 'dist', 'extension.js'),
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    logLevel: 'warning',
  });
  return into;
}

function listTypeScript(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => join(entry.parentPath, entry.name));
}
