// Runs the same end-to-end suites in desktop VS Code through @vscode/test-electron, for
// machines with a display (or xvfb-run) and either a VS Code install or internet access:
//
//   VSCODE_EXECUTABLE=/usr/share/code/code npm run test:e2e:electron   # an installed VS Code
//   npm run test:e2e:electron                                          # downloads VS Code into .vscode-test/
//
// Like the code-server runner it starts a real helper daemon (so it needs root) and opens a
// throwaway copy of examples/ whose settings point the extension at that helper.
// Not used in CI here: these machines cannot download VS Code (see test/README.md).
import { runTests } from '@vscode/test-electron';
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildSuite, selectSuites } from './buildSuite';
import { killAllNow, stopAll } from './childProcesses';
import { mountsUnder } from './leakedMounts';
import { repoRoot, resultsDir } from './paths';
import { prepareWorkspace, writeUserSettings } from './prepareWorkspace';
import { startDaemon } from './startDaemon';

const { values: flags } = parseArgs({ options: { suite: { type: 'string', default: 'all' } } });
const say = (message: string) => console.log(`e2e (electron): ${message}`);

async function main(): Promise<number> {
  mkdirSync(resultsDir, { recursive: true });
  let failed = 0;
  for (const suite of selectSuites(flags.suite ?? 'all', false, say)) {
    const tempDir = mkdtempSync(join(tmpdir(), `bindery-e2e-electron-${suite.name}-`));
    try {
      const extensionTestsPath = await buildSuite(suite);
      const daemon = await startDaemon(tempDir, resultsDir);
      const workspace = prepareWorkspace(tempDir, daemon.socketPath);
      const userDataDir = join(tempDir, 'user-data');
      writeUserSettings(userDataDir);
      const code = await runTests({
        vscodeExecutablePath: process.env.VSCODE_EXECUTABLE || undefined,
        extensionDevelopmentPath: repoRoot,
        extensionTestsPath,
        extensionTestsEnv: {
          BINDERY_E2E: '1',
          BINDERY_E2E_MODE: 'development',
          BINDERY_E2E_WORKSPACE: workspace,
          BINDERY_E2E_SOCKET: daemon.socketPath,
          BINDERY_E2E_STATE_DIR: daemon.stateDir,
          BINDERY_E2E_ENGINE_ROOT: daemon.engineRoot,
          // The runtime an engine runs in the suites: the helper's own CLI, as `bindery`.
          BINDERY_E2E_RUNTIME: `${process.execPath} ${daemon.cli}`,
          BINDERY_E2E_DAEMON_PID: String(daemon.process.pid),
        },
        launchArgs: [
          workspace,
          '--user-data-dir',
          userDataDir,
          '--extensions-dir',
          join(tempDir, 'extensions'),
          '--disable-workspace-trust',
          ...(process.getuid?.() === 0 ? ['--no-sandbox'] : []),
        ],
      }).catch((error: Error) => {
        console.error(`e2e (electron): ${error.message}`);
        return 1;
      });
      say(`${suite.name} suite ${code === 0 ? 'passed' : `FAILED (exit ${code})`}`);
      if (code !== 0) failed++;
    } finally {
      await stopAll();
      const leaked = mountsUnder(tempDir);
      if (leaked.length > 0) {
        console.error(`e2e (electron): LEAKED MOUNTS:\n  ${leaked.join('\n  ')}`);
        failed++;
      } else {
        rmSync(tempDir, { recursive: true, force: true });
      }
    }
  }
  return failed === 0 ? 0 : 1;
}

process.on('exit', killAllNow);
main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`e2e (electron): ${error.message}`);
    process.exit(1);
  },
);
