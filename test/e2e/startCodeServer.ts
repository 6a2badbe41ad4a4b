// Starts code-server (VS Code's server build, Node extension host) on 127.0.0.1 with every
// folder it writes to inside our temp directory, and waits until it answers HTTP.
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { delay, startChild, type Started } from './childProcesses';
import { freePort } from './freePort';
import { codeServerEntry, node24, repoRoot, requireFile } from './paths';

export interface CodeServer {
  process: Started;
  port: number;
  url: string;
  userDataDir: string;
  extensionsDir: string;
}

export interface CodeServerOptions {
  tempDir: string;
  logDir: string;
  workspace: string;
  /** Extra environment for the server and so for the extension host it forks. */
  env: NodeJS.ProcessEnv;
  /** A fixed port (for `npm start`); a free one otherwise. */
  port?: number;
  extensionsDir?: string;
  timeoutMs?: number;
}

const setupHint = 'run `bash test/e2e/setup.sh` first';

export function codeServerBaseEnv(tempDir: string): NodeJS.ProcessEnv {
  // code-server and VS Code write to XDG folders and HOME; keep all of that in tempDir.
  const home = join(tempDir, 'home');
  const dirs = {
    HOME: home,
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local', 'share'),
    XDG_CACHE_HOME: join(home, '.cache'),
  };
  for (const dir of Object.values(dirs)) mkdirSync(dir, { recursive: true });
  return dirs;
}

/** The command line for the cached code-server; also used to install a .vsix. */
export function codeServerCommand(args: string[]): [string, string[]] {
  requireFile(node24, 'Node 24 for code-server', setupHint);
  requireFile(codeServerEntry, 'code-server', setupHint);
  return [node24, [codeServerEntry, ...args]];
}

export async function startCodeServer(options: CodeServerOptions): Promise<CodeServer> {
  const port = options.port ?? (await freePort());
  const userDataDir = join(options.tempDir, 'user-data');
  const extensionsDir = options.extensionsDir ?? join(options.tempDir, 'extensions');
  mkdirSync(extensionsDir, { recursive: true });
  mkdirSync(userDataDir, { recursive: true });
  const args = [
    '--auth',
    'none',
    '--bind-addr',
    `127.0.0.1:${port}`,
    '--disable-telemetry',
    '--disable-update-check',
    '--disable-workspace-trust',
    '--disable-getting-started-override',
    '--user-data-dir',
    userDataDir,
    '--extensions-dir',
    extensionsDir,
    options.workspace,
  ];
  const [command, fullArgs] = codeServerCommand(args);
  const logPath = join(options.logDir, 'e2e-code-server.log');
  const log = createWriteStream(logPath);
  const server = startChild('code-server', command, fullArgs, {
    cwd: repoRoot,
    env: { ...process.env, ...codeServerBaseEnv(options.tempDir), ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  server.child.stdout?.pipe(log, { end: false });
  server.child.stderr?.pipe(log, { end: false });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 60000);
  while (!(await answers(`${url}/healthz`))) {
    if (server.child.exitCode !== null)
      throw new Error(`code-server exited with code ${server.child.exitCode}; see ${logPath}`);
    if (Date.now() > deadline)
      throw new Error(`code-server did not answer on ${url}; see ${logPath}`);
    await delay(100);
  }
  return { process: server, port, url, userDataDir, extensionsDir };
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(2000) });
    return response.ok;
  } catch {
    return false;
  }
}
