// An engine's console socket when the container has a user namespace, as `podman run -t
// --userns=…` drives the runtime: `create --console-socket S` (and `exec --tty
// --console-socket S`), S root's (0600) in a folder only root can enter (0700): conmon's is
// a 0700 socket of root's, a test's temporary folder is 0700. The container's init is the
// namespace's root, a host uid with no way to S; runc's parent, root, connects and hands
// the connection down.
// The test holds S, receives the pty master (SCM_RIGHTS), starts the container and reads
// what the process printed on its terminal, under runc and under Bindery.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { runcMounts } from '../baseSpec';
import { cleanupTemp, makeBundle, needsRoot, tempDir } from '../runtime/rootHarness';
import { assertBuilt, BINDERY, cleanRoot, runtime, stateOf, waitStatus } from './ociHarness';

type Tool = 'bindery' | 'runc';
const TOOLS: Tool[] = ['runc', 'bindery'];
const HOST_ROOT = 200000;
const MAP = [{ containerID: 0, hostID: HOST_ROOT, size: 65536 }];
/** What the process reports: its terminal, the terminal's size, who it is, its user namespace. */
const REPORT = 'tty; stty size; id -u; cat /proc/self/uid_map; echo done';
const roots: [Tool, string][] = [];
const sys = koffiSyscalls();

/** A folder only root can enter, with a socket the test listens on in it. */
function privateSocket(folder: string): { path: string; listener: number } {
  const dir = path.join(folder, 'console');
  fs.mkdirSync(dir, { mode: 0o700 });
  const st = fs.statSync(dir);
  assert.equal(st.mode & 0o777, 0o700);
  assert.equal(st.uid, 0);
  const sock = path.join(dir, 'tty.sock');
  const l = sys.listenUnix(sock);
  assert.ok(l.ok, `listen on ${sock}`);
  assert.equal(fs.statSync(sock).mode & 0o777, 0o600);
  return { path: sock, listener: l.value };
}

/** The master that arrived on the socket (create or exec has returned: it was sent before). */
function receiveMaster(listener: number, tool: Tool): { fd: number; peerUid: number } {
  const got = sys.receiveFd(listener);
  assert.ok(
    got.ok,
    `${tool} sent the pty master over the console socket (${got.ok ? '' : got.errno})`,
  );
  assert.ok(sys.setNonBlocking(got.value.fd).ok);
  return { fd: got.value.fd, peerUid: got.value.peer.uid };
}

/** Everything the terminal shows until its last slave is closed (EIO), \r\n made \n. */
async function readToEnd(fd: number): Promise<string> {
  const buf = Buffer.alloc(65536);
  let text = '';
  try {
    for (const deadline = Date.now() + 30_000; Date.now() < deadline;) {
      let n = 0;
      try {
        n = fs.readSync(fd, buf, 0, buf.length, null);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') break; // EIO: no slave left
        await new Promise((r) => setTimeout(r, 10));
        continue;
      }
      if (n === 0) break;
      text += buf.toString('utf8', 0, n);
    }
  } finally {
    fs.closeSync(fd);
  }
  return text.replace(/\r\n/g, '\n').replace(/[ \t]+/g, ' ');
}

function userNamespacedBundle(args: string[], terminal: boolean): string {
  return makeBundle({
    args,
    namespaces: ['pid', 'mount', 'ipc', 'uts', 'network', 'user'],
    mounts: runcMounts('/proc', '/dev', '/dev/pts'),
    extra: {
      linux: { uidMappings: MAP, gidMappings: MAP },
      ...(terminal ? { process: { terminal: true, consoleSize: { height: 33, width: 111 } } } : {}),
    },
    prepare: (rootfs) => {
      for (const a of ['tty', 'stty']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
      // The container's root owns its rootfs and can reach it, as runc needs too.
      execFileSync('chown', ['-R', '--no-dereference', `${HOST_ROOT}:${HOST_ROOT}`, rootfs]);
      fs.chmodSync(path.dirname(rootfs), 0o711);
    },
  });
}

/** `create` with the caller's stdio on files: the parked init holds it, a pipe would never end. */
function create(tool: Tool, root: string, bundle: string, id: string, extra: string[]) {
  const errFile = path.join(path.dirname(root), `create-${id}.err`);
  const err = fs.openSync(errFile, 'w');
  const r = spawnSync(
    tool === 'runc' ? 'runc' : BINDERY,
    ['--root', root, 'create', '--bundle', bundle, ...extra, id],
    { stdio: ['ignore', 'ignore', err], timeout: 60_000 },
  );
  fs.closeSync(err);
  return { status: r.status, stderr: fs.readFileSync(errFile, 'utf8') };
}

describe('an engine’s console socket with a user-namespaced container (root)', () => {
  before(() => {
    if (process.getuid?.() === 0) assertBuilt();
  });
  after(() => {
    for (const [tool, root] of roots) cleanRoot(tool, root);
    cleanupTemp();
  });

  it('create --console-socket and start: the runtime sends the master, the process has the terminal as under runc', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const seen: Record<Tool, unknown> = { runc: undefined, bindery: undefined };
    for (const tool of TOOLS) {
      const folder = tempDir(`${tool}-ttyuserns`);
      const root = path.join(folder, 'state');
      roots.push([tool, root]);
      const bundle = userNamespacedBundle(['/bin/sh', '-c', REPORT], true);
      const sock = privateSocket(folder);
      try {
        const created = create(tool, root, bundle, 't1', ['--console-socket', sock.path]);
        assert.equal(created.status, 0, `${tool} create: ${created.stderr}`);
        assert.equal(stateOf(tool, root, 't1')?.status, 'created', tool);
        const master = receiveMaster(sock.listener, tool);
        const started = runtime(tool, root, ['start', 't1']);
        assert.equal(started.status, 0, `${tool} start: ${started.stderr}`);
        const shown = await readToEnd(master.fd);
        await waitStatus(tool, root, 't1', 'stopped');
        assert.equal(runtime(tool, root, ['delete', 't1']).status, 0, `${tool} delete`);
        seen[tool] = { peerUid: master.peerUid, shown };
      } finally {
        sys.close(sock.listener);
      }
    }
    assert.deepEqual(seen.bindery, {
      peerUid: 0,
      shown: `/dev/pts/0\n33 111\n0\n 0 ${HOST_ROOT} 65536\ndone\n`,
    });
    assert.deepEqual(seen.bindery, seen.runc);
  });

  it('exec --tty --console-socket into it: a terminal of its own, in the user namespace, as under runc', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const seen: Record<Tool, unknown> = { runc: undefined, bindery: undefined };
    for (const tool of TOOLS) {
      const folder = tempDir(`${tool}-ttyuserns-exec`);
      const root = path.join(folder, 'state');
      roots.push([tool, root]);
      const bundle = userNamespacedBundle(['/bin/sleep', '30'], false);
      const created = create(tool, root, bundle, 'x1', []);
      assert.equal(created.status, 0, `${tool} create: ${created.stderr}`);
      assert.equal(runtime(tool, root, ['start', 'x1']).status, 0, `${tool} start`);
      // As podman's exec: the process (with its terminal and size) in a file, detached.
      const processFile = path.join(folder, 'process.json');
      fs.writeFileSync(
        processFile,
        JSON.stringify({
          terminal: true,
          consoleSize: { height: 20, width: 70 },
          user: { uid: 0, gid: 0 },
          args: ['/bin/sh', '-c', REPORT],
          env: ['PATH=/bin', 'TERM=xterm'],
          cwd: '/',
        }),
      );
      const sock = privateSocket(folder);
      try {
        const x = runtime(tool, root, [
          'exec',
          '--detach',
          '--console-socket',
          sock.path,
          '--process',
          processFile,
          'x1',
        ]);
        assert.equal(x.status, 0, `${tool} exec: ${x.stderr}`);
        const master = receiveMaster(sock.listener, tool);
        seen[tool] = { peerUid: master.peerUid, shown: await readToEnd(master.fd) };
      } finally {
        sys.close(sock.listener);
      }
      assert.equal(runtime(tool, root, ['kill', '--all', 'x1', 'KILL']).status, 0);
      await waitStatus(tool, root, 'x1', 'stopped');
      assert.equal(runtime(tool, root, ['delete', 'x1']).status, 0, `${tool} delete`);
    }
    assert.deepEqual(seen.bindery, {
      peerUid: 0,
      shown: `/dev/pts/0\n20 70\n0\n 0 ${HOST_ROOT} 65536\ndone\n`,
    });
    assert.deepEqual(seen.bindery, seen.runc);
  });
});
