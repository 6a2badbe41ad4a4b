// Drives the VS Code workbench that code-server serves with headless Chromium: opens the
// folder with a test payload (extension under development + the suite to run), forwards
// the extension host's console to our stdout, takes screenshots the suite asks for, and
// resolves with the exit code the workbench reports through `codeAutomationExit`.
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { format } from 'node:util';
import {
  chromium,
  type Browser,
  type BrowserServer,
  type ConsoleMessage,
  type Page,
} from 'playwright-core';
import { adoptChild } from './childProcesses';
import { chromiumPath } from './paths';
import { screenshotFileName } from './screenshot';
import { SCREENSHOT_MARKER } from './screenshotMarker';

export interface WorkbenchRun {
  /** The suite's exit code: 0 when every test passed. */
  exitCode: Promise<number>;
  /** Host pid of the Chromium browser process (its own process group). */
  browserPid: number;
  screenshot(name: string): Promise<string>;
  close(): Promise<void>;
}

export interface WorkbenchOptions {
  serverUrl: string;
  port: number;
  workspace: string;
  /** Absolute folder of the extension under development (a folder with no manifest to load none). */
  extensionDevelopmentPath: string;
  /** Absolute path of the compiled suite's index.js (exports `run()`). */
  extensionTestsPath: string;
  screenshotDir: string;
  env: NodeJS.ProcessEnv;
  /** Called with each console line of the extension host and the workbench. */
  onLine(line: ConsoleLine): void;
}

export async function driveWorkbench(options: WorkbenchOptions): Promise<WorkbenchRun> {
  const server: BrowserServer = await chromium.launchServer({
    executablePath: chromiumPath,
    headless: true,
    env: options.env,
    // Chromium as root needs --no-sandbox; the rest keeps it from reaching the network.
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--no-first-run',
      '--disable-sync',
      '--disable-quic',
    ],
  });
  const browserPid = adoptChild('chromium', server.process()).pid;
  const browser: Browser = await chromium.connect(server.wsEndpoint());
  const page = await browser.newPage({ viewport: { width: 1400, height: 860 } });

  let resolveExit!: (code: number) => void;
  const exitCode = new Promise<number>((resolve) => (resolveExit = resolve));
  await page.exposeFunction('codeAutomationExit', (code: number) => resolveExit(Number(code)));

  const screenshot = async (name: string): Promise<string> => {
    const file = join(options.screenshotDir, screenshotFileName(name));
    // Written under another name first: the suite waits for the final name to appear.
    await page.screenshot({ path: `${file}.partial.png` });
    renameSync(`${file}.partial.png`, file);
    return file;
  };

  // Console lines are formatted in order; handles must be read before the next message.
  let queue = Promise.resolve();
  page.on('console', (message) => {
    queue = queue.then(async () => {
      const line = await consoleLine(message);
      options.onLine(line);
      const marker = line.text.indexOf(SCREENSHOT_MARKER);
      if (marker >= 0) {
        const name = line.text.slice(marker + SCREENSHOT_MARKER.length).trim();
        try {
          options.onLine({ text: `(screenshot ${await screenshot(name)})`, quiet: false });
        } catch (error) {
          options.onLine({
            text: `(screenshot ${name} failed: ${(error as Error).message})`,
            quiet: false,
          });
        }
      }
    });
  });
  page.on('pageerror', (error) =>
    options.onLine({ text: `[workbench page error] ${error.message}`, quiet: false }),
  );

  await page.goto(payloadUrl(options), { waitUntil: 'domcontentloaded' });

  return {
    exitCode,
    browserPid,
    screenshot,
    async close() {
      await browser.close().catch(() => undefined);
      await server.close().catch(() => undefined);
    },
  };
}

/**
 * `?folder=…&payload=…`: code-server's way to pass extensionDevelopmentPath and
 * extensionTestsPath (honoured only with `--vscode-option enable-smoke-test-driver`).
 */
export function payloadUrl(options: {
  serverUrl: string;
  port: number;
  workspace: string;
  extensionDevelopmentPath: string;
  extensionTestsPath?: string;
}): string {
  const remote = (path: string) => `vscode-remote://127.0.0.1:${options.port}${path}`;
  const payload = [['extensionDevelopmentPath', remote(options.extensionDevelopmentPath)]];
  if (options.extensionTestsPath) {
    payload.push(['extensionTestsPath', remote(options.extensionTestsPath)]);
  }
  const folder = encodeURIComponent(options.workspace);
  return `${options.serverUrl}/?folder=${folder}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
}

// The workbench logs its own start-up to the same console; these lines go to the log file only.
const workbenchChatter = [
  'Resolving connection token',
  'Resolved connection token',
  'Creating a socket',
  'Updating additional builtin extensions cache',
  '[reconnection-grace-time]',
  '[Service Worker]',
  '[AgentHost',
  '[AccountPolicyGate]',
  '[ChatModelSelection]',
];

export interface ConsoleLine {
  text: string;
  /** Workbench noise rather than something the extension or the suite said. */
  quiet: boolean;
}

/**
 * The extension host's console reaches the page as ('%c INFO', css, ...args) (ERR, WARN
 * likewise); `util.format` of the rest gives the original line back, mocha's included.
 */
async function consoleLine(message: ConsoleMessage): Promise<ConsoleLine> {
  const args = await Promise.all(
    message.args().map((arg) => arg.jsonValue().catch(() => '[unserialisable]')),
  );
  if (typeof args[0] === 'string' && args[0].startsWith('%c')) {
    const level = args[0].slice(2).trim();
    const text = format(...args.slice(2));
    if (level === 'INFO') return { text, quiet: workbenchChatter.some((p) => text.startsWith(p)) };
    return { text: `[${level.toLowerCase()}] ${text}`, quiet: text.includes('open-vsx.org') };
  }
  return { text: `[workbench ${message.type()}] ${message.text()}`, quiet: true };
}

export type { Page };
