// SCMP_ACT_NOTIFY with linux.seccomp.listenerPath, against runc: a seccomp agent (seccompAgent.ts,
// its own process) receives the listener fd from each runtime with the container process
// state, answers the container's mkdir, and the container sees the same under both.
import { strict as assert } from 'node:assert';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { cleanupTemp, makeBundle, needsRoot, tempDir } from '../runtime/rootHarness';
import { assertBuilt, cleanRoot, runtime, waitStatus } from './ociHarness';

type Tool = 'bindery' | 'runc';
const TOOLS: Tool[] = ['runc', 'bindery'];
const roots: [Tool, string][] = [];
const EHOSTDOWN = 112;

interface AgentEvent {
  listening?: string;
  state?: {
    ociVersion: string;
    fds: string[];
    pid: number;
    metadata?: string;
    state: {
      ociVersion: string;
      id: string;
      status: string;
      pid?: number;
      bundle: string;
      annotations?: Record<string, string>;
    };
  };
  fds?: number;
  notified?: number;
  error?: string;
  done?: boolean;
}

/** The agent, listening; `events()` resolves with everything it said once it exited. */
async function startAgent(socket: string, mode: string, connections: number) {
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', path.join(__dirname, 'seccompAgent.ts'), socket, mode, String(connections)],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
    },
  );
  let out = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (b: Buffer) => {
      out += b.toString();
      if (out.includes('"listening"')) resolve();
    });
    child.once('exit', () => reject(new Error(`the agent exited before listening: ${out}`)));
  });
  return {
    pid: child.pid!,
    async events(): Promise<AgentEvent[]> {
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
      return out
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as AgentEvent);
    },
  };
}

function notifyingBundle(socket: string, args: string[], noNewPrivileges = true): string {
  const bundle = makeBundle({
    args,
    extra: {
      process: { noNewPrivileges },
      linux: {
        seccomp: {
          defaultAction: 'SCMP_ACT_ALLOW',
          listenerPath: socket,
          listenerMetadata: 'bindery-test',
          syscalls: [{ names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_NOTIFY' }],
        },
      },
    },
  });
  // Annotations reach the agent in the state (Go's sorted map order).
  const file = path.join(bundle, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown>;
  config.annotations = { 'org.example.b': '2', 'org.example.a': '1' };
  fs.writeFileSync(file, JSON.stringify(config, null, 2));
  return bundle;
}

/** The container's view and the agent's, with what differs between runtimes by nature (pids, runc's spec version) made equal. */
function normalised(events: AgentEvent[], bundle: string) {
  const states = events
    .filter((e) => e.state)
    .map((e) => {
      const s = e.state!;
      assert.ok(s.pid > 0, JSON.stringify(s));
      assert.equal(s.state.bundle, bundle);
      return {
        ...s,
        ociVersion: 'V',
        pid: 'P',
        state: {
          ...s.state,
          ociVersion: 'V',
          pid: s.state.pid === s.pid ? 'P' : s.state.pid ? 'INIT' : undefined,
          bundle: 'B',
        },
      };
    });
  return {
    states,
    fds: events.filter((e) => e.fds !== undefined).map((e) => e.fds),
    notified: events.filter((e) => e.notified !== undefined).length,
    errors: events.filter((e) => e.error),
  };
}

describe('seccomp notify: the listener fd goes to the agent, as runc sends it (root)', () => {
  before(() => {
    if (process.getuid?.() === 0) assertBuilt();
  });
  after(() => {
    for (const [tool, root] of roots.splice(0)) cleanRoot(tool, root);
    cleanupTemp();
  });

  const script = 'mkdir /tmp/made 2>&1; echo "mkdir: $?"; ls -d /tmp/made 2>&1 | head -1; echo end';
  for (const [mode, noNewPrivileges] of [
    [`errno:${EHOSTDOWN}`, true],
    ['fake', true],
    [`errno:${EHOSTDOWN}`, false],
  ] as const) {
    it(`run: the agent answers mkdir with ${mode}${noNewPrivileges ? '' : ' (filter loaded before the capabilities drop)'}; same container, same state as runc`, async (t: TestContext) => {
      if (!needsRoot(t)) return;
      const seen: Record<Tool, unknown> = { runc: undefined, bindery: undefined };
      for (const tool of TOOLS) {
        const dir = tempDir(`notify-${tool}`);
        const socket = path.join(dir, 'agent.sock');
        const bundle = notifyingBundle(socket, ['/bin/sh', '-c', script], noNewPrivileges);
        const root = path.join(dir, 'state');
        roots.push([tool, root]);
        const agent = await startAgent(socket, mode, 1);
        const r = runtime(tool, root, ['run', '--bundle', bundle, 'n1'], { timeout: 30_000 });
        const events = await agent.events();
        assert.equal(r.status, 0, `${tool}: ${r.stderr}`);
        seen[tool] = { output: r.stdout, ...normalised(events, bundle) };
      }
      const runc = seen.runc as { output: string; states: { state: { status: string } }[] };
      // The oracle did what the test means: the agent's answer is what the container saw.
      assert.match(
        runc.output,
        mode === 'fake'
          ? /^mkdir: 0\nls: \/tmp\/made: No such file or directory\nend\n$/
          : /^mkdir: can't create directory '\/tmp\/made': Host is down\nmkdir: 1\n/,
      );
      assert.equal(runc.states.length, 1);
      assert.deepEqual(seen.bindery, seen.runc);
    });
  }

  it('exec: the exec’d process’s filter goes to the agent too, with the state `running` and the container’s pid', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const seen: Record<Tool, unknown> = { runc: undefined, bindery: undefined };
    for (const tool of TOOLS) {
      const dir = tempDir(`notify-exec-${tool}`);
      const socket = path.join(dir, 'agent.sock');
      const bundle = notifyingBundle(socket, ['/bin/sleep', '30']);
      const root = path.join(dir, 'state');
      roots.push([tool, root]);
      const agent = await startAgent(socket, `errno:${EHOSTDOWN}`, 2);
      // Detached, its stdio not ours to wait for.
      const started = runtime(tool, root, ['run', '--detach', '--bundle', bundle, 'e1'], {
        stdio: 'ignore',
      });
      assert.equal(started.status, 0);
      await waitStatus(tool, root, 'e1', 'running');
      const containerPid = JSON.parse(runtime(tool, root, ['state', 'e1']).stdout).pid as number;
      const r = runtime(tool, root, ['exec', 'e1', '/bin/sh', '-c', script]);
      assert.equal(runtime(tool, root, ['kill', 'e1', 'KILL']).status, 0);
      await waitStatus(tool, root, 'e1', 'stopped');
      assert.equal(runtime(tool, root, ['delete', 'e1']).status, 0);
      const events = await agent.events();
      const exec = events.filter((e) => e.state)[1]?.state;
      assert.equal(exec?.state.pid, containerPid, `${tool}: ${JSON.stringify(events)}`);
      assert.notEqual(exec?.pid, containerPid);
      seen[tool] = { output: r.stdout, status: r.status, ...normalised(events, bundle) };
    }
    assert.match((seen.runc as { output: string }).output, /Host is down/);
    assert.deepEqual(seen.bindery, seen.runc);
  });

  it('fails the start when nobody listens at listenerPath, as runc does', (t: TestContext) => {
    if (!needsRoot(t)) return;
    for (const tool of TOOLS) {
      const dir = tempDir(`notify-none-${tool}`);
      const bundle = notifyingBundle(path.join(dir, 'nobody.sock'), ['/bin/true']);
      const root = path.join(dir, 'state');
      roots.push([tool, root]);
      const r = runtime(tool, root, ['run', '--bundle', bundle, 'x1']);
      assert.notEqual(r.status, 0, tool);
      assert.match(
        r.stderr,
        /failed to connect with seccomp agent specified in the seccomp profile/,
        `${tool}: ${r.stderr}`,
      );
      assert.equal(fs.existsSync(path.join(root, 'x1')), false, `${tool} left its state`);
    }
  });
});
