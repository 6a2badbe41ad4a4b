// The container init's entry, dist/init.js: runs the init's bundle (dist/init-main.js, from
// init.ts) with the V8 code cache the build wrote beside it, through the same loader as the
// CLI (bin/compileCache.js), so that an init does not parse and compile its bundle, nor the
// launch path its warm-up runs, afresh: about 10 ms of the ~70 ms of CPU each init's
// start-up costs (bench/initStart.bench.ts; README "Where an init's start-up goes").
import * as path from 'node:path';

/** What init.ts exports. */
interface InitBundle {
  main(): void;
  prepare(): void;
}

// eslint-disable-next-line @typescript-eslint/no-require-imports -- plain CommonJS, bundled in
const { loadBundle } = require('../../bin/compileCache.js') as {
  loadBundle(file: string): { exports: InitBundle };
};

loadBundle(path.join(__dirname, 'init-main.js')).exports.main();
