// Runs the extension's end-to-end suites in a real VS Code workbench: code-server driven by
// headless Chromium, against a real helper daemon running as root. See test/README.md.
//
//   node --import tsx test/e2e/runCodeServer.ts [--suite smoke|client|all] [--keep]
//
// Environment: BINDERY_E2E_VSIX=1|PATH  test the packaged extension instead of the tree
//              BINDERY_E2E_TIMEOUT=SECONDS  hard limit for the whole run (default 600)
//              BINDERY_E2E_VERBOSE=1  also print the workbench's own console lines
//              BINDERY_E2E_README_SCREENSHOT=1  copy the suite's `readme` screenshot to docs/screenshot.png
import {
  copyFileSync,
  createWriteStream,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import {
  buildHarness,
  buildSuite,
  harnessFolderName,
  selectSuites,
  type Suite,
} from './buildSuite';
import { killAllNow, stopAll, stopChild } from './childProcesses';
import { driveWorkbench, type WorkbenchRun } from './driveWorkbench';
import { linkTree } from './installFromTree';
import { installVsix, vsixPath } from './installVsix';
import { mountsUnder } from './leakedMounts';
import { extensionMain, repoRoot, requireFile, resultsDir } from './paths';
import { prepareWorkspace, writeUserSettings } from './prepareWorkspace';
import { startCodeServer } from './startCodeServer';
import { startDaemon } from './startDaemon';

const { values: flags } = parseArgs({
  options: {
    suite: { type: 'string', default: 'all' },
    keep: { type: 'boolean', default: false },
    'no-daemon': { type: 'boolean', default: false },
  },
});

const verbose = process.env.BINDERY_E2E_VERBOSE === '1';
const ci = process.env.CI === 'true' || process.env.CI === '1';
const vsixSetting = process.env.BINDERY_E2E_VSIX;
const timeoutS = Number(process.env.BINDERY_E2E_TIMEOUT ?? 600);
const started = Date.now();
const elapsed = () => `${((Date.now() - started) / 1000).toFixed(1)} s`;
const say = (message: string) => console.log(`e2e: ${message}`);

const tempDirs: string[] = [];

async function main(): Promise<number> {
  if (flags['no-daemon'] && ci)
    throw new Error('--no-daemon is for trying the runner; CI runs against the real helper');
  const chosen = selectSuites(flags.suite ?? 'all', ci, say);
  if (!vsixSetting) requireFile(extensionMain, 'the extension bundle', 'run `npm run build` first');
  mkdirSync(resultsDir, { recursive: true });

  let failed = 0;
  for (const suite of chosen) {
    const code = await runSuite(suite);
    say(`${suite.name} suite ${code === 0 ? 'passed' : `FAILED (exit ${code})`} at ${elapsed()}`);
    if (code !== 0) failed++;
  }
  if (process.env.BINDERY_E2E_README_SCREENSHOT === '1') copyReadmeScreenshot();
  return failed === 0 ? 0 : 1;
}

async function runSuite(suite: Suite): Promise<number> {
  const tempDir = mkdtempSync(join(tmpdir(), `bindery-e2e-${suite.name}-`));
  tempDirs.push(tempDir);
  let workbench: WorkbenchRun | undefined;
  try {
    const testsPath = await buildSuite(suite);
    say(`${suite.name} suite built (${elapsed()})`);

    // Everything installed, nothing under development (a window under development for tests
    // shows no notification toasts and refuses modal dialogs): the harness that runs the
    // suite, and ours, linked from the tree or installed from the .vsix (then the helper
    // runs from the installed package too: it must carry everything it needs).
    const extensionsDir = join(tempDir, 'extensions');
    await buildHarness(join(extensionsDir, harnessFolderName()));
    let cli: string | undefined;
    if (vsixSetting) {
      const installed = installVsix(vsixPath(vsixSetting), extensionsDir, tempDir);
      cli = process.env.BINDERY_HELPER_CLI ?? join(installed, 'helper', 'dist', 'cli.js');
      say(`installed ${vsixPath(vsixSetting)} (${elapsed()})`);
    } else {
      linkTree(extensionsDir);
    }

    const daemon = flags['no-daemon'] ? undefined : await startDaemon(tempDir, resultsDir, cli);
    if (daemon)
      say(
        `helper daemon pid ${daemon.process.pid} (${daemon.cli}) on ${daemon.socketPath} (${elapsed()})`,
      );
    const workspace = prepareWorkspace(tempDir, daemon?.socketPath);

    // Seen by the extension host (forked by code-server with its environment) and so by the suite.
    const suiteEnv: NodeJS.ProcessEnv = {
      BINDERY_E2E: '1',
      BINDERY_E2E_MODE: vsixSetting ? 'vsix' : 'development',
      BINDERY_E2E_RESULTS: resultsDir,
      BINDERY_E2E_WORKSPACE: workspace,
      BINDERY_E2E_SUITE: testsPath,
      ...(daemon && {
        BINDERY_E2E_SOCKET: daemon.socketPath,
        BINDERY_E2E_STATE_DIR: daemon.stateDir,
        BINDERY_E2E_ENGINE_ROOT: daemon.engineRoot,
        // The runtime an engine runs in the suites: the helper's own CLI, as `bindery`.
        BINDERY_E2E_RUNTIME: `${process.execPath} ${daemon.cli}`,
        BINDERY_E2E_DAEMON_PID: String(daemon.process.pid),
      }),
    };
    writeUserSettings(join(tempDir, 'user-data'));
    const server = await startCodeServer({
      tempDir,
      logDir: resultsDir,
      workspace,
      env: suiteEnv,
      extensionsDir,
    });
    say(`code-server pid ${server.process.pid} on ${server.url} (${elapsed()})`);

    const consoleLog = createWriteStream(join(resultsDir, `e2e-${suite.name}-console.log`));
    workbench = await driveWorkbench({
      serverUrl: server.url,
      workspace,
      screenshotDir: resultsDir,
      env: { ...process.env, HOME: join(tempDir, 'home') },
      onLine: (line) => {
        consoleLog.write(`${line.text}\n`);
        if (!line.quiet || verbose) console.log(line.text);
      },
    });
    say(`workbench opened, chromium pid ${workbench.browserPid} (${elapsed()})`);

    // If code-server dies the workbench never reports; say so instead of waiting for the limit.
    const serverDied = server.process.exited.then((exit): number => {
      throw new Error(`code-server exited (${exit}) before the suite finished; see its log`);
    });
    const code = await Promise.race([workbench.exitCode, serverDied]);
    await workbench.screenshot(`${suite.name}-final`).catch(() => undefined);
    if (daemon) {
      await stopChild(daemon.process, 10000);
      say(`helper daemon stopped (${elapsed()})`);
    }
    return code;
  } catch (error) {
    await workbench?.screenshot(`${suite.name}-error`).catch(() => undefined);
    throw error;
  } finally {
    await workbench?.close();
    await stopAll();
    const leaked = mountsUnder(tempDir);
    if (leaked.length > 0) {
      console.error(`e2e: LEAKED MOUNTS after the ${suite.name} suite:\n  ${leaked.join('\n  ')}`);
      process.exitCode = 1;
    } else if (!flags.keep) {
      rmSync(tempDir, { recursive: true, force: true });
      tempDirs.splice(tempDirs.indexOf(tempDir), 1);
    } else {
      say(`kept ${tempDir}`);
    }
  }
}

function copyReadmeScreenshot(): void {
  const from = join(resultsDir, 'readme.png');
  if (!existsSync(from)) throw new Error(`no readme screenshot was taken (${from})`);
  mkdirSync(join(repoRoot, 'docs'), { recursive: true });
  copyFileSync(from, join(repoRoot, 'docs', 'screenshot.png'));
  say('copied the readme screenshot to docs/screenshot.png');
}

// Whatever happens, end what we started and leave no temp folders (unless something is
// still mounted in them: then they stay, and the run fails, so the leak is seen).
async function finish(code: number): Promise<never> {
  await stopAll(2000).catch(() => undefined);
  for (const dir of tempDirs)
    if (mountsUnder(dir).length === 0 && !flags.keep) rmSync(dir, { recursive: true, force: true });
  // Exiting at once: waiting on code-server's shutdown costs ~30 s and proves nothing.
  process.exit(process.exitCode && code === 0 ? Number(process.exitCode) : code);
}

process.on('exit', killAllNow);
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`e2e: ${signal}, stopping`);
    void finish(130);
  });
}
const timer = setTimeout(() => {
  console.error(`e2e: hard timeout of ${timeoutS} s reached, stopping`);
  void finish(124);
}, timeoutS * 1000);
void timer;

main().then(
  (code) => finish(code),
  (error: Error) => {
    console.error(`e2e: ${error.message}`);
    return finish(1);
  },
);
