// binderyd with the real runtime, over a real socket, as root: real mounts, a non-root
// peer (a user created for the test), concurrency, and a helper killed with SIGKILL.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseMountinfo } from '@bindery/plan';
import { HelperClient, type HelperError } from '../../src/client';
import { ErrorCodes, type ContainerInfo, type ExitedEvent } from '../../src/protocol';
import { runtimeWith } from '../../src/runtime/container';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { callsAsUser, createTestUser, makeBundle, spawnHelper, startDaemon, waitFor, type TestDaemon, type TestUser } from './harness';
import { assertRoot, hostMountsUnder, isRoot, rootSkip } from './rootOnly';

const runtime = runtimeWith(koffiSyscalls());

const HELPER_DIR = path.join(__dirname, '..', '..');
const skip = rootSkip('binderyd root tests');

const sh = (script: string) => ({ process: { user: { uid: 0, gid: 0 }, args: ['/bin/sh', '-c', script], cwd: '/', env: ['PATH=/bin'] } });

describe('binderyd as root, real runtime', { skip }, () => {
  let d: TestDaemon;
  let work: string;
  let data: string;

  before(async () => {
    assertRoot('binderyd root tests');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-r-'));
    fs.chmodSync(work, 0o755);
    data = path.join(work, 'data');
    fs.mkdirSync(data);
    fs.writeFileSync(path.join(data, 'greeting'), 'hi from the host\n');
    d = await startDaemon(runtime);
  });
  after(async () => {
    if (!isRoot) return;
    await d?.stop();
    assert.deepEqual(hostMountsUnder(work), [], 'nothing of the test stays mounted on the host');
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('launches a bundle: events stream, inspect shows the real mount table, logs, exit, teardown', async () => {
    const bundle = makeBundle(work, 'one', {
      ...sh('cat /data/greeting; echo to-stderr >&2; exit 3'),
      mounts: [{ destination: '/data', type: 'bind', source: data, options: ['rbind', 'ro'] }],
    });
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      const out: string[] = [];
      c.onOutput((e) => e.id === 'one' && out.push(`${e.stream}:${e.data}`));
      const applied: number[] = [];
      c.onOperation((e) => e.id === 'one' && e.ok && applied.push(e.index));
      const exited = waitFor<ExitedEvent>(c.onExited.bind(c), (e) => e.id === 'one', 'exited');
      const info = await c.launch({ bundle, id: 'one' });
      assert.equal(info.owner, 0);
      const ex = await exited;
      assert.equal(ex.exitCode, 3);
      const logs = (await c.logs('one')).chunks.map((x) => `${x.stream}:${x.data}`).join('');
      assert.match(logs, /stdout:hi from the host\n/);
      assert.match(logs, /stderr:to-stderr\n/);
      assert.ok(out.join('').includes('hi from the host'), 'output arrived as notifications');
      const stopped = (await c.list()).find((x) => x.id === 'one')!;
      assert.equal(stopped.status, 'stopped');
      assert.equal(stopped.exitCode, 3);
      const gone = waitFor(c.onTornDown.bind(c), (e) => e.id === 'one', 'tornDown');
      await c.teardown('one');
      await gone;
      assert.equal(fs.existsSync(path.join(d.stateDir, 'one')), false);
    } finally {
      c.close();
    }
  });

  it('runs the hooks of a launch: each a container/hook event and a row of ContainerInfo.hooks, poststop at teardown', async () => {
    const log = path.join(work, 'hooks.log');
    fs.writeFileSync(log, '');
    const shAt = path.join(work, 'hooked', 'rootfs', 'bin', 'sh');
    const record = (kind: string) => ({ path: shAt, args: ['sh', '-c', `echo ${kind} >> ${log}; echo said-${kind}`] });
    const bundle = makeBundle(work, 'hooked', {
      ...sh('echo process'),
      hooks: {
        createRuntime: [record('createRuntime')],
        createContainer: [record('createContainer')],
        poststart: [record('poststart'), { path: '/bin/false' }],
        poststop: [record('poststop')],
      },
    });
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      const events: string[] = [];
      c.onHook((e) => e.id === 'hooked' && events.push(`${e.kind}[${e.index}] ${e.ok} ${e.stdout.trim()}`));
      const exited = waitFor<ExitedEvent>(c.onExited.bind(c), (e) => e.id === 'hooked', 'exited');
      const info = await c.launch({ bundle, id: 'hooked' });
      assert.deepEqual(info.hooks?.map((h) => `${h.kind} ${h.ok}`), ['createRuntime true', 'createContainer true']);
      await exited;
      const gone = waitFor(c.onTornDown.bind(c), (e) => e.id === 'hooked', 'tornDown');
      await c.teardown('hooked');
      await gone;
      assert.deepEqual(events, [
        'createRuntime[0] true said-createRuntime',
        'createContainer[0] true said-createContainer',
        'poststart[0] true said-poststart',
        'poststart[1] false ',
        'poststop[0] true said-poststop',
      ]);
      assert.deepEqual(fs.readFileSync(log, 'utf8').split('\n').filter(Boolean), ['createRuntime', 'createContainer', 'poststart', 'poststop']);
    } finally {
      c.close();
    }
  });

  it('a failing createRuntime hook fails the launch with hook-failed and the hook’s words; nothing is left', async () => {
    const bundle = makeBundle(work, 'hookfail', {
      hooks: { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'echo no network >&2; exit 2'] }] },
    });
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      await assert.rejects(c.launch({ bundle, id: 'hookfail' }), (e: HelperError) => {
        assert.equal(e.code, ErrorCodes.LaunchFailed);
        assert.equal(e.data?.reason, 'hook-failed');
        assert.match(e.message, /error running createRuntime hook #0: exit status 2, stdout: , stderr: no network/);
        return true;
      });
      assert.equal(fs.existsSync(path.join(d.stateDir, 'hookfail')), false);
    } finally {
      c.close();
    }
  });

  it('inspect of a running container returns its /proc/PID/mountinfo with the spec mounts', async () => {
    const bundle = makeBundle(work, 'insp', {
      ...sh('sleep 60'),
      mounts: [
        { destination: '/data', type: 'bind', source: data, options: ['rbind', 'ro'] },
        { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['size=1m', 'noexec'] },
      ],
    });
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      await c.launch({ bundle, id: 'insp' });
      const r = await c.inspect('insp');
      assert.equal(r.status, 'running');
      assert.ok(r.pid && r.pid > 1);
      assert.ok(r.plan.operations.length > 0);
      const table = parseMountinfo(r.mountinfo ?? '');
      const dataMount = table.find((m) => m.mountPoint === '/data');
      assert.ok(dataMount, r.mountinfo);
      assert.match(dataMount.options.join(','), /(^|,)ro(,|$)/);
      const scratch = table.find((m) => m.mountPoint === '/scratch');
      assert.equal(scratch?.fstype, 'tmpfs');
      assert.match(scratch!.options.join(','), /noexec/);
      const stopped = await c.stop({ id: 'insp', timeoutMs: 2000 });
      assert.equal(stopped.status, 'stopped');
      await c.teardown('insp');
    } finally {
      c.close();
    }
  });

  it('a bind source that vanishes during the launch leaves nothing running or mounted', async () => {
    const bundle = makeBundle(work, 'fail', {
      ...sh('true'),
      mounts: [{ destination: '/x', type: 'bind', source: path.join(work, 'vanishes'), options: ['rbind'] }],
    });
    fs.mkdirSync(path.join(work, 'vanishes'));
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      // Valid when planned, gone when mounted: the launch itself must fail cleanly.
      const launching = c.launch({ bundle, id: 'fail' });
      fs.rmdirSync(path.join(work, 'vanishes'));
      await launching.then(
        async () => {
          // The directory went before planning: the plan refused it instead. Either way nothing runs.
          await c.teardown('fail').catch(() => {});
        },
        (e: HelperError) => {
          assert.ok([ErrorCodes.LaunchFailed, ErrorCodes.PlanHasErrors].includes(e.code as 1004 | 1001), e.message);
          if (e.code === ErrorCodes.LaunchFailed) {
            assert.equal(e.data?.failure?.errno, 'ENOENT');
            assert.ok(e.data?.failure?.hint);
          }
        },
      );
      assert.deepEqual(
        (await c.list()).filter((x) => x.id === 'fail' && x.status === 'running'),
        [],
      );
      assert.deepEqual(hostMountsUnder(path.join(work, 'fail')), []);
    } finally {
      c.close();
    }
  });

  it('launches and tears down 20 containers concurrently over the socket', async () => {
    const bundle = makeBundle(work, 'many', sh('echo $$'));
    const clients = await Promise.all([0, 1, 2, 3].map(() => HelperClient.connect({ socketPath: d.socketPath })));
    try {
      const ids = Array.from({ length: 20 }, (_, i) => `many-${i}`);
      const exitedAll = ids.map((id, i) => waitFor<ExitedEvent>(clients[i % 4].onExited.bind(clients[i % 4]), (e) => e.id === id, `exit of ${id}`, 300000));
      const infos = await Promise.all(ids.map((id, i) => clients[i % 4].launch({ bundle, id })));
      assert.deepEqual(infos.map((x) => x.id).sort(), [...ids].sort());
      const exits = await Promise.all(exitedAll);
      assert.ok(exits.every((e) => e.exitCode === 0));
      // Each printed its own pid in its own PID namespace: 1.
      for (const id of ids) assert.equal((await clients[0].logs(id)).chunks.map((c) => c.data).join(''), '1\n', id);
      await Promise.all(ids.map((id, i) => clients[i % 4].teardown(id)));
      assert.deepEqual(
        (await clients[0].list()).filter((x) => x.id.startsWith('many-')),
        [],
      );
      assert.deepEqual(hostMountsUnder(path.join(work, 'many')), []);
    } finally {
      for (const c of clients) c.close();
    }
  });
});

describe('binderyd and a non-root peer', { skip }, () => {
  let d: TestDaemon;
  let work: string;
  let user: string;
  let testUser: TestUser | undefined;
  let uid: number;
  let gid: number;

  /** Runs the calls as the test user (async: the daemon lives in this process); one parsed line per call. */
  const asPeer = (calls: { method: string; params?: unknown }[]) => callsAsUser(d.socketPath, { uid, gid, home: work }, calls);
  const errorOf = (r: Record<string, unknown>) => r.error as { code: number; message: string; data?: { reason: string; findings?: { code: string }[] } };

  before(async () => {
    assertRoot('non-root peer tests');
    testUser = createTestUser('bindery-t');
    ({ name: user, uid, gid, work } = testUser);
    // The socket is group-accessible to the test user's own group, as `bindery` would be.
    d = await startDaemon(runtime, { socketGroup: user });
  });
  after(async () => {
    if (!isRoot) return;
    await d?.stop();
    assert.deepEqual(hostMountsUnder(work), []);
    testUser?.remove();
  });

  /** A bundle the peer owns, running as the peer. */
  function peerBundle(name: string, spec: Record<string, unknown> = {}): string {
    const b = makeBundle(work, name, {
      process: { user: { uid, gid }, args: ['/bin/sleep', '60'], cwd: '/', env: ['PATH=/bin'] },
      ...spec,
    });
    execFileSync('chown', ['-R', `${uid}:${gid}`, b]);
    return b;
  }

  it('the socket is 0660 with the group, and the peer is identified by its uid', async () => {
    const st = fs.statSync(d.socketPath);
    assert.equal(st.mode & 0o777, 0o660);
    assert.equal(st.gid, gid);
    const [v] = await asPeer([{ method: 'version' }]);
    assert.equal((v.ok as { peerUid: number }).peerUid, uid);
  });

  it('outside the socket group, is told how to get in', async () => {
    fs.chmodSync(d.socketPath, 0o600);
    try {
      const [r] = await asPeer([{ method: 'version' }]);
      const e = r.connectError as { kind: string; message: string };
      assert.equal(e.kind, 'permission-denied');
      assert.match(e.message, /^permission denied on .*bindery\.sock: add yourself to the bindery group .*membership is not root-equivalent, see PROTOCOL\.md$/);
    } finally {
      fs.chmodSync(d.socketPath, 0o660);
    }
  });

  it("cannot see, inspect, stop, tear down or read the logs of root's container", async () => {
    const rootBundle = makeBundle(work, 'roots', sh('sleep 60'));
    const c = await HelperClient.connect({ socketPath: d.socketPath });
    try {
      await c.launch({ bundle: rootBundle, id: 'roots' });
      const [list, ins, stop, td, logs] = await asPeer([
        { method: 'list' },
        { method: 'inspect', params: { id: 'roots' } },
        { method: 'stop', params: { id: 'roots' } },
        { method: 'teardown', params: { id: 'roots' } },
        { method: 'logs', params: { id: 'roots' } },
      ]);
      assert.deepEqual(list.ok, []);
      for (const r of [ins, stop, td, logs]) {
        assert.equal(errorOf(r).code, ErrorCodes.PermissionDenied);
        assert.equal(errorOf(r).data?.reason, 'not-owner');
      }
      assert.equal((await c.inspect('roots')).status, 'running', 'still running after the attempts');
      await c.teardown('roots');
    } finally {
      c.close();
    }
  });

  it('is refused what it could not do itself, each with a finding', async () => {
    const secret = path.join(work, 'secret');
    fs.mkdirSync(secret, { mode: 0o700 });
    const cases: [string, Record<string, unknown>, string][] = [
      ['bind-unreadable', { mounts: [{ destination: '/s', type: 'bind', source: secret, options: ['rbind'] }] }, 'peer-bind-source'],
      ['as-root', { process: { user: { uid: 0, gid: 0 }, args: ['/bin/true'], cwd: '/', env: ['PATH=/bin'] } }, 'peer-process-user'],
      // runc allows a bind over /proc/uptime (lxcfs does it); a non-root peer may not.
      ['proc-mount', { mounts: [{ destination: '/proc/uptime', type: 'bind', source: '/etc/hostname', options: ['bind'] }] }, 'peer-proc-mount'],
      ['devices', { linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }], devices: [{ path: '/dev/sda', type: 'b', major: 8, minor: 0 }] } }, 'peer-devices'],
    ];
    const bundles = cases.map(([name, spec]) => peerBundle(name, spec));
    const replies = await asPeer(bundles.map((bundle, i) => ({ method: 'launch', params: { bundle, id: `p-${cases[i][0]}` } })));
    replies.forEach((r, i) => {
      const e = errorOf(r);
      assert.ok(e, `${cases[i][0]} was launched`);
      assert.equal(e.code, ErrorCodes.PermissionDenied, `${cases[i][0]}: ${e.message}`);
      assert.ok(e.data?.findings?.some((f) => f.code === cases[i][2]), `${cases[i][0]}: ${JSON.stringify(e.data)}`);
    });
    // And the config of someone else it cannot read is not read for it.
    const rootOnly = makeBundle(work, 'root-only', sh('true'));
    fs.chmodSync(path.join(rootOnly, 'config.json'), 0o600);
    const [v] = await asPeer([{ method: 'validate', params: { bundle: rootOnly } }]);
    assert.equal(errorOf(v).code, ErrorCodes.PermissionDenied);
    assert.equal(errorOf(v).data?.reason, 'bundle-not-readable');
  });

  it('cannot make the helper create entries as root in host directories it only reads', async () => {
    // A root-owned host directory the peer can read (think /etc) and a rootfs it can write
    // but does not own (think /tmp): creating mount points, device nodes or links there as
    // root would be a write primitive on the host (e.g. an empty /etc/nologin).
    const hostDir = path.join(work, 'host-etc');
    fs.mkdirSync(hostDir, { mode: 0o755 });
    const nested = peerBundle('nested', {
      mounts: [
        { destination: '/h', type: 'bind', source: hostDir, options: ['rbind', 'ro'] },
        { destination: '/h/nologin', type: 'bind', source: '/etc/hostname', options: ['bind'] },
      ],
    });
    const nestedDir = peerBundle('nested-dir', {
      mounts: [
        { destination: '/h', type: 'bind', source: hostDir, options: ['rbind'] },
        { destination: '/h/made/deeper', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
      ],
    });
    const notOwnedRoot = peerBundle('not-owned-rootfs');
    execFileSync('chown', ['0:0', path.join(notOwnedRoot, 'rootfs')]);
    fs.chmodSync(path.join(notOwnedRoot, 'rootfs'), 0o777);
    const cases = [
      ['nested', nested, /refusing to create \/h\/nologin as root/],
      ['nested-dir', nestedDir, /refusing to create \/h\/made\/deeper as root/],
      ['not-owned-rootfs', notOwnedRoot, /rootfs .* is owned by uid 0, not by uid \d+/],
    ] as const;
    const replies = await asPeer(cases.map(([id, bundle]) => ({ method: 'launch', params: { bundle, id } })));
    replies.forEach((r, i) => {
      const e = errorOf(r) as ReturnType<typeof errorOf> & { data?: { failure?: { errno: string; message: string } } };
      assert.ok(e, `${cases[i][0]} was launched: ${JSON.stringify(r)}`);
      assert.equal(e.code, ErrorCodes.LaunchFailed, `${cases[i][0]}: ${e.message}`);
      assert.equal(e.data?.failure?.errno, 'EPERM', `${cases[i][0]}: ${JSON.stringify(e.data)}`);
      assert.match(e.data?.failure?.message ?? '', cases[i][2]);
    });
    assert.deepEqual(fs.readdirSync(hostDir), [], 'nothing was created in the host directory');
    assert.deepEqual(fs.readdirSync(path.join(notOwnedRoot, 'rootfs')), ['bin'], 'no mount point was created in the rootfs it does not own');
  });

  it('runs its own container as itself, with nosuid and nodev on every mount', async () => {
    const mine = path.join(work, 'mine');
    fs.mkdirSync(mine);
    execFileSync('chown', [`${uid}:${gid}`, mine]);
    const b = peerBundle('own', {
      mounts: [
        { destination: '/mine', type: 'bind', source: mine, options: ['rbind'] },
        { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] },
      ],
    });
    const [launched, ins] = await asPeer([{ method: 'launch', params: { bundle: b, id: 'own' } }, { method: 'inspect', params: { id: 'own' } }]);
    assert.ok(launched.ok, JSON.stringify(launched));
    const info = ins.ok as ContainerInfo & { mountinfo: string; pid: number };
    assert.equal(info.owner, uid);
    const status = fs.readFileSync(`/proc/${info.pid}/status`, 'utf8');
    assert.match(status, new RegExp(`^Uid:\\s+${uid}\\s+${uid}\\s+${uid}\\s+${uid}$`, 'm'));
    assert.match(status, /^CapEff:\s+0+$/m);
    assert.match(status, /^NoNewPrivs:\s+1$/m);
    for (const { mountPoint, options } of parseMountinfo(info.mountinfo)) {
      const m = { mountPoint, options: options.join(',') };
      assert.match(m.options, /nosuid/, `${m.mountPoint} ${m.options}`);
      // The runtime's /dev tmpfs and devpts keep dev for the nodes the runtime itself made there.
      if (m.mountPoint !== '/dev' && m.mountPoint !== '/dev/pts') assert.match(m.options, /nodev/, `${m.mountPoint} ${m.options}`);
    }
    const [td] = await asPeer([{ method: 'teardown', params: { id: 'own' } }]);
    assert.equal(td.ok, null);
  });

  it('gets a terminal of its own: its tty, typing reaches it, /dev/console is nodev', async () => {
    const b = peerBundle('tty', {
      process: {
        user: { uid, gid },
        terminal: true,
        args: ['/bin/sh', '-c', 'tty; ls -ln $(tty); (: </dev/console) 2>/dev/null && echo console-opens || echo console-nodev; read x; echo got-$x'],
        cwd: '/',
        env: ['PATH=/bin'],
      },
    });
    for (const a of ['tty', 'ls']) fs.rmSync(path.join(b, 'rootfs', 'bin', a), { force: true });
    for (const a of ['tty', 'ls']) fs.symlinkSync('busybox', path.join(b, 'rootfs', 'bin', a));
    const [launched] = await asPeer([{ method: 'launch', params: { bundle: b, id: 'peer-tty' } }]);
    assert.ok(launched.ok, JSON.stringify(launched));
    assert.equal((launched.ok as ContainerInfo).terminal, true);
    let text = '';
    for (let i = 0; i < 100 && !text.includes('console-'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const [logs] = await asPeer([{ method: 'logs', params: { id: 'peer-tty' } }]);
      text = ((logs.ok as { chunks: { data: string }[] }).chunks ?? []).map((c) => c.data).join('');
    }
    const [typed] = await asPeer([{ method: 'input', params: { id: 'peer-tty', data: 'hello\r' } }]);
    assert.equal(typed.ok, null, JSON.stringify(typed));
    for (let i = 0; i < 100 && !text.includes('got-hello'); i++) {
      await new Promise((r) => setTimeout(r, 100));
      const [logs] = await asPeer([{ method: 'logs', params: { id: 'peer-tty' } }]);
      text = (logs.ok as { chunks: { data: string }[] }).chunks.map((c) => c.data).join('');
    }
    assert.match(text, /^\/dev\/pts\/0\r\n/);
    assert.match(text, new RegExp(`crw--w---- +1 ${uid} +\\d+ +136, +0 .*/dev/pts/0\\r\\n`), 'the tty is the peer’s');
    assert.match(text, /\r\nconsole-nodev\r\n/);
    assert.match(text, /\r\ngot-hello\r\n/);
    const [td] = await asPeer([{ method: 'teardown', params: { id: 'peer-tty' } }]);
    assert.equal(td.ok, null);
  });
});

describe('binderyd killed with SIGKILL, then restarted', { skip }, () => {
  let work: string;
  let helper: ChildProcess | undefined;
  const socket = () => path.join(work, 'bindery.sock');
  const state = () => path.join(work, 'state');

  const startHelper = () => spawnHelper(socket(), state());

  before(() => {
    assertRoot('crash recovery tests');
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-k-'));
  });
  after(async () => {
    if (!isRoot) return;
    if (helper && helper.exitCode === null) {
      const exited = new Promise((r) => helper!.once('exit', r));
      helper.kill('SIGTERM');
      await exited;
    }
    assert.deepEqual(hostMountsUnder(work), []);
    fs.rmSync(work, { recursive: true, force: true });
  });

  it('SIGTERM tears down every container it runs and removes the socket', async () => {
    const b = makeBundle(work, 'term', sh('sleep 300'));
    helper = await startHelper();
    const c = await HelperClient.connect({ socketPath: socket() });
    const info = await c.launch({ bundle: b, id: 'term' });
    c.close();
    const exited = new Promise<number | null>((r) => helper!.once('exit', r));
    helper.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.equal(fs.existsSync(`/proc/${info.pid}`), false, 'the container process is gone');
    assert.equal(fs.existsSync(path.join(state(), 'term')), false, 'its state is gone');
    assert.equal(fs.existsSync(socket()), false, 'the socket is gone');
    assert.deepEqual(hostMountsUnder(work), []);
  });

  it('takes its socket from systemd socket activation', async () => {
    // What systemd does, done by a few lines of Python so the test needs no systemd: bind
    // and listen, put the socket on fd 3, set LISTEN_FDS=1 and LISTEN_PID to the pid that
    // then execs the helper.
    const sock = path.join(work, 'activated.sock');
    const activate = [
      'import os, socket, sys',
      's = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)',
      's.bind(sys.argv[1]); s.listen(16)',
      'if s.fileno() != 3: os.dup2(s.fileno(), 3)',
      'os.set_inheritable(3, True)',
      'os.environ["LISTEN_FDS"] = "1"; os.environ["LISTEN_PID"] = str(os.getpid())',
      'os.execvp(sys.argv[2], sys.argv[2:])',
    ].join('\n');
    const p = spawn(
      'python3',
      ['-c', activate, sock, process.execPath, '--import', 'tsx', path.join(HELPER_DIR, 'src', 'binderyd.ts'), '--state-dir', path.join(work, 'activated-state')],
      { cwd: HELPER_DIR, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    let err = '';
    p.stderr!.on('data', (c) => (err += c));
    try {
      for (let i = 0; i < 300 && !/listening/.test(err) && p.exitCode === null; i++) await new Promise((r) => setTimeout(r, 50));
      assert.match(err, /listening on the socket systemd passed \(fd 3\)/);
      const c = await HelperClient.connect({ socketPath: sock });
      assert.equal((await c.version()).peerUid, 0);
      c.close();
    } finally {
      if (p.exitCode === null) {
        const gone = new Promise((r) => p.once('exit', r));
        p.kill('SIGTERM');
        await gone;
      }
    }
  });

  it('re-adopts a container that still runs and tears down one that died meanwhile', async () => {
    const live = makeBundle(work, 'live', sh('sleep 300'));
    const dies = makeBundle(work, 'dies', sh('sleep 300'));
    helper = await startHelper();
    let c = await HelperClient.connect({ socketPath: socket() });
    const a = await c.launch({ bundle: live, id: 'live' });
    const b = await c.launch({ bundle: dies, id: 'dies' });
    c.close();
    assert.ok(a.pid && b.pid);

    const killed = new Promise((r) => helper!.once('exit', r));
    helper.kill('SIGKILL');
    await killed;
    // While no helper runs, one container's process ends.
    process.kill(b.pid!, 'SIGKILL');
    // Dead means gone or a zombie nobody has reaped yet; wait for that, not for a time.
    const state = () => {
      try {
        const st = fs.readFileSync(`/proc/${b.pid}/stat`, 'utf8');
        return st.slice(st.lastIndexOf(')') + 2, st.lastIndexOf(')') + 3);
      } catch {
        return 'gone';
      }
    };
    while (!['gone', 'Z', 'X'].includes(state())) await new Promise((r) => setTimeout(r, 20));
    assert.equal(fs.existsSync(`/proc/${a.pid}`), true, 'the live container survived its helper');

    helper = await startHelper();
    c = await HelperClient.connect({ socketPath: socket() });
    try {
      const list = await c.list();
      const adopted = list.find((x) => x.id === 'live');
      assert.ok(adopted, JSON.stringify(list));
      assert.equal(adopted.status, 'running');
      assert.equal(adopted.pid, a.pid);
      assert.equal(
        list.find((x) => x.id === 'dies'),
        undefined,
        'the dead one was torn down',
      );
      assert.equal(fs.existsSync(path.join(state(), 'dies')), false);
      // The adopted container is fully usable: inspect, stop, teardown.
      assert.ok((await c.inspect('live')).mountinfo);
      await c.teardown('live');
      assert.equal(fs.existsSync(`/proc/${a.pid}`) && !fs.readFileSync(`/proc/${a.pid}/stat`, 'utf8').includes(') Z '), false);
    } finally {
      c.close();
    }
    assert.deepEqual(hostMountsUnder(work), []);
  });
});
