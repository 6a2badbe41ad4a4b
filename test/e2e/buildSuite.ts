// Compiles a mocha suite that runs inside the extension host: every .ts under the suite's
// folder becomes its own CommonJS file in the output folder, so an index.js that looks for
// *.test.js next to itself finds them. `vscode` comes from the extension host and mocha
// from the repository's node_modules at run time.
import { build } from 'esbuild';
import { readdirSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';
import { repoRoot } from './paths';

export interface Suite {
  name: string;
  sourceDir: string;
  outDir: string;
}

export const suites: Record<'smoke' | 'client', Suite> = {
  smoke: {
    name: 'smoke',
    sourceDir: join(repoRoot, 'test', 'e2e', 'smoke'),
    outDir: join(repoRoot, 'test', 'e2e', 'dist', 'smoke'),
  },
  client: {
    name: 'client',
    sourceDir: join(repoRoot, 'client', 'test', 'suite'),
    outDir: join(repoRoot, 'client', 'dist', 'test', 'suite'),
  },
};

/** Builds the suite and returns the absolute path of its compiled index.js. */
export async function buildSuite(suite: Suite): Promise<string> {
  const entryPoints = listTypeScript(suite.sourceDir);
  if (!entryPoints.some((file) => relative(suite.sourceDir, file) === 'index.ts')) {
    throw new Error(`${suite.name} suite: no index.ts in ${suite.sourceDir}`);
  }
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
  return join(suite.outDir, 'index.js');
}

function listTypeScript(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter(
      (entry) => entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts'),
    )
    .map((entry) => join(entry.parentPath, entry.name));
}
