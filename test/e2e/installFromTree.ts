// The extension from this tree, installed into an extensions folder as a symbolic link to
// the checkout: the workbench loads it like any installed extension (with the notifications
// and dialogs a user gets; a window under development for tests hides both), and runs the
// tree's build output.
import { mkdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

/** Links the checkout into `extensionsDir` and returns the link. */
export function linkTree(extensionsDir: string): string {
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    publisher: string;
    name: string;
    version: string;
  };
  mkdirSync(extensionsDir, { recursive: true });
  const link = join(extensionsDir, `${manifest.publisher}.${manifest.name}-${manifest.version}`);
  symlinkSync(repoRoot, link, 'dir');
  return link;
}
