// The helper's bundles keep `koffi` (a native module) as a real require. A .vsix built with
// --no-dependencies has no node_modules, so `bindery daemon` from an installed extension
// could not load it. This copies koffi's loader and its Linux binaries next to the bundles
// (helper/dist/node_modules/koffi), where Node's lookup from helper/dist/*.js finds them.
// Run after the build, before vsce collects files (see `vscode:prepublish`).
import { copyFileSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { repoRoot } from './paths';

const from = dirname(require.resolve('koffi/package.json', { paths: [join(repoRoot, 'helper')] }));
const to = join(repoRoot, 'helper', 'dist', 'node_modules', 'koffi');
// index.js carries its package.json inlined; the binaries are found under build/koffi/<triplet>.
const files = [
  'package.json',
  'index.js',
  'LICENSE.txt',
  'build/koffi/linux_x64/koffi.node',
  'build/koffi/linux_arm64/koffi.node',
];

rmSync(to, { recursive: true, force: true });
for (const file of files) {
  mkdirSync(dirname(join(to, file)), { recursive: true });
  copyFileSync(join(from, file), join(to, file));
}
console.log(`bundled koffi's native module into ${to}`);
