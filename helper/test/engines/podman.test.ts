// podman runs containers through `bindery` (a named runtime in containers.conf, chosen with
// --runtime, listed in runtime_supports_json so errors come back as JSON), with runc on the
// same image as the oracle. Storage, run state, config and the runtime's state live in a
// scratch folder; nothing of podman's touches the host's network.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { after, describe, it, type TestContext } from 'node:test';
import { FAILURES_DIR } from '../../src/runtime/ociFailures';
import { needsEngine, Podman, Scratch } from './engineHarness';

const IMAGE = 'localhost/bindery-busybox:latest';

let env: { scratch: Scratch; podman: Podman } | undefined;

function engine(t: TestContext) {
  if (!needsEngine(t, 'podman', 'conmon', 'runc')) return undefined;
  if (!env) {
    const scratch = new Scratch();
    const runtimes = {
      bindery: scratch.runtimeWrapper(),
      runc: scratch.runtimeWrapper('runc', 'runc', scratch.path('runc-state')),
    };
    env = { scratch, podman: new Podman(scratch, runtimes) };
    env.podman.importBusybox(IMAGE);
  }
  return env;
}

/**
 * Container ids the runtime still holds state for (none once podman removed them); the
 * records failed creates leave for the editor (failures@, bounded) are not containers.
 */
function runtimeContainers(scratch: Scratch): string[] {
  const dir = scratch.path('runtime-state');
  return fs.existsSync(dir) ? fs.readdirSync(dir).filter((n) => n !== FAILURES_DIR) : [];
}

describe('podman --runtime bindery (root)', () => {
  after(async () => {
    env?.podman.cleanup();
    await env?.scratch.cleanup();
  });

  /** `podman run --rm IMAGE ARGS…` with runc and with bindery; the results by runtime. */
  function runWithBoth(e: NonNullable<typeof env>, args: (runtime: string) => string[]) {
    return Object.fromEntries(
      ['runc', 'bindery'].map((rt) => [
        rt,
        e.podman.run(['--runtime', rt, 'run', '--rm', IMAGE, ...args(rt)]),
      ]),
    );
  }

  it('run --rm prints the output, as with runc', (t: TestContext) => {
    const e = engine(t);
    if (!e) return;
    for (const [runtime, r] of Object.entries(
      runWithBoth(e, (rt) => ['/bin/echo', 'hello', 'from', rt]),
    )) {
      assert.equal(r.status, 0, `${runtime}: ${r.stderr}`);
      assert.equal(r.stdout, `hello from ${runtime}\n`);
    }
    assert.deepEqual(runtimeContainers(e.scratch), []);
  });

  it("enforces podman's default seccomp profile (Seccomp: 2), as with runc", (t: TestContext) => {
    const e = engine(t);
    if (!e) return;
    for (const [runtime, r] of Object.entries(
      runWithBoth(e, () => ['/bin/grep', '^Seccomp:', '/proc/self/status']),
    )) {
      assert.equal(r.status, 0, `${runtime}: ${r.stderr}`);
      assert.match(r.stdout, /^Seccomp:\s+2$/m, runtime);
    }
  });

  it('run -t gets a terminal: the same tty and /dev/console as with runc', (t: TestContext) => {
    const e = engine(t);
    if (!e) return;
    const probe = 'tty; stat -c "%F %t:%T" /dev/console; [ -t 0 ] && [ -t 2 ] && echo stdio-is-a-tty';
    const out: Record<string, string> = {};
    for (const rt of ['runc', 'bindery']) {
      const r = e.podman.run(['--runtime', rt, 'run', '--rm', '-t', IMAGE, '/bin/sh', '-c', probe]);
      assert.equal(r.status, 0, `${rt}: ${r.stderr}`);
      out[rt] = r.stdout;
    }
    assert.match(out.bindery, /^\/dev\/pts\/0\r?\ncharacter special file 88:0\r?\nstdio-is-a-tty\r?\n$/, out.bindery);
    assert.equal(out.bindery, out.runc, 'what the process sees, as with runc');
    assert.deepEqual(runtimeContainers(e.scratch), []);
  });

  it('run -t --uidmap: a terminal in a user namespace, and the exit status, as with runc', (t: TestContext) => {
    const e = engine(t);
    if (!e) return;
    // conmon's console socket is root's, mode 0700: the namespace's root cannot connect to
    // it, the runtime does (consoleSocket.ts). conmon learns the exit status only by
    // reaping the container's pid itself (leaveInitToSubreaper).
    const map = '0:300000:65536';
    const probe = 'tty; id -u; cat /proc/self/uid_map; [ -t 0 ] && echo stdio-is-a-tty; exit 3';
    const out: Record<string, string> = {};
    for (const rt of ['runc', 'bindery']) {
      const r = e.podman.run(['--runtime', rt, 'run', '--rm', '-t', '--uidmap', map, '--gidmap', map, IMAGE, '/bin/sh', '-c', probe]);
      assert.equal(r.status, 3, `${rt}: ${r.stderr}${r.stdout}`);
      out[rt] = r.stdout.replace(/[ \t]+/g, ' ');
    }
    assert.match(out.bindery, /^\/dev\/pts\/0\r?\n0\r?\n 0 300000 65536\r?\nstdio-is-a-tty\r?\n$/, out.bindery);
    assert.equal(out.bindery, out.runc, 'what the process sees, as with runc');
    assert.deepEqual(runtimeContainers(e.scratch), []);
  });

  it('passes the exit status through, and 127 for a program that is not there', (t: TestContext) => {
    const e = engine(t);
    if (!e) return;
    const r = e.podman.run([
      '--runtime',
      'bindery',
      'run',
      '--rm',
      IMAGE,
      '/bin/sh',
      '-c',
      'exit 7',
    ]);
    assert.equal(r.status, 7, r.stderr);
    const missing = e.podman.run([
      '--runtime',
      'bindery',
      'run',
      '--rm',
      IMAGE,
      '/no/such/program',
    ]);
    assert.equal(missing.status, 127, missing.stderr);
    assert.match(
      missing.stderr,
      /exec: "\/no\/such\/program": stat \/no\/such\/program: no such file or directory/,
    );
  });

  it('detached: sleep, exec into it, stop and rm', (t: TestContext) => {
    const e = engine(t);
    if (!e) return;
    const p = (args: string[]) => e.podman.run(['--runtime', 'bindery', ...args]);
    const started = p(['run', '-d', '--name', 'sleeper', IMAGE, '/bin/sleep', '300']);
    assert.equal(started.status, 0, started.stderr);
    assert.match(p(['ps', '--format', '{{.Names}} {{.Status}}']).stdout, /^sleeper Up/m);
    const x = p(['exec', 'sleeper', '/bin/sh', '-c', 'echo in-exec; cat /proc/1/comm']);
    assert.equal(x.status, 0, x.stderr);
    assert.equal(x.stdout, 'in-exec\nsleep\n', 'exec runs beside PID 1 of the container');
    const xs = p(['exec', 'sleeper', '/bin/sh', '-c', 'exit 4']);
    assert.equal(xs.status, 4, xs.stderr);
    // PID 1 without a handler ignores SIGTERM (runc behaves the same): podman kills after -t.
    const stop = p(['stop', '-t', '1', 'sleeper']);
    assert.equal(stop.status, 0, stop.stderr);
    assert.equal(
      p(['inspect', '--format', '{{.State.Status}}', 'sleeper']).stdout.trim(),
      'exited',
    );
    assert.equal(p(['rm', 'sleeper']).status, 0);
    assert.doesNotMatch(p(['ps', '-a', '--format', '{{.Names}}']).stdout, /sleeper/);
    assert.deepEqual(runtimeContainers(e.scratch), []);
  });

  it('a bind whose source is gone fails, naming the config.json entry', (t: TestContext) => {
    const e = engine(t);
    if (!e) return;
    const src = e.scratch.path('bind-source');
    fs.mkdirSync(src);
    const p = (args: string[]) => e.podman.run(['--runtime', 'bindery', ...args]);
    // podman checks the source itself at `create`; at `start` only the runtime does.
    assert.equal(
      p(['create', '--name', 'gone', '-v', `${src}:/data`, IMAGE, '/bin/true']).status,
      0,
    );
    fs.rmdirSync(src);
    const r = p(['start', '--attach', 'gone']);
    assert.notEqual(r.status, 0);
    assert.match(
      r.stderr,
      /error bind-source-not-found: mounts\[\d+\] \(\/data\): bind source .*bind-source does not exist/,
    );
    assert.equal(p(['rm', '--force', 'gone']).status, 0);
    assert.deepEqual(runtimeContainers(e.scratch), []);
  });
});
