// Drives the VS Code workbench that code-server serves with headless Chromium: opens the
// folder (the extensions are installed: ours, linked from the tree or from the .vsix, and
// the harness that runs the suite), forwards the extension host's console to our stdout, acts
// on the page and takes screenshots as the suite asks, and resolves with the exit code
// the harness logs when the suite is done.
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
import { SUITE_EXIT_MARKER } from './harness/extension';
import { chromiumPath } from './paths';
import { performUi } from './performUi';
import { screenshotFileName } from './screenshot';
import { SCREENSHOT_MARKER } from './screenshotMarker';
import { UI_MARKER, type UiRequest } from './uiProtocol';

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
  workspace: string;
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

  const screenshot = async (name: string): Promise<string> => {
    const file = join(options.screenshotDir, screenshotFileName(name));
    // Written under another name first: the suite waits for the final name to appear.
    await page.screenshot({ path: `${file}.partial.png` });
    renameSync(`${file}.partial.png`, file);
    return file;
  };

  // The suite's requests to act on the page, one after the other, beside the console queue
  // (a click that waits for its target must not hold up the lines the suite logs meanwhile).
  let uiQueue = Promise.resolve();
  const requestUi = (text: string) => {
    const request = JSON.parse(text) as UiRequest;
    uiQueue = uiQueue.then(async () => {
      const reply = await performUi(page, request, options.screenshotDir);
      options.onLine({
        text: `(ui ${JSON.stringify(request.action)}: ${reply.ok ? 'ok' : reply.error})`,
        quiet: reply.ok,
      });
    });
  };

  // Console lines are formatted in order; handles must be read before the next message.
  let queue = Promise.resolve();
  page.on('console', (message) => {
    queue = queue.then(async () => {
      const line = await consoleLine(message);
      const ui = line.text.indexOf(UI_MARKER);
      if (ui >= 0) {
        requestUi(line.text.slice(ui + UI_MARKER.length));
        return;
      }
      const exit = line.text.indexOf(SUITE_EXIT_MARKER);
      if (exit >= 0) resolveExit(Number(line.text.slice(exit + SUITE_EXIT_MARKER.length)));
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

  await page.goto(workbenchUrl(options.serverUrl, options.workspace), {
    waitUntil: 'domcontentloaded',
  });

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

/** The workbench with `workspace` open. */
export function workbenchUrl(serverUrl: string, workspace: string): string {
  return `${serverUrl}/?folder=${encodeURIComponent(workspace)}`;
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
 * The extension host's console reaches the page as ('%c[Extension Host] %c' + format, css,
 * css, ...args); `util.format` of the format and the args gives the original line back,
 * mocha's included. The workbench's own log lines come as ('%c INFO', css, ...args).
 */
const EXTENSION_HOST = /^%c\[Extension Host\] ?%c/;

async function consoleLine(message: ConsoleMessage): Promise<ConsoleLine> {
  const args = await Promise.all(
    message.args().map((arg) => arg.jsonValue().catch(() => '[unserialisable]')),
  );
  const host = typeof args[0] === 'string' ? EXTENSION_HOST.exec(args[0]) : null;
  if (host) {
    const text = format((args[0] as string).slice(host[0].length), ...args.slice(3));
    const type = message.type();
    if (type === 'log' || type === 'info') return { text, quiet: false };
    return { text: `[${type === 'warning' ? 'warn' : type}] ${text}`, quiet: false };
  }
  if (typeof args[0] === 'string' && args[0].startsWith('%c')) {
    const level = args[0].slice(2).trim();
    const text = format(...args.slice(2));
    if (level === 'INFO') return { text, quiet: workbenchChatter.some((p) => text.startsWith(p)) };
    return { text: `[${level.toLowerCase()}] ${text}`, quiet: text.includes('open-vsx.org') };
  }
  return { text: `[workbench ${message.type()}] ${message.text()}`, quiet: true };
}

export type { Page };
