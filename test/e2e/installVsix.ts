// Installs a packaged .vsix into an extensions folder with code-server's own installer,
// which is what a user's `code --install-extension` does: it tests the artefact, not the tree.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { codeServerBaseEnv, codeServerCommand } from './startCodeServer';
import { repoRoot } from './paths';

/** `BINDERY_E2E_VSIX=1` means the one `npm run package` writes; any other value is a path. */
export function vsixPath(setting: string): string {
  if (setting !== '1' && setting !== 'true') return setting;
  const manifest = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
    name: string;
    version: string;
  };
  return join(repoRoot, `${manifest.name}-${manifest.version}.vsix`);
}

/** Installs the package and returns the folder it was installed to. */
export function installVsix(vsix: string, extensionsDir: string, tempDir: string): string {
  if (!existsSync(vsix)) throw new Error(`${vsix} not found: run \`npm run package\` first`);
  const [command, args] = codeServerCommand([
    '--extensions-dir',
    extensionsDir,
    '--install-extension',
    vsix,
    '--force',
  ]);
  const result = spawnSync(command, args, {
    env: { ...process.env, ...codeServerBaseEnv(tempDir) },
    encoding: 'utf8',
    timeout: 120000,
  });
  if (result.status !== 0) {
    throw new Error(
      `installing ${vsix} failed (exit ${result.status}):\n${result.stdout}${result.stderr}`,
    );
  }
  const installed = readdirSync(extensionsDir).filter((name) =>
    name.startsWith('bindery.bindery-'),
  );
  if (installed.length !== 1) {
    throw new Error(
      `expected one bindery.bindery-* in ${extensionsDir}, found ${installed.length}`,
    );
  }
  return join(extensionsDir, installed[0]);
}
