// User and time namespaces and joined namespaces, launched for real (root): what the host
// and the process see. The comparison with runc is the fidelity suite's; this is what runc
// cannot show (runc 1.1.5 has no time namespaces) and what only the launcher does (the
// launch returning while a forked init runs, stop through its pidfd, a wrong namespace path).
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { isLaunchError } from '../../src/runtime/container';
import { runcMounts } from '../baseSpec';
import { cleanupTemp, launch, makeBundle, needsRoot, runToEnd, tempDir } from './rootHarness';

const HOST_ROOT = 200000;
const MAP = [{ containerID: 0, hostID: HOST_ROOT, size: 65536 }];

/** The container's root owns its rootfs and can reach it (mkdtemp makes 0700 directories). */
function ownedByMappedRoot(rootfs: string): void {
  execFileSync('chown', ['-R', '--no-dereference', `${HOST_ROOT}:${HOST_ROOT}`, rootfs]);
  fs.chmodSync(path.dirname(rootfs), 0o711);
}

describe('user and time namespaces (root)', () => {
  after(cleanupTemp);

  it('a user-namespaced container: launched while it runs, mapped ids on the host, stopped through its pidfd', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    fs.chmodSync(stateRoot, 0o711); // as /run/bindery: the mapped root opens its output pipes there
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'trap "exit 7" TERM; id -u; echo ready; while :; do sleep 0.1; done'],
      namespaces: ['pid', 'mount', 'ipc', 'uts', 'network', 'user'],
      extra: { linux: { uidMappings: MAP, gidMappings: MAP } },
      prepare: ownedByMappedRoot,
    });
    const l = await launch(bundle, stateRoot, 'userns-1');
    try {
      const pid = l.container.pid!;
      for (let i = 0; i < 200 && !l.out.stdout.includes('ready'); i++)
        await new Promise((r) => setTimeout(r, 25));
      assert.equal(l.out.stdout, '0\nready\n', l.out.stderr);
      // The host sees the mapped root; the container's PID 1 is the init the state names.
      const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
      assert.match(status, new RegExp(`^Uid:\\s+${HOST_ROOT}\\s+${HOST_ROOT}\\s`, 'm'));
      assert.match(status, /^NSpid:\s+\d+\s+1$/m);
      assert.notEqual(
        fs.readlinkSync(`/proc/${pid}/ns/user`),
        fs.readlinkSync('/proc/self/ns/user'),
      );
      await l.container.stop(5000);
      const exit = await l.container.exited;
      assert.equal(exit.exitCode, 7, 'SIGTERM reached the trap of PID 1');
    } finally {
      await l.container.teardown(1000);
    }
    assert.deepEqual(fs.readdirSync(stateRoot), []);
  });

  it('a user-namespaced container with host hooks: the forked init asks on its socket while its messages go through the FIFO', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    fs.chmodSync(stateRoot, 0o711);
    const marks = path.join(tempDir('hooks'), 'ran');
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'id -u'],
      namespaces: ['pid', 'mount', 'ipc', 'uts', 'network', 'user'],
      extra: { linux: { uidMappings: MAP, gidMappings: MAP } },
      prepare: ownedByMappedRoot,
    });
    const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
    // Both run as root on the host, so the launcher runs them when the init asks.
    const hook = (name: string) => ({
      path: '/bin/sh',
      args: ['sh', '-c', `echo ${name} $(id -u) >> ${marks}`],
    });
    spec.hooks = { prestart: [hook('prestart')], createRuntime: [hook('createRuntime')] };
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
    const r = await runToEnd(bundle, stateRoot, 'userns-hooks');
    assert.equal(r.exit.exitCode, 0, r.stderr);
    assert.equal(r.stdout, '0\n');
    assert.deepEqual(fs.readFileSync(marks, 'utf8').trim().split('\n').sort(), [
      'createRuntime 0',
      'prestart 0',
    ]);
  });

  it('a user-namespaced container with a terminal: the forked init, running as the mapped root, hands its pty to the launcher', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    fs.chmodSync(stateRoot, 0o711);
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'tty; id -u'],
      namespaces: ['pid', 'mount', 'ipc', 'uts', 'network', 'user'],
      mounts: runcMounts('/proc', '/dev', '/dev/pts'),
      extra: { process: { terminal: true }, linux: { uidMappings: MAP, gidMappings: MAP } },
      prepare: (rootfs) => {
        fs.symlinkSync('busybox', path.join(rootfs, 'bin', 'tty'));
        ownedByMappedRoot(rootfs);
      },
    });
    const l = await launch(bundle, stateRoot, 'userns-tty');
    const exit = await l.container.exited;
    await l.container.teardown();
    assert.equal(exit.exitCode, 0, l.out.stdout);
    assert.deepEqual(l.out.stdout.split('\r\n').slice(0, 2), ['/dev/pts/0', '0']);
    assert.deepEqual(fs.readdirSync(stateRoot), []);
  });

  it('a time namespace: the offsets are in place before the process runs', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'cat /proc/self/timens_offsets; cat /proc/uptime'],
      namespaces: ['pid', 'mount', 'uts', 'time'],
      extra: {
        linux: {
          timeOffsets: {
            monotonic: { secs: 86400, nanosecs: 250 },
            boottime: { secs: 40 * 86400, nanosecs: 0 },
          },
        },
      },
    });
    const r = await runToEnd(bundle, stateRoot, 'time-1');
    assert.equal(r.exit.exitCode, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(
      lines.slice(0, 2).map((l) => l.trim().split(/\s+/).join(' ')),
      ['monotonic 86400 250', 'boottime 3456000 0'],
    );
    assert.ok(Number(lines[2].split(' ')[0]) >= 40 * 86400, lines[2]);
  });

  it('a namespace path of another type is refused before anything is joined, naming both', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    const bundle = makeBundle({ args: ['/bin/true'], namespaces: ['pid', 'mount', 'uts'] });
    const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
    spec.linux.namespaces.push({ type: 'network', path: `/proc/${process.pid}/ns/uts` });
    fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec));
    await assert.rejects(launch(bundle, stateRoot, 'wrong-type'), (e) => {
      assert.ok(isLaunchError(e));
      assert.match(e.message, /ns\/uts is not a network namespace \(it is a uts namespace\)/);
      return true;
    });
    assert.deepEqual(fs.readdirSync(stateRoot), []);
  });
});
