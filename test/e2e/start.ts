// `npm start`: the example workspace in VS Code with the extension loaded from this tree
// and a helper running beside it. In order:
//   1. the one-time set-up (test/e2e/setup.sh: Debian packages, Node 24 and code-server into
//      .vscode-test/; about 3 minutes the first time, well under a second afterwards);
//   2. the build;
//   3. the helper daemon (root) on a socket of its own in a temp folder;
//   4. a copy of examples/ in that temp folder, so that editing and launching never touch
//      the checkout's tracked files, opened
//      - in desktop VS Code when `code` is on PATH (a separate window with its own profile),
//      - otherwise in code-server on 127.0.0.1 (PORT or BINDERY_PORT, default a free port),
//        printing the URL to open.
// Ctrl-C (or closing the desktop window) stops the helper and whatever else it started and
// removes the temp folder, the copy with it.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startChild, stopAll, type Started } from './childProcesses';
import { workbenchUrl } from './driveWorkbench';
import { linkTree } from './installFromTree';
import { mountsUnder } from './leakedMounts';
import { repoRoot } from './paths';
import { prepareWorkspace, writeUserSettings } from './prepareWorkspace';
import { startCodeServer } from './startCodeServer';
import { startDaemon } from './startDaemon';

const started = Date.now();
const seconds = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (message: string) => console.log(`bindery start: ${message}`);
const tempDir = mkdtempSync(join(tmpdir(), 'bindery-start-'));
const examples = join(repoRoot, 'examples');

async function main(): Promise<number> {
  if (process.getuid?.() !== 0)
    throw new Error(
      'run it as root (`sudo npm start`): the helper performs real mounts, and the one-time set-up installs Debian packages',
    );
  const code = desktopCode();
  const desktop = code !== undefined && !process.env.BINDERY_USE_CODE_SERVER;
  run('checking the one-time set-up', 'bash', ['test/e2e/setup.sh', desktop ? 'desktop' : 'start']);
  run('building', 'npm', ['run', 'build', '--silent']);
  if (!existsSync(examples)) throw new Error(`no examples folder at ${examples}`);

  const daemon = await startDaemon(tempDir, undefined);
  say(`helper running (pid ${daemon.process.pid}) on ${daemon.socketPath}`);
  const workspace = prepareWorkspace(tempDir, daemon.socketPath, 'examples');
  say(
    `opening a copy of examples/ at ${workspace} (removed when you stop; the checkout is not touched)`,
  );
  const userDataDir = join(tempDir, 'user-data');
  writeUserSettings(
    userDataDir,
    { 'bindery.helper.socketPath': daemon.socketPath },
    { 'bindery.walkthrough.openOnFirstUse': true },
  );

  let editor: Started;
  if (desktop) {
    editor = startChild(
      'code',
      code,
      [
        '--wait',
        '--new-window',
        '--user-data-dir',
        userDataDir,
        '--extensionDevelopmentPath',
        repoRoot,
        '--no-sandbox', // Electron refuses to run as root with its sandbox
        workspace,
      ],
      { stdio: 'inherit' },
    );
    say(`opened in VS Code after ${seconds()}; close the window or press Ctrl-C to stop`);
  } else {
    const port = Number(process.env.BINDERY_PORT ?? process.env.PORT ?? 0) || undefined;
    // Installed as a link to this tree rather than opened under development: a development
    // window of code-server shows no notification toasts.
    const extensionsDir = join(tempDir, 'extensions');
    linkTree(extensionsDir);
    const server = await startCodeServer({
      tempDir,
      logDir: tempDir,
      workspace,
      env: {},
      port,
      extensionsDir,
    });
    editor = server.process;
    say(
      `VS Code (code-server) is ready after ${seconds()}. Open:\n\n  ${workbenchUrl(server.url, workspace)}\n\n(Ctrl-C stops it and the helper)`,
    );
  }
  return await editor.exited;
}

/** One step of the way, said before it starts (the set-up can take minutes the first time). */
function run(what: string, command: string, args: string[]): void {
  say(what);
  const result = spawnSync(command, args, { cwd: repoRoot, stdio: 'inherit' });
  if (result.status !== 0)
    throw new Error(`\`${[command, ...args].join(' ')}\` failed (exit ${result.status})`);
}

function desktopCode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'code'))) return join(dir, 'code');
  }
  return undefined;
}

let finishing: Promise<never> | undefined;
function finish(code: number): Promise<never> {
  finishing ??= (async () => {
    await stopAll(5000).catch(() => undefined);
    const leaked = mountsUnder(tempDir);
    if (leaked.length > 0) {
      console.error(`bindery start: still mounted under ${tempDir}:\n  ${leaked.join('\n  ')}`);
      process.exit(1);
    }
    rmSync(tempDir, { recursive: true, force: true });
    say(`stopped; removed ${tempDir}`);
    process.exit(code);
  })();
  return finishing;
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    say('stopping');
    void finish(0);
  });
}
main().then(finish, (error: Error) => {
  console.error(`bindery start: ${error.message}`);
  return finish(1);
});
