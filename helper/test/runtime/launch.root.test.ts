// Real containers, as root: what a user would check from inside, and that the host is
// left exactly as it was.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, beforeEach, describe, it, type TestContext } from 'node:test';
import { parseMountinfo } from '@bindery/plan';
import { isLaunchError, runtimeWith, type LaunchError } from '../../src/runtime/container';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import {
  cleanupTemp,
  hostMountinfo,
  launch,
  makeBundle,
  needsRoot,
  planFor,
  runToEnd,
  tempDir,
} from './rootHarness';

const { adoptContainer, launchContainer } = runtimeWith(koffiSyscalls());
import { runcMounts } from '../baseSpec';

let before = '';
let stateRoot = '';

describe('containers (root)', () => {
  beforeEach(() => {
    before = hostMountinfo();
    stateRoot = tempDir('state');
  });
  afterEach(() => {
    assert.equal(hostMountinfo(), before, 'the host mount table is unchanged');
    assert.deepEqual(
      fs.existsSync(stateRoot) ? fs.readdirSync(stateRoot) : [],
      [],
      'no container state left behind',
    );
  });
  after(cleanupTemp);

  it('runs the process with the spec mounts, network files and hostname', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      hostname: 'inside',
      readonlyRoot: true,
      args: [
        '/bin/sh',
        '-c',
        'cat /proc/self/mountinfo; echo ===; cat /etc/hostname; echo ===; cat /etc/hosts; echo ===; cat /etc/resolv.conf; echo ===; hostname; ' +
          'echo x > /data/probe 2>/dev/null && echo data-writable || echo data-readonly; ' +
          'echo x > /tmp/probe && echo tmp-writable; echo x > /probe 2>/dev/null || echo root-readonly; exit 7',
      ],
      mounts: [
        ...runcMounts('/proc', '/dev'),
        {
          destination: '/tmp',
          type: 'tmpfs',
          source: 'tmpfs',
          options: ['nosuid', 'nodev', 'noexec', 'mode=1777', 'size=4m'],
        },
        {
          destination: '/data',
          type: 'bind',
          source: 'hostdata',
          options: ['rbind', 'ro', 'nosuid', 'nodev'],
        },
      ],
    });
    fs.mkdirSync(path.join(bundle, 'hostdata'));
    const l = await launch(bundle, stateRoot, 'mounts');
    const planned = planFor(bundle, stateRoot, 'mounts').operations.length;
    assert.equal(l.operations.length, planned, 'one event per planned operation');
    assert.ok(l.operations.every((e, i) => e.ok && e.index === i && e.id === 'mounts'));
    const summary = l.container.info();
    assert.ok(
      summary.mounts.length > 0 && summary.mounts.every((m) => m.state === 'applied'),
      JSON.stringify(summary.mounts),
    );
    assert.deepEqual(summary.networkFiles.map((f) => f.name).sort(), [
      'hostname',
      'hosts',
      'resolv.conf',
    ]);
    const exit = await l.container.exited;
    await l.container.teardown();
    const r = { ...l.out, exit };
    assert.equal(r.exit.exitCode, 7, r.stderr);
    const [mountinfo, hostname, hosts, resolv, uname] = r.stdout.split('===\n');

    const mounts = parseMountinfo(mountinfo);
    const byPoint = (p: string) => {
      const m = mounts.filter((x) => x.mountPoint === p).at(-1);
      assert.ok(m, `${p} is mounted in the container:\n${mountinfo}`);
      return m;
    };
    assert.ok(byPoint('/').options.includes('ro'), 'root is read-only');
    assert.equal(byPoint('/proc').fstype, 'proc');
    assert.equal(byPoint('/dev').fstype, 'tmpfs');
    assert.ok(byPoint('/dev').options.includes('nosuid'));
    const tmp = byPoint('/tmp');
    assert.equal(tmp.fstype, 'tmpfs');
    for (const o of ['rw', 'nosuid', 'nodev', 'noexec'])
      assert.ok(tmp.options.includes(o), `/tmp has ${o}`);
    assert.ok(tmp.superOptions.includes('size=4096k'), `/tmp size: ${tmp.superOptions}`);
    const data = byPoint('/data');
    for (const o of ['ro', 'nosuid', 'nodev'])
      assert.ok(data.options.includes(o), `/data has ${o}`);
    for (const f of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) byPoint(f);
    // In spec order (the runtime's additions after the spec's mounts).
    const order = ['/proc', '/dev', '/tmp', '/data'].map((p) =>
      mounts.findIndex((m) => m.mountPoint === p),
    );
    assert.deepEqual(
      [...order].sort((a, b) => a - b),
      order,
      `mount order ${order}`,
    );

    assert.equal(hostname, 'inside\n');
    assert.match(hosts, /^127\.0\.0\.1\tlocalhost$/m);
    assert.match(hosts, /^::1\tlocalhost ip6-localhost ip6-loopback$/m);
    assert.match(hosts, /\binside$/m);
    assert.match(resolv, /^nameserver /m);
    assert.doesNotMatch(
      resolv,
      /^nameserver (127\.|::1)/m,
      'no loopback nameserver in a network namespace of its own',
    );
    assert.match(uname, /^inside\ndata-readonly\ntmp-writable\nroot-readonly\n$/);
    assert.ok(!fs.existsSync(path.join(bundle, 'hostdata', 'probe')));
  });

  it('copies the rootfs content into a tmpcopyup tmpfs, and brings loopback up in a new network namespace', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: [
        '/bin/sh',
        '-c',
        'cat /etc/motd; echo new > /etc/motd && cat /etc/motd; grep " /etc " /proc/self/mountinfo | grep -c tmpfs; ip link show lo',
      ],
      prepare: (rootfs) => fs.writeFileSync(path.join(rootfs, 'etc', 'motd'), 'from the image\n'),
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        {
          destination: '/etc',
          type: 'tmpfs',
          source: 'tmpfs',
          options: ['tmpcopyup', 'mode=755', 'size=1m'],
        },
      ],
    });
    const r = await runToEnd(bundle, stateRoot, 'copyup');
    assert.equal(r.exit.exitCode, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.deepEqual(lines.slice(0, 3), ['from the image', 'new', '1']);
    assert.match(lines[3], /^1: lo: <[^>]*\bUP\b/);
    assert.equal(
      fs.readFileSync(path.join(bundle, 'rootfs', 'etc', 'motd'), 'utf8'),
      'from the image\n',
      'the rootfs itself is unchanged',
    );
  });

  it('streams output while the process runs and exits with its code', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'echo one; echo oops >&2; sleep 0.3; echo two; exit 3'],
    });
    const l = await launch(bundle, stateRoot, 'stream');
    const first = await new Promise<{ status: string; data: string }>((resolve) =>
      l.container.once('output', (o) => resolve({ status: l.container.status, data: o.data })),
    );
    assert.equal(
      first.status,
      'running',
      'the first chunk arrived while the process was still running',
    );
    const exit = await l.container.exited;
    assert.equal(exit.exitCode, 3);
    assert.equal(l.out.stdout, 'one\ntwo\n');
    assert.equal(l.out.stderr, 'oops\n');
    await l.container.teardown();
    await l.container.teardown(); // idempotent
  });

  it('stops a process that ignores SIGTERM with SIGKILL after the grace period', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const l = await launch(
      makeBundle({
        args: ['/bin/sh', '-c', 'trap "" TERM; echo ready; while :; do sleep 1; done'],
      }),
      stateRoot,
      'stop',
    );
    await new Promise((resolve) => l.container.once('output', resolve));
    assert.equal(l.container.status, 'running');
    assert.ok(l.container.info().pid);
    await l.container.stop(200);
    const exit = await l.container.exited;
    assert.equal(exit.signal, 'SIGKILL');
    assert.equal(l.container.status, 'stopped');
    await l.container.teardown();
  });

  it('runs as the spec user with its capabilities and no_new_privs', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      user: { uid: 65534, gid: 65534, additionalGids: [5] },
      cwd: '/tmp',
      args: [
        '/bin/sh',
        '-c',
        'id -u; id -g; id -G; pwd; grep -E "^(CapBnd|CapEff|NoNewPrivs)" /proc/self/status',
      ],
      extra: {
        process: {
          capabilities: {
            bounding: ['CAP_KILL', 'CAP_NET_BIND_SERVICE'],
            effective: [],
            permitted: [],
          },
        },
      },
    });
    const r = await runToEnd(bundle, stateRoot, 'user');
    assert.equal(r.exit.exitCode, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.deepEqual(lines.slice(0, 4), ['65534', '65534', '65534 5', '/tmp']);
    assert.match(r.stdout, /^CapBnd:\s+0000000000000420$/m); // KILL (5) and NET_BIND_SERVICE (10)
    assert.match(r.stdout, /^CapEff:\s+0000000000000000$/m);
    assert.match(r.stdout, /^NoNewPrivs:\s+1$/m);
  });

  it('refuses a cwd through /proc/self/fd (CVE-2024-21626)', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({ args: ['/bin/true'], cwd: '/proc/self/fd/3' });
    const e = await launch(bundle, stateRoot, 'cwd').then(
      () => assert.fail('launched'),
      (err: unknown) => err as LaunchError,
    );
    assert.ok(isLaunchError(e));
    // The plan makes a missing cwd before the process starts (runc does too): that step refuses it.
    assert.equal(e.reason, 'mount-failed');
    assert.equal(e.failure?.errno, 'ELOOP');
    assert.match(e.failure?.hint ?? '', /CVE-2024-21626/);
  });

  it('reports a missing bind source on its entry and leaves nothing behind', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: ['/bin/true'],
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/data', type: 'bind', source: 'hostdata', options: ['rbind'] },
      ],
    });
    fs.mkdirSync(path.join(bundle, 'hostdata'));
    const plan = planFor(bundle, stateRoot, 'nosource');
    fs.rmdirSync(path.join(bundle, 'hostdata')); // gone between validation and launch
    const e = await launch(bundle, stateRoot, 'nosource', plan).then(
      () => assert.fail('launched'),
      (err: unknown) => err as LaunchError,
    );
    assert.equal(e.reason, 'mount-failed');
    assert.equal(e.failure?.errno, 'ENOENT');
    assert.equal(
      e.failure?.message,
      `ENOENT: bind source ${path.join(bundle, 'hostdata')} does not exist on the host`,
    );
    assert.deepEqual(
      e.failure?.operation.origin.kind === 'spec' && e.failure.operation.origin.path,
      ['mounts', 1],
    );
  });

  it('reports a tmpfs option the kernel refuses as EINVAL naming the option', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: ['/bin/true'],
      mounts: [{ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['size=1m'] }],
    });
    const plan = planFor(bundle, stateRoot, 'sizee');
    // The planner catches this one; the runtime must still say it well when a plan lets one through.
    const op = plan.operations.find(
      (o) => o.op === 'mount' && o.fstype === 'tmpfs' && o.target === '/tmp',
    );
    assert.ok(op && op.op === 'mount');
    op.data = 'sizee=1m';
    const e = await launch(bundle, stateRoot, 'sizee', plan).then(
      () => assert.fail('launched'),
      (err: unknown) => err as LaunchError,
    );
    assert.equal(e.failure?.errno, 'EINVAL');
    assert.equal(e.failure?.message, 'EINVAL: tmpfs does not accept option sizee');
  });

  it('keeps symlinked and ../ destinations inside the rootfs', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const marker = `bindery-escape-${process.pid}`;
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', `cat /etc/${marker}/file; ls /etc/${marker}2`],
      prepare: (rootfs) => {
        fs.symlinkSync('/etc', path.join(rootfs, 'escape')); // absolute: means the container's /etc
        fs.symlinkSync('../../../../../../etc', path.join(rootfs, 'up')); // climbs: stops at the root
      },
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: `/escape/${marker}`, type: 'bind', source: 'src', options: ['rbind', 'ro'] },
        { destination: `/up/${marker}2`, type: 'bind', source: 'src', options: ['rbind', 'ro'] },
        {
          destination: `/../../tmp/${marker}3`,
          type: 'tmpfs',
          source: 'tmpfs',
          options: ['size=1m'],
        },
      ],
    });
    fs.mkdirSync(path.join(bundle, 'src'));
    fs.writeFileSync(path.join(bundle, 'src', 'file'), 'inside\n');
    const r = await runToEnd(bundle, stateRoot, 'escape');
    assert.equal(r.exit.exitCode, 0, r.stderr);
    assert.equal(r.stdout, 'inside\nfile\n');
    for (const suffix of ['', '2'])
      assert.ok(
        !fs.existsSync(`/etc/${marker}${suffix}`),
        `nothing was created in the host's /etc`,
      );
    assert.ok(!fs.existsSync(`/tmp/${marker}3`));
    assert.ok(
      fs.existsSync(path.join(bundle, 'rootfs', 'etc', marker)),
      'the mount point was made inside the rootfs',
    );
  });

  it('keeps container mounts off the host when the rootfs sits on a shared mount and rootfsPropagation is rshared', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const shared = tempDir('shared');
    const mountOnHost = (args: string[]) => {
      const r = spawnSync('mount', args, { encoding: 'utf8' });
      assert.equal(r.status, 0, r.stderr);
    };
    mountOnHost(['-t', 'tmpfs', '-o', 'size=64m', 'bindery-test-shared', shared]);
    try {
      mountOnHost(['--make-shared', shared]);
      const withShared = hostMountinfo();
      const bundle = makeBundle({
        args: ['/bin/sh', '-c', 'echo up; sleep 0.5'],
        extra: { linux: { rootfsPropagation: 'rshared' } },
      });
      fs.cpSync(bundle, path.join(shared, 'b'), { recursive: true, verbatimSymlinks: true });
      const l = await launch(path.join(shared, 'b'), stateRoot, 'shared');
      await new Promise((resolve) => l.container.once('output', resolve));
      assert.equal(
        hostMountinfo(),
        withShared,
        'nothing of the running container shows in the host mount table',
      );
      const exit = await l.container.exited;
      assert.equal(exit.exitCode, 0, l.out.stderr);
      await l.container.teardown();
      assert.equal(hostMountinfo(), withShared);
    } finally {
      spawnSync('umount', ['-l', shared]);
    }
  });

  it('launches and tears down 20 containers at once', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'hostname; cat /proc/self/mountinfo | grep -c .'],
    });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => runToEnd(bundle, stateRoot, `many-${i}`)),
    );
    for (const r of results) {
      assert.equal(r.exit.exitCode, 0, r.stderr);
      assert.match(r.stdout, /^testbox\n\d+\n$/);
    }
  });

  it('re-adopts a running container from its state directory and stops it through a pidfd', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const l = await launch(
      makeBundle({ args: ['/bin/sh', '-c', 'echo up; exec sleep 1000'] }),
      stateRoot,
      'adopt',
    );
    await new Promise((resolve) => l.container.once('output', resolve));
    const adopted = adoptContainer(path.join(stateRoot, 'adopt'));
    assert.ok(adopted);
    assert.equal(adopted.status, 'running');
    assert.equal(adopted.pid, l.container.pid);
    const replay: string[] = [];
    adopted.on('output', (o) => replay.push(o.data));
    await new Promise((resolve) => adopted.once('started', resolve));
    await adopted.stop(5000); // sleep as PID 1 ignores TERM: KILL through the pidfd
    const [a, b] = await Promise.all([adopted.exited, l.container.exited]);
    assert.equal(a.id, 'adopt');
    assert.equal(b.signal, 'SIGKILL');
    assert.equal(
      replay.join(''),
      '',
      'output goes through a pipe: what the first helper read is not read again (logSpace.root.test.ts: the unread rest is)',
    );
    await adopted.teardown();
    await l.container.teardown();
    assert.equal(adoptContainer(path.join(stateRoot, 'adopt')), undefined);
  });

  it("without a mount namespace: the process is in the host's, its mounts are on the host under the rootfs until teardown", async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      namespaces: ['pid'],
      args: ['/bin/sh', '-c', 'readlink /proc/self/ns/mnt; sleep 1'],
    });
    const file = path.join(bundle, 'config.json');
    const config = JSON.parse(fs.readFileSync(file, 'utf8')) as { hostname?: string };
    delete config.hostname; // no UTS namespace either
    fs.writeFileSync(file, JSON.stringify(config));
    const rootfs = fs.realpathSync(path.join(bundle, 'rootfs'));
    const l = await launch(bundle, stateRoot, 'hostmnt');
    const onHost = parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')).map(
      (m) => m.mountPoint,
    );
    assert.ok(onHost.includes(rootfs) && onHost.includes(`${rootfs}/proc`), 'mounted on the host');
    const exit = await l.container.exited;
    await l.container.teardown();
    assert.equal(exit.exitCode, 0, l.out.stderr);
    assert.equal(l.out.stdout.trim(), fs.readlinkSync('/proc/self/ns/mnt'));
    // afterEach: the host mount table is as it was.
  });

  it('refuses a plan with errors and an id that is taken, starting nothing', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({ args: ['/bin/true'] });
    const plan = planFor(bundle, stateRoot, 'dup');
    const bad = {
      ...plan,
      findings: [
        {
          code: 'x',
          severity: 'error' as const,
          message: 'broken',
          range:
            plan.operations[0].origin.kind === 'spec'
              ? plan.operations[0].origin.range
              : { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          path: [],
        },
      ],
    };
    await assert.rejects(
      launchContainer({
        id: 'dup',
        bundleDir: bundle,
        plan: bad,
        owner: { uid: 0, gid: 0 },
        stateRoot,
      }),
      (e: LaunchError) => e.reason === 'plan-has-errors',
    );
    fs.mkdirSync(path.join(stateRoot, 'dup'));
    await assert.rejects(
      launchContainer({ id: 'dup', bundleDir: bundle, plan, owner: { uid: 0, gid: 0 }, stateRoot }),
      (e: LaunchError) => e.reason === 'already-exists',
    );
    fs.rmdirSync(path.join(stateRoot, 'dup'));
  });
});
