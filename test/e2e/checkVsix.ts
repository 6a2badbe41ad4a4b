// Checks a packaged .vsix the way a user's VS Code will use it: everything the manifest
// points at is inside, nothing else is (no sources, tests, maps, node_modules, examples).
//
//   node --import tsx test/e2e/checkVsix.ts [bindery-<version>.vsix]
import { spawnSync } from 'node:child_process';
import { statSync } from 'node:fs';
import { posix } from 'node:path';
import { vsixPath } from './installVsix';

interface Manifest {
  main?: string;
  icon?: string;
  contributes?: {
    grammars?: { path: string }[];
    languages?: { configuration?: string; icon?: { light: string; dark: string } }[];
    viewsContainers?: Record<string, { icon?: string }[]>;
    jsonValidation?: { url: string }[];
    walkthroughs?: {
      steps: { media: { markdown?: string; image?: string | Record<string, string> } }[];
    }[];
  };
}

const mustNotShip = [
  // Only the helper's native module may ship as a package (see bundleNativeModules.ts).
  /^(?!helper\/dist\/node_modules\/koffi\/)(.*\/)?node_modules\//,
  /\.ts$/,
  /\.map$/,
  /^client\/dist\/test\//,
  /^(test|examples|\.vscode-test|\.ci)\//,
  /^(client|server|helper)\/(src|test)\//,
];

/** Problems found, empty when the package is good. */
export function checkVsixEntries(entries: string[]): string[] {
  const files = new Set(entries.filter((e) => e.startsWith('extension/')).map((e) => e.slice(10)));
  const manifest = JSON.parse(readEntry('extension/package.json')) as Manifest;
  const problems: string[] = [];
  const need = (path: string | undefined, why: string) => {
    if (!path || /^https?:/.test(path)) return;
    const normal = posix.normalize(path.replace(/^\.\//, ''));
    if (!files.has(normal) && !files.has(`${normal}.js`))
      problems.push(`missing ${normal} (${why})`);
  };
  need(manifest.main, 'main');
  need(manifest.icon, 'icon');
  for (const g of manifest.contributes?.grammars ?? []) need(g.path, 'a grammar');
  for (const l of manifest.contributes?.languages ?? []) {
    need(l.configuration, 'a language configuration');
    need(l.icon?.light, 'a language icon');
    need(l.icon?.dark, 'a language icon');
  }
  for (const containers of Object.values(manifest.contributes?.viewsContainers ?? {})) {
    for (const c of containers) need(c.icon, 'a view container icon');
  }
  for (const j of manifest.contributes?.jsonValidation ?? []) need(j.url, 'a JSON schema');
  for (const w of manifest.contributes?.walkthroughs ?? []) {
    for (const { media } of w.steps) {
      need(media.markdown, 'a walkthrough step');
      const images =
        typeof media.image === 'string' ? [media.image] : Object.values(media.image ?? {});
      for (const image of images) need(image, 'a walkthrough image');
    }
  }
  need('server/dist/server.js', 'the language server the client starts');
  need('helper/dist/cli.js', 'the bindery CLI and helper');
  need('helper/dist/node_modules/koffi/index.js', 'the native module `bindery daemon` loads');
  need('helper/dist/node_modules/koffi/build/koffi/linux_x64/koffi.node', 'koffi on x86-64');
  if (!files.has('readme.md') && !files.has('README.md')) problems.push('missing README.md');
  // The details page renders the README from the installed folder: relative images must ship.
  const readme = files.has('readme.md') ? readEntry('extension/readme.md') : '';
  for (const match of readme.matchAll(/!\[[^\]]*\]\(([^)\s]+)|<img[^>]+src="([^"]+)"/g)) {
    need(match[1] ?? match[2], 'an image in the README');
  }
  if (![...files].some((f) => /^license/i.test(f))) problems.push('missing LICENSE');
  for (const file of files) {
    if (mustNotShip.some((pattern) => pattern.test(file))) problems.push(`should not ship ${file}`);
  }
  return problems;

  function readEntry(name: string): string {
    return unzip(['-p', vsix, name]);
  }
}

function unzip(args: string[]): string {
  const result = spawnSync('unzip', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`unzip ${args.join(' ')} failed: ${result.stderr}`);
  return result.stdout;
}

const vsix = vsixPath(process.argv[2] ?? '1');
const entries = unzip(['-Z1', vsix])
  .split('\n')
  .filter((line) => line && !line.endsWith('/'));
const problems = checkVsixEntries(entries);
console.log(`${vsix}: ${(statSync(vsix).size / 1024).toFixed(0)} KiB, ${entries.length} files`);
for (const entry of entries) console.log(`  ${entry}`);
if (problems.length > 0) {
  console.error(`vsix check FAILED:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log('vsix check passed');
