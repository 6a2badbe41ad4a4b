// The folder the workbench opens: a throwaway copy of examples/ (tests may add or break
// bundles in it, `npm start` lets people edit and launch it; the checkout's tracked files
// stay as they are), with the helper's socket set in its workspace settings, and user
// settings that keep the workbench quiet (no welcome page, no trust prompt, no telemetry).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './paths';

export function prepareWorkspace(
  tempDir: string,
  socketPath: string | undefined,
  name = 'workspace',
): string {
  const workspace = join(tempDir, name);
  const examples = join(repoRoot, 'examples');
  mkdirSync(workspace, { recursive: true });
  if (existsSync(examples)) {
    // cp -a keeps the rootfs as it is: symlinks verbatim, modes, owners.
    const copy = spawnSync('cp', ['-a', `${examples}/.`, workspace], { stdio: 'inherit' });
    if (copy.status !== 0) throw new Error(`copying ${examples} into the test workspace failed`);
  }
  const settings: Record<string, unknown> = {};
  if (socketPath) settings['bindery.helper.socketPath'] = socketPath;
  mkdirSync(join(workspace, '.vscode'), { recursive: true });
  writeFileSync(
    join(workspace, '.vscode', 'settings.json'),
    JSON.stringify(settings, null, 2) + '\n',
  );
  return workspace;
}

/**
 * User settings for a fresh profile. `machine` settings (the helper's socket is
 * machine-overridable) are not read from user settings in a remote window such as
 * code-server's, only from the server's Machine settings: `machineSettings` go to both.
 */
export function writeUserSettings(
  userDataDir: string,
  machineSettings: Record<string, unknown> = {},
  userSettings: Record<string, unknown> = {},
): void {
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.enableExperiments': false,
    'security.workspace.trust.enabled': false,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'extensions.autoCheckUpdates': false,
    'extensions.autoUpdate': false,
    'git.enabled': false,
    'window.restoreWindows': 'none',
    // The workbench's AI features log to the same console as the extension host.
    'chat.disableAIFeatures': true,
    'chat.agent.enabled': false,
    'extensions.ignoreRecommendations': true,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    // Desktop VS Code's default: the web build saves edits after a delay, which would save
    // a config.json behind the user's back before launch asks what to launch.
    'files.autoSave': 'off',
    // The suites open the walkthrough themselves; `npm start` lets it open.
    'bindery.walkthrough.openOnFirstUse': false,
    ...userSettings,
    ...machineSettings,
  };
  writeSettings(join(userDataDir, 'User'), settings);
  writeSettings(join(userDataDir, 'Machine'), machineSettings);
}

function writeSettings(dir: string, settings: Record<string, unknown>): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2) + '\n');
}
