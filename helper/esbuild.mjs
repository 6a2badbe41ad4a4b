// Bundles the helper's executables into dist/: one entry per program, each a runnable
// CommonJS file with a node shebang. Add a program by adding a line to ENTRIES.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

const ENTRIES = [
  { in: 'src/cli.ts', out: 'cli' },
  // The init's entry (what the launcher runs) loads its bundle with a code cache.
  { in: 'src/runtime/initLoader.ts', out: 'init' },
  { in: 'src/runtime/init.ts', out: 'init-main' },
  // A long-lived daemon: V8's default young generation (16 MiB semi-spaces) grows to its
  // limit under the launches' short-lived garbage and stays resident; 4 MiB keeps binderyd's
  // RSS with 100 containers about 14 MiB lower (memory bench), at more frequent, shorter
  // scavenges. The flag is on the shebang so every way of starting it (systemd, a shell, the
  // benchmarks, which read it back) gets it.
  { in: 'src/binderyd.ts', out: 'binderyd', nodeFlags: ['--max-semi-space-size=4'] },
];

const options = {
  entryPoints: ENTRIES.map((e) => ({ in: join(here, e.in), out: e.out })),
  outdir: join(here, 'dist'),
  bundle: true,
  platform: 'node',
  target: 'node20',
  format: 'cjs',
  // koffi loads a native module at run time; it stays a real require.
  external: ['koffi'],
  // jsonc-parser's UMD build hides its requires from the bundler; its ESM build bundles cleanly.
  mainFields: ['module', 'main'],
  banner: { js: '#!/usr/bin/env node' },
  sourcemap: true,
  minify: process.argv.includes('--minify'),
  logLevel: 'warning',
};

if (process.argv.includes('--watch')) {
  const ctx = await esbuild.context(options);
  await ctx.watch();
} else {
  await esbuild.build(options);
  for (const e of ENTRIES) {
    const file = join(here, 'dist', `${e.out}.js`);
    if (e.nodeFlags) {
      // `env -S` splits the line, so node receives the flags as arguments of its own.
      const text = readFileSync(file, 'utf8').replace(/^#!.*\n/, `#!/usr/bin/env -S node ${e.nodeFlags.join(' ')}\n`);
      writeFileSync(file, text);
    }
    chmodSync(file, 0o755);
  }
  // The code caches bin/bindery.js loads the CLI with (every runtime call is a new process)
  // and dist/init.js the container init (one per container); the init's warm-up makes only
  // calls that fail harmlessly (warmUp.ts).
  for (const bundle of ['cli.js', 'init-main.js']) {
    const cache = spawnSync(process.execPath, [join(here, 'bin', 'compileCache.js'), '--write', join(here, 'dist', bundle)], {
      stdio: 'inherit',
    });
    if (cache.status !== 0) process.exitCode = 1;
  }
}
