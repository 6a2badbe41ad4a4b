// koffi, loaded without its loader's start-up cost. koffi's index.js requires node:https,
// node:crypto and node:zlib when it is loaded, for the tool that downloads binaries at
// install time: about 15 ms of CPU in every process, a fifth of a container init's start-up
// (bench/initStart.bench.ts). At run time all it does is pick
// build/koffi/<platform>_<arch>/koffi.node (the layout koffi's packaging guide gives for
// bundles, and test/e2e/bundleNativeModules.ts ships) and check that the binary's version is
// the package's. This does the same, and falls back to koffi's own loader whenever the
// binary is not there or is another version.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type koffiModule from 'koffi';

export type Koffi = typeof koffiModule;

function load(): Koffi {
  /* eslint-disable @typescript-eslint/no-require-imports -- a native module and a JSON file, found at run time */
  try {
    const dir = path.dirname(require.resolve('koffi/package.json'));
    const version = (require(path.join(dir, 'package.json')) as { version: string }).version;
    const binary = path.join(
      dir,
      'build',
      'koffi',
      `${process.platform}_${process.arch}`,
      'koffi.node',
    );
    if (fs.existsSync(binary)) {
      const native = require(binary) as Koffi & { version?: string };
      if (native.version === version) return native;
    }
  } catch {
    // koffi is laid out otherwise (a bundler's copy): its own loader knows where to look
  }
  return require('koffi') as Koffi;
  /* eslint-enable @typescript-eslint/no-require-imports */
}

/** The process's koffi (a native module: loaded once, when this module is). */
export const koffi: Koffi = load();
