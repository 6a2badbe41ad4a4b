// A member of the socket's group attacking the helper, the way the security review did it:
// each attack is made by a real unprivileged user (created and removed here) through the real
// socket, and each test asserts from inside the container and from every response that the
// user gained nothing — uid, capabilities, no_new_privs, the mount flags it sees, not a byte
// of a file it cannot read — and that a normal launch still works afterwards.
// See SECURITY.md for the threat each test stands for.
import assert from 'node:assert/strict';
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runtimeWith } from '../../src/runtime/container';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { callsAsUser, createTestUser, startDaemon, makeBundle, type TestDaemon, type TestUser } from './harness';
import { assertRoot, hostMountsUnder, isRoot, rootSkip } from './rootOnly';

const runtime = runtimeWith(koffiSyscalls());

const skip = rootSkip('attacks on binderyd by a non-root peer');

/** Prints what a process can use: its ids and capability sets. Static, so it runs in any rootfs. */
const PROBE_C = `
#include <stdio.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  printf("ruid=%d euid=%d\\n", (int)getuid(), (int)geteuid());
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  while (f && fgets(line, sizeof line, f))
    if (!strncmp(line, "Cap", 3) || !strncmp(line, "NoNewPrivs", 10)) fputs(line, stdout);
  return 0;
}
`;

/** runc's rootless capabilities: CAP_KILL (5), CAP_NET_BIND_SERVICE (10), CAP_AUDIT_WRITE (29). */
const ROOTLESS_MASK = (1n << 5n) | (1n << 10n) | (1n << 29n);

interface ProbeResult {
  euid: number;
  capEff: bigint;
  capBnd: bigint;
  noNewPrivs: number;
}

function parseProbe(out: string): ProbeResult {
  const m = /euid=(\d+)/.exec(out);
  const cap = (name: string) => BigInt('0x' + (new RegExp(`^${name}:\\s+([0-9a-f]+)$`, 'm').exec(out)?.[1] ?? 'ffffffffffffffff'));
  return { euid: m ? Number(m[1]) : -1, capEff: cap('CapEff'), capBnd: cap('CapBnd'), noNewPrivs: Number(/^NoNewPrivs:\s+(\d)/m.exec(out)?.[1] ?? -1) };
}

describe('attacks on binderyd by a member of its group', { skip }, () => {
  let d: TestDaemon;
  let work = '';
  let user = '';
  let testUser: TestUser | undefined;
  let uid = 0;
  let gid = 0;
  let probe = '';
  let secretDir = '';
  let secret = '';
  const hostMounts: string[] = [];

  type Reply = { ok?: unknown; error?: { code: number; message: string; data?: { reason?: string; findings?: { code: string; message: string }[]; failure?: { errno: string; message: string } } } };
  const asPeer = async (calls: { method: string; params?: unknown }[]) =>
    (await callsAsUser(d.socketPath, { uid, gid, home: work }, calls)) as Reply[];
  const run = async (bundle: string, id: string) => (await asPeer([{ method: 'run', params: { bundle, id } }]))[0];
  const stdoutOf = (r: Reply) => (r.ok as { stdout: string } | undefined)?.stdout ?? '';

  /** A bundle owned by the peer, running as the peer, with `probe` in its rootfs at /bin/probe. */
  function peerBundle(name: string, spec: Record<string, unknown> = {}, args = ['/bin/probe']): string {
    const b = makeBundle(work, name, {
      process: { user: { uid, gid }, args, cwd: '/', env: ['PATH=/bin'] },
      ...spec,
    });
    fs.copyFileSync(probe, path.join(b, 'rootfs', 'bin', 'probe'));
    fs.chmodSync(path.join(b, 'rootfs', 'bin', 'probe'), 0o755);
    execFileSync('chown', ['-R', `${uid}:${gid}`, b]);
    return b;
  }

  /** Nothing gained: the probe ran as the peer, with no capabilities in reach and no_new_privs. */
  function assertGainedNothing(out: string, what: string): void {
    const p = parseProbe(out);
    assert.equal(p.euid, uid, `${what}: euid (${out})`);
    assert.equal(p.capEff, 0n, `${what}: CapEff`);
    assert.equal(p.capBnd & ~ROOTLESS_MASK, 0n, `${what}: CapBnd ${p.capBnd.toString(16)} is more than runc's rootless set`);
    assert.equal(p.noNewPrivs, 1, `${what}: NoNewPrivs`);
  }

  before(async () => {
    assertRoot('attacks on binderyd');
    testUser = createTestUser('bindery-a');
    ({ name: user, uid, gid, work } = testUser);
    // The setuid-root probe, where the peer can read it (as /usr/bin/su is).
    fs.writeFileSync(path.join(work, 'probe.c'), PROBE_C);
    const bin = path.join(work, 'host-bin');
    fs.mkdirSync(bin, { mode: 0o755 });
    probe = path.join(bin, 'suidprobe');
    execFileSync('gcc', ['-static', '-O1', '-o', probe, path.join(work, 'probe.c')]);
    fs.chmodSync(probe, 0o4755);
    // A secret: root's, behind a directory only root may search.
    secretDir = path.join(work, 'root-only');
    fs.mkdirSync(secretDir, { mode: 0o700 });
    secret = `SECRET-${randomBytes(12).toString('hex')}`;
    fs.writeFileSync(path.join(secretDir, 'secret'), `${secret}\n`, { mode: 0o600 });
    d = await startDaemon(runtime, { socketGroup: user });
  });

  after(async () => {
    if (!isRoot) return;
    await d?.stop();
    for (const m of hostMounts.reverse()) execFileSync('umount', [m]);
    assert.deepEqual(hostMountsUnder(work), []);
    testUser?.remove();
  });

  it('control: the setuid probe makes the peer root on the host, so the tests below can fail', () => {
    const out = execFileSync(probe, { uid, gid, encoding: 'utf8' });
    assert.equal(parseProbe(out).euid, 0, out);
  });

  it('a setuid-root binary bound with rsuid, rdev, rexec, suid or dev runs without privileges', async () => {
    for (const option of ['rsuid', 'rdev', 'rexec', 'suid', 'dev']) {
      const b = peerBundle(`suid-${option}`, { mounts: [{ destination: '/bin/su', type: 'bind', source: probe, options: ['bind', option] }] }, ['/bin/su']);
      const r = await run(b, `suid-${option}`);
      assert.ok(r.ok, `${option}: ${JSON.stringify(r.error)}`);
      assertGainedNothing(stdoutOf(r), `bind with ${option}`);
    }
  });

  it('a root-owned setuid binary in its own rootfs, re-bound with rsuid, runs without privileges', async () => {
    // As when root unpacks an image for a user: the file is root's, setuid, in the user's rootfs.
    const b = peerBundle('own-rootfs-suid', { mounts: [{ destination: '/bin', type: 'bind', source: 'rootfs/bin', options: ['rbind', 'rsuid', 'rdev'] }] }, ['/bin/root-probe']);
    const inRootfs = path.join(b, 'rootfs', 'bin', 'root-probe');
    fs.copyFileSync(probe, inRootfs);
    fs.chownSync(inRootfs, 0, 0);
    fs.chmodSync(inRootfs, 0o4755);
    const r = await run(b, 'own-rootfs-suid');
    assert.ok(r.ok, JSON.stringify(r.error));
    assertGainedNothing(stdoutOf(r), 'rootfs setuid binary');
  });

  it('device nodes reachable through a bind at /dev (rdev, dev) do not open', async () => {
    // A directory the peer can read holding a device node it may use on the host (think a USB
    // stick mounted nodev for the user): 1:3 is harmless, and telling whether it opens is enough.
    const devDir = path.join(work, 'devdir');
    fs.mkdirSync(devDir, { mode: 0o755 });
    execFileSync('mknod', ['-m', '666', path.join(devDir, 'node'), 'c', '1', '3']);
    const shell = ['/bin/sh', '-c', 'echo x > /dev/node && echo OPENED; grep " /dev " /proc/self/mountinfo'];
    const b = peerBundle('dev-bind', { mounts: [{ destination: '/dev', type: 'bind', source: devDir, options: ['rbind', 'rdev', 'dev'] }] }, shell);
    const r = await run(b, 'dev-bind');
    assert.ok(r.ok, JSON.stringify(r.error));
    const out = stdoutOf(r);
    assert.doesNotMatch(out, /OPENED/, out);
    assert.match(out, /\snosuid,nodev|\s\S*nodev\S*\s/, out);
  });

  it('never shows a byte of a file it cannot read, nor whether a hidden path exists', async () => {
    const b = peerBundle('leak', {
      hostname: 'leak',
      mounts: [{ destination: '/etc/hostname', type: 'bind', source: path.join(secretDir, 'secret'), options: ['bind'] }],
    });
    const replies = await asPeer([
      { method: 'validate', params: { bundle: b } },
      { method: 'launch', params: { bundle: b, id: 'leak' } },
    ]);
    const all = JSON.stringify(replies);
    assert.ok(!all.includes(secret.slice(0, 12)), 'a response quoted the secret');
    assert.ok(replies[1].error, 'launched a bind of a file it cannot read');
    // A missing and an existing path behind the root-only directory read the same.
    const answer = async (source: string) => {
      const bb = peerBundle(`hidden-${path.basename(source)}`, { mounts: [{ destination: '/x', type: 'bind', source, options: ['bind'] }] });
      const [v] = await asPeer([{ method: 'validate', params: { bundle: bb } }]);
      const findings = (v.ok as { findings: { code: string; message: string }[] }).findings.filter((f) => /source|peer-bind/.test(f.code));
      return findings.map((f) => `${f.code}: ${f.message.replaceAll(source, '<path>')}`);
    };
    const existing = await answer(path.join(secretDir, 'secret'));
    const missing = await answer(path.join(secretDir, 'nothing-here'));
    assert.ok(existing.length > 0, 'the hidden source was not reported at all');
    assert.deepEqual(existing, missing);
  });

  it('a bind source swapped for a symlink to a root-only file during 200 launches never binds it', async () => {
    // The peer's own directory `swap/src` flips between its readable directory and a link to
    // the root-only one while it launches; the kernel checks the peer's rights on what is bound.
    const swap = path.join(work, 'swap');
    fs.mkdirSync(path.join(swap, 'public'), { recursive: true });
    fs.writeFileSync(path.join(swap, 'public', 'secret'), 'public\n');
    fs.symlinkSync('public', path.join(swap, 'src'));
    execFileSync('chown', ['-R', `${uid}:${gid}`, swap]);
    const flip = `cd '${swap}'; while :; do ln -sfn public n && mv -T n src; ln -sfn '${secretDir}' n && mv -T n src; done`;
    const swapper: ChildProcess = spawn('/bin/sh', ['-c', flip], { uid, gid, stdio: 'ignore' });
    const b = peerBundle('race', { mounts: [{ destination: '/s', type: 'bind', source: path.join(swap, 'src'), options: ['rbind'] }] }, ['/bin/cat', '/s/secret']);
    let replies: Reply[];
    try {
      replies = await asPeer(Array.from({ length: 200 }, (_, i) => ({ method: 'run', params: { bundle: b, id: `race-${i}` } })));
    } finally {
      swapper.kill('SIGKILL');
    }
    const ran = replies.filter((r) => r.ok).length;
    const bound = replies.filter((r) => stdoutOf(r).includes('SECRET')).length;
    console.log(`race: 200 launches, ${ran} ran (read the public file), ${200 - ran} refused, secret bound ${bound} times`);
    assert.equal(bound, 0);
    assert.equal(JSON.stringify(replies).includes(secret.slice(0, 12)), false);
  });

  it('a directory it owns on a read-only host mount stays read-only in the container', async () => {
    const ro = path.join(work, 'ro-host');
    fs.mkdirSync(path.join(ro, 'mine'), { recursive: true });
    execFileSync('chown', [`${uid}:${gid}`, path.join(ro, 'mine')]);
    execFileSync('mount', ['--bind', ro, ro]);
    hostMounts.push(ro);
    execFileSync('mount', ['-o', 'remount,bind,ro', ro]);
    const write = ['/bin/sh', '-c', 'touch /w/x && echo WROTE; true'];
    const cases: [string, string[], RegExp][] = [
      ['nosuid', ['rbind', 'nosuid'], /read-only .*may not make it writable/],
      ['rw', ['rbind', 'rw', 'noexec'], /read-only .*may not make it writable/],
      ['rrw', ['rbind', 'rrw'], /rrw/],
    ];
    for (const [name, options, why] of cases) {
      const b = peerBundle(`ro-${name}`, { mounts: [{ destination: '/w', type: 'bind', source: path.join(ro, 'mine'), options }] }, write);
      const r = await run(b, `ro-${name}`);
      assert.ok(r.error, `${name}: launched (${stdoutOf(r)})`);
      assert.match(JSON.stringify(r.error), why, `${name}: ${JSON.stringify(r.error)}`);
    }
    // Read-only as asked: it runs, and cannot write.
    const b = peerBundle('ro-ok', { mounts: [{ destination: '/w', type: 'bind', source: path.join(ro, 'mine'), options: ['rbind', 'ro', 'nosuid'] }] }, write);
    const r = await run(b, 'ro-ok');
    assert.ok(r.ok, JSON.stringify(r.error));
    assert.doesNotMatch(stdoutOf(r), /WROTE/);
    assert.equal(fs.existsSync(path.join(ro, 'mine', 'x')), false);
  });

  it('may mount proc only at /proc, and no hostname with a newline', async () => {
    const procSys = peerBundle('proc-sys', { mounts: [{ destination: '/proc/sys', type: 'proc', source: 'proc' }] });
    const newline = peerBundle('newline', { hostname: 'box\n127.0.0.1 evil' });
    const [a, b] = await asPeer([
      { method: 'launch', params: { bundle: procSys, id: 'proc-sys' } },
      { method: 'launch', params: { bundle: newline, id: 'newline' } },
    ]);
    // runc refuses it for root too (mount-inside-proc); either way it is not run.
    assert.ok(a.error?.data?.findings?.some((f) => f.code === 'peer-proc-mount' || f.code === 'mount-inside-proc'), JSON.stringify(a));
    assert.ok(b.error?.data?.findings?.some((f) => f.code === 'hostname-control-character'), JSON.stringify(b));
  });

  it('hooks of every kind, which would run as root (most on the host), are refused and never run', async () => {
    // Each hook would leave a root-owned file in a directory only root may write.
    const kinds = ['prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop'];
    const marker = (kind: string) => path.join(secretDir, `hook-ran-${kind}`);
    const hooks = Object.fromEntries(
      // startContainer runs in the container, where the marker's directory is not: `|| true`.
      kinds.map((k) => [k, [{ path: '/bin/sh', args: ['sh', '-c', `id -u > ${marker(k)} || true`] }]]),
    );
    const b = peerBundle('hooks', { hooks });
    const [launched, validated] = await asPeer([
      { method: 'launch', params: { bundle: b, id: 'hooks' } },
      { method: 'validate', params: { bundle: b } },
    ]);
    assert.equal(launched.error?.data?.reason, 'peer-not-allowed', JSON.stringify(launched));
    const refused = launched.error?.data?.findings?.filter((f) => f.code === 'peer-hooks') ?? [];
    assert.equal(refused.length, 1, JSON.stringify(launched.error?.data?.findings));
    assert.match(refused[0].message, /hooks run on the host as root; only root may set them/);
    const shown = (validated.ok as { findings: { code: string }[] }).findings.filter((f) => f.code === 'peer-hooks');
    assert.equal(shown.length, 1, 'validate shows the editor the same refusal');
    for (const k of kinds) assert.equal(fs.existsSync(marker(k)), false, `the ${k} hook ran`);
    assert.deepEqual(fs.readdirSync(d.stateDir), [], 'nothing was started');

    // Control: root's launch of the same bundle runs every hook, as root, so the above can fail.
    const [mine] = await callsAsUser(d.socketPath, { uid: 0, gid: 0, home: work }, [{ method: 'run', params: { bundle: b, id: 'hooks-root' } }]);
    assert.ok((mine as Reply).ok, JSON.stringify(mine));
    for (const k of kinds.filter((k) => k !== 'startContainer')) {
      assert.equal(fs.readFileSync(marker(k), 'utf8'), '0\n', `${k} ran as root`);
      fs.rmSync(marker(k));
    }
  });

  it('a FIFO or a device as config.json gets a one-line error, without blocking the helper', async () => {
    const fifo = path.join(work, 'fifo-bundle');
    fs.mkdirSync(fifo);
    execFileSync('mkfifo', [path.join(fifo, 'config.json')]);
    const dev = path.join(work, 'device-bundle');
    fs.mkdirSync(dev);
    fs.symlinkSync('/dev/zero', path.join(dev, 'config.json'));
    execFileSync('chown', ['-R', `${uid}:${gid}`, fifo, dev]);
    const [a, b, v] = await asPeer([
      { method: 'validate', params: { bundle: fifo } },
      { method: 'validate', params: { bundle: dev } },
      { method: 'version' },
    ]);
    assert.match(a.error!.message, /config\.json is not a regular file$/);
    assert.match(b.error!.message, /device-bundle\/config\.json is not a regular file$/);
    assert.ok(v.ok, 'the helper still answers');
    assert.ok(!d.logs.some((l) => /\n\s+at /.test(l)), 'no stack trace in the helper log');
  });

  it('a user namespace mapping host root and joining namespaces by path are refused; a time namespace gains nothing', async () => {
    const hostRoot = [{ containerID: 0, hostID: 0, size: 1 }];
    const ns = (...extra: Record<string, unknown>[]) => [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, ...extra];
    const userns = peerBundle('userns-root', { linux: { namespaces: ns({ type: 'user' }), uidMappings: hostRoot, gidMappings: hostRoot } });
    // The host's mount namespace (pid 1's), and the helper's own network namespace.
    const joinMnt = peerBundle('join-mnt', { linux: { namespaces: [{ type: 'pid' }, { type: 'uts' }, { type: 'mount', path: '/proc/1/ns/mnt' }] } });
    const joinNet = peerBundle('join-net', { linux: { namespaces: ns({ type: 'network', path: `/proc/${process.pid}/ns/net` }) } });
    const [a, b, c] = await asPeer([
      { method: 'launch', params: { bundle: userns, id: 'userns-root' } },
      { method: 'launch', params: { bundle: joinMnt, id: 'join-mnt' } },
      { method: 'launch', params: { bundle: joinNet, id: 'join-net' } },
    ]);
    const codes = (r: Reply) => (r.error?.data?.findings ?? []).map((f) => f.code);
    assert.ok(codes(a).includes('peer-user-namespace'), JSON.stringify(a));
    assert.ok(codes(b).includes('peer-namespace-path'), JSON.stringify(b));
    assert.ok(codes(c).includes('peer-namespace-path'), JSON.stringify(c));
    // Clocks of its own are something the peer could have itself (unshare -U -T): allowed.
    const time = peerBundle(
      'time',
      { linux: { namespaces: ns({ type: 'time' }), timeOffsets: { boottime: { secs: 30 * 86400, nanosecs: 0 } } } },
      ['/bin/sh', '-c', '/bin/probe; cat /proc/uptime'],
    );
    const r = await run(time, 'time');
    assert.ok(r.ok, JSON.stringify(r.error));
    assertGainedNothing(stdoutOf(r), 'time namespace');
    const uptime = Number(/^(\d+)\.\d+ /m.exec(stdoutOf(r))?.[1]);
    assert.ok(uptime >= 30 * 86400, `uptime ${uptime} carries the 30-day boottime offset`);
  });

  it('a normal launch still works afterwards, with every mount nosuid', async () => {
    const b = peerBundle('normal', {}, ['/bin/sh', '-c', '/bin/probe; cat /proc/self/mountinfo']);
    const r = await run(b, 'normal');
    assert.ok(r.ok, JSON.stringify(r.error));
    const out = stdoutOf(r);
    assertGainedNothing(out, 'normal launch');
    const lines = out.split('\n').filter((l) => / - /.test(l));
    assert.ok(lines.length > 5, out);
    for (const l of lines) assert.match(l.split(' ')[5], /nosuid/, l);
    assert.deepEqual(fs.readdirSync(d.stateDir), [], 'every container was torn down');
  });
});
