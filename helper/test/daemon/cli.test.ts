// The CLI commands that talk to binderyd, against a real daemon on a temporary socket
// (runtime faked: no root needed): what a user reads, and the exit codes.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import * as net from 'node:net';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createMessageConnection, StreamMessageReader, StreamMessageWriter } from 'vscode-jsonrpc/node';
import { main } from '../../src/cli';
import { HelperClient } from '../../src/client';
import { fakeRuntime } from './fakeRuntime';
import { startDaemonWithHello, type DaemonWithHello, type TestDaemon } from './harness';

const HELPER_DIR = path.join(__dirname, '..', '..');

async function cli(...argv: string[]): Promise<{ code: number; out: string[]; err: string[] }> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await main(argv, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out, err };
}

describe('bindery ps / inspect / logs / stop / rm', () => {
  let started: DaemonWithHello;
  let d: TestDaemon;
  let bundles: string;
  let hello: string;
  const rt = fakeRuntime({ hold: true });

  before(async () => {
    started = await startDaemonWithHello(rt);
    ({ d, bundles, hello } = started);
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    await c.launch({ bundle: hello, id: 'web' });
    c.close();
  });
  after(() => started.stop());

  it('ps lists the container in a table, and as JSON', async () => {
    const t = await cli('ps', '--socket', d.socketPath);
    assert.equal(t.code, 0, t.err.join('\n'));
    assert.match(t.out[0], /^ID\s+STATUS\s+PID\s+OWNER\s+CREATED\s+BUNDLE$/);
    assert.match(t.out[1], new RegExp(`^web\\s+running\\s+4242\\s+${process.getuid!()}\\s+\\d+s ago\\s+${hello}$`));
    const j = await cli('ps', '--json', '--socket', d.socketPath);
    assert.deepEqual(
      JSON.parse(j.out.join('\n')).map((x: { id: string }) => x.id),
      ['web'],
    );
  });

  it('inspect shows state, owner and planned mounts; --json has the plan', async () => {
    const t = await cli('inspect', 'web', '--socket', d.socketPath);
    assert.equal(t.code, 0, t.err.join('\n'));
    assert.ok(t.out.includes('ID:       web'));
    assert.ok(t.out.includes(`Owner:    uid ${process.getuid!()}`));
    const j = JSON.parse((await cli('inspect', 'web', '--json', '--socket', d.socketPath)).out.join('\n'));
    assert.ok(j.plan.operations.length > 0);
    const missing = await cli('inspect', 'nope', '--socket', d.socketPath);
    assert.equal(missing.code, 1);
    assert.deepEqual(missing.err, ['bindery inspect: no container nope']);
  });

  it('logs prints the output as written (stdout to stdout)', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HELPER_DIR, 'src', 'cli.ts'), 'logs', 'web', '--socket', d.socketPath], {
      cwd: HELPER_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => (out += c));
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0);
    assert.equal(out, 'hello\n');
  });

  it('logs --follow ends when the container exits, with what it printed meanwhile', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(HELPER_DIR, 'src', 'cli.ts'), 'logs', '-f', 'web', '--socket', d.socketPath], {
      cwd: HELPER_DIR,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      // Once the history is there, the container prints more and exits.
      if (out === 'hello\n') {
        const c1 = rt.launched.find((x) => x.id === 'web')!;
        c1.emit('output', { id: 'web', stream: 'stdout', data: 'more\n' });
        c1.finish(0);
      }
    });
    const code = await new Promise((r) => child.once('exit', r));
    assert.equal(code, 0);
    assert.equal(out, 'hello\nmore\n');
  });

  it('rm refuses a running container without --force, stop stops it, rm removes it', async () => {
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    await c.launch({ bundle: hello, id: 'job' });
    c.close();
    const refused = await cli('rm', 'job', '--socket', d.socketPath);
    assert.equal(refused.code, 1);
    assert.match(refused.err[0], /job is running; stop it first/);
    const stopped = await cli('stop', 'job', '--timeout', '1', '--socket', d.socketPath);
    assert.deepEqual(stopped.out, ['job: stopped (SIGTERM)']);
    const removed = await cli('rm', 'job', '--socket', d.socketPath);
    assert.equal(removed.code, 0);
    assert.deepEqual((await cli('ps', '--json', '--socket', d.socketPath)).out.join('').includes('"job"'), false);
  });

  it('says how to start a helper when none listens', async () => {
    const r = await cli('ps', '--socket', path.join(bundles, 'nothing.sock'));
    assert.equal(r.code, 1);
    assert.match(r.err[0], /^bindery ps: no helper listening on .*nothing\.sock: start it with `sudo bindery daemon` or the systemd units/);
  });

  it('refuses a helper that speaks another protocol major, saying so', async () => {
    const sock = path.join(bundles, 'old.sock');
    const server = net.createServer((s) => {
      const conn = createMessageConnection(new StreamMessageReader(s), new StreamMessageWriter(s));
      conn.onRequest('version', () => ({ protocol: '2.0.0', helper: '9.9.9', peerUid: 0 }));
      conn.listen();
    });
    await new Promise<void>((r) => server.listen(sock, r));
    try {
      const r = await cli('ps', '--socket', sock);
      assert.equal(r.code, 1);
      assert.match(r.err[0], /speaks protocol 2\.0\.0, this client 1\.\d+\.\d+: install matching versions/);
    } finally {
      server.close();
    }
  });
});
