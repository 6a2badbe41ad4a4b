// Bundles the extension (src/extension.ts → dist/extension.js, `vscode` left to the host)
// and the end-to-end mocha suite (test/suite/*.ts → dist/test/suite/*.js).
import * as esbuild from 'esbuild';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import { existsSync, readdirSync } from 'node:fs';

const here = dirname(fileURLToPath(import.meta.url));
const watch = process.argv.includes('--watch');

const common = {
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  sourcemap: true,
  external: ['vscode'],
  // jsonc-parser's UMD build hides its requires from the bundler (the packaged .vsix has no
  // node_modules to find them in); its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  logLevel: 'info',
};

// The suite: every .ts under test/suite becomes its own file, so index.js finds the
// *.test.js beside it (the same layout the end-to-end runner builds); mocha comes from
// node_modules at run time, as `vscode` comes from the extension host.
const suiteDir = join(here, 'test', 'suite');
const suiteFiles = existsSync(suiteDir)
  ? readdirSync(suiteDir, { recursive: true, withFileTypes: true })
      .filter((e) => e.isFile() && e.name.endsWith('.ts') && !e.name.endsWith('.d.ts'))
      .map((e) => join(e.parentPath, e.name))
  : [];

const builds = [
  {
    ...common,
    entryPoints: [join(here, 'src', 'extension.ts')],
    outfile: join(here, 'dist', 'extension.js'),
    minify: process.argv.includes('--minify'),
  },
  ...(suiteFiles.length
    ? [
        {
          ...common,
          entryPoints: suiteFiles,
          outbase: suiteDir,
          outdir: join(here, 'dist', 'test', 'suite'),
          external: ['vscode', 'mocha'],
        },
      ]
    : []),
];

if (watch) {
  for (const options of builds) await (await esbuild.context(options)).watch();
} else {
  await Promise.all(builds.map((options) => esbuild.build(options)));
}
