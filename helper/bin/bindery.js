#!/usr/bin/env node
// The installed `bindery` command. It exists before the build so npm can link it at install
// time; the program is the bundle `npm run build` writes to dist/cli.js, loaded with the
// V8 code cache the build writes beside it (compileCache.js).
/* eslint-disable @typescript-eslint/no-require-imports -- a plain CommonJS launcher, not compiled */
'use strict';
const path = require('node:path');
const { loadBundle } = require('./compileCache.js');
const bundle = path.join(__dirname, '..', 'dist', 'cli.js');
let cli;
try {
  cli = loadBundle(bundle).exports;
} catch (e) {
  if (e && e.code === 'ENOENT' && e.path === bundle) {
    process.stderr.write('bindery: not built yet; run `npm run build` first\n');
    process.exit(2);
  }
  throw e;
}
cli.main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(
      `bindery: internal error: ${e instanceof Error ? e.message : String(e)}\n`,
    );
    process.exitCode = 70;
  },
);
