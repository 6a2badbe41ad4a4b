// `npm start`: the example workspace in VS Code with the extension loaded from this tree
// and a helper running beside it. Builds first, starts the helper daemon (root) on a socket
// of its own, then opens examples/:
//   - in desktop VS Code when `code` is on PATH (a separate window with its own profile, so
//     the socket setting does not touch yours);
//   - otherwise in code-server on 127.0.0.1 (PORT or BINDERY_PORT, default a free port),
//     printing the URL to open.
// Ctrl-C (or closing the desktop window) stops the helper and whatever else it started.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { startChild, stopAll, type Started } from './childProcesses';
import { payloadUrl } from './driveWorkbench';
import { mountsUnder } from './leakedMounts';
import { repoRoot } from './paths';
import { writeUserSettings } from './prepareWorkspace';
import { startCodeServer } from './startCodeServer';
import { startDaemon } from './startDaemon';

const say = (message: string) => console.log(`bindery start: ${message}`);
const tempDir = mkdtempSync(join(tmpdir(), 'bindery-start-'));
const workspace = join(repoRoot, 'examples');

async function main(): Promise<number> {
  say('building');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { cwd: repoRoot, stdio: 'inherit' });
  if (build.status !== 0) throw new Error('`npm run build` failed');
  if (!existsSync(workspace)) throw new Error(`no examples folder at ${workspace}`);

  const daemon = await startDaemon(tempDir, undefined);
  say(`helper running (pid ${daemon.process.pid}) on ${daemon.socketPath}`);
  const userDataDir = join(tempDir, 'user-data');
  writeUserSettings(userDataDir, { 'bindery.helper.socketPath': daemon.socketPath });

  const code = desktopCode();
  let editor: Started;
  if (code && !process.env.BINDERY_USE_CODE_SERVER) {
    const rootArgs = process.getuid?.() === 0 ? ['--no-sandbox'] : [];
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
        ...rootArgs,
        workspace,
      ],
      { stdio: 'inherit' },
    );
    say('opened examples/ in VS Code; close the window or press Ctrl-C to stop');
  } else {
    const port = Number(process.env.BINDERY_PORT ?? process.env.PORT ?? 0) || undefined;
    const server = await startCodeServer({
      tempDir,
      logDir: tempDir,
      workspace,
      env: {},
      // The payload in the URL loads the extension from this tree; code-server honours
      // it only with the test driver enabled (no test runs: there is no tests path).
      testDriver: true,
      port,
    });
    editor = server.process;
    const url = payloadUrl({
      serverUrl: server.url,
      port: server.port,
      workspace,
      extensionDevelopmentPath: repoRoot,
    });
    say(`VS Code (code-server) is ready. Open:\n\n  ${url}\n\n(Ctrl-C stops it and the helper)`);
  }
  return await editor.exited;
}

function desktopCode(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir && existsSync(join(dir, 'code'))) return join(dir, 'code');
  }
  return undefined;
}

async function finish(code: number): Promise<never> {
  await stopAll(5000).catch(() => undefined);
  const leaked = mountsUnder(tempDir);
  if (leaked.length > 0) {
    console.error(`bindery start: still mounted under ${tempDir}:\n  ${leaked.join('\n  ')}`);
    process.exit(1);
  }
  rmSync(tempDir, { recursive: true, force: true });
  process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.on(signal, () => {
    say('stopping');
    void finish(0);
  });
}
mkdirSync(tempDir, { recursive: true });
main().then(finish, (error: Error) => {
  console.error(`bindery start: ${error.message}`);
  return finish(1);
});
