// `bindery` as an OCI runtime, call by call, against runc on the same bundle: the exit status
// and the error an engine reads (the `--log` JSON line) must be runc's.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { runcMounts } from '../baseSpec';
import { cleanupTemp, makeBundle, needsRoot, tempDir } from '../runtime/rootHarness';
import { assertBuilt, cleanRoot, runtime, stateOf, waitStatus, type Result } from './ociHarness';

type Tool = 'bindery' | 'runc';
const TOOLS: Tool[] = ['runc', 'bindery'];
const roots: [Tool, string][] = [];

function rootFor(tool: Tool): string {
  const root = path.join(tempDir(`${tool}-root`), 'state');
  roots.push([tool, root]);
  return root;
}

/** The last error an engine would read from `--log FILE --log-format json`. */
function loggedError(log: string): string | undefined {
  if (!fs.existsSync(log)) return undefined;
  const lines = fs.readFileSync(log, 'utf8').trim().split('\n').filter(Boolean);
  const errors = lines
    .map((l) => JSON.parse(l) as { level: string; msg: string; time: string })
    .filter((l) => l.level === 'error');
  for (const e of errors)
    assert.ok(!Number.isNaN(Date.parse(e.time)), `time in ${JSON.stringify(e)}`);
  return errors.at(-1)?.msg;
}

/** A call with `--log` in JSON, as engines make it: its status and the error it logged. */
function call(tool: Tool, root: string, args: string[]): { status: number | null; error?: string } {
  const log = path.join(path.dirname(root), `log-${Math.random().toString(36).slice(2)}.json`);
  const r: Result = runtime(tool, root, ['--log', log, '--log-format', 'json', ...args]);
  const error = loggedError(log);
  fs.rmSync(log, { force: true });
  return { status: r.status, ...(error !== undefined ? { error } : {}) };
}

/** `create` with the given fds as its stdio (and fd 3 when `extra`), as conmon or the shim calls it. */
function create(
  tool: Tool,
  root: string,
  bundle: string,
  id: string,
  out: string,
  more: string[] = [],
  extra?: number,
) {
  const o = fs.openSync(out, 'w');
  const stdio: (number | 'ignore')[] = ['ignore', o, o];
  if (extra !== undefined) stdio.push(extra);
  const pidFile = path.join(path.dirname(root), `${id}.pid`);
  const r = spawnSync(
    tool === 'runc' ? 'runc' : path.join(__dirname, '..', '..', 'bin', 'bindery.js'),
    ['--root', root, 'create', '--bundle', bundle, '--pid-file', pidFile, ...more, id],
    { stdio, timeout: 60_000 },
  );
  fs.closeSync(o);
  return {
    status: r.status,
    pid: fs.existsSync(pidFile) ? Number(fs.readFileSync(pidFile, 'utf8')) : undefined,
    createPid: r.pid,
  };
}

async function eventually(what: string, f: () => boolean): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (f()) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`never: ${what}`);
}

describe('bindery as an OCI runtime, compared with runc (root)', () => {
  before(() => {
    if (process.getuid?.() === 0) assertBuilt();
  });
  after(() => {
    for (const [tool, root] of roots) cleanRoot(tool, root);
    cleanupTemp();
  });

  it('create parks the init until start; state, kill and delete answer as runc', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const seen: Record<Tool, unknown[]> = { runc: [], bindery: [] };
    for (const tool of TOOLS) {
      const root = rootFor(tool);
      const bundle = makeBundle({
        args: ['/bin/sh', '-c', 'echo started; echo to-stderr >&2; exec sleep 30'],
      });
      const out = path.join(path.dirname(root), 'out');
      const c = create(tool, root, bundle, 'c1', out);
      assert.equal(c.status, 0, `${tool} create`);
      const st = stateOf(tool, root, 'c1')!;
      assert.equal(st.status, 'created', tool);
      assert.equal(st.pid, c.pid, `${tool}: --pid-file holds the init's pid`);
      assert.equal(fs.readFileSync(out, 'utf8'), '', `${tool}: nothing runs before start`);
      const ppid = Number(
        fs.readFileSync(`/proc/${st.pid}/stat`, 'utf8').split(') ')[1].split(' ')[1],
      );
      assert.notEqual(ppid, c.createPid, `${tool}: the init outlives create and is re-parented`);

      const steps: unknown[] = [];
      steps.push(['create again', call(tool, root, ['create', '--bundle', bundle, 'c1'])]);
      steps.push(['start', call(tool, root, ['start', 'c1'])]);
      await eventually(
        `${tool} output`,
        () => fs.readFileSync(out, 'utf8') === 'started\nto-stderr\n',
      );
      steps.push(['state', stateOf(tool, root, 'c1')?.status]);
      steps.push(['start again', call(tool, root, ['start', 'c1'])]);
      steps.push(['delete running', call(tool, root, ['delete', 'c1'])]);
      steps.push(['bad signal', call(tool, root, ['kill', 'c1', 'FOO'])]);
      steps.push(['kill', call(tool, root, ['kill', 'c1', 'KILL'])]);
      await waitStatus(tool, root, 'c1', 'stopped');
      steps.push(['pid once stopped', stateOf(tool, root, 'c1')?.pid]);
      steps.push(['kill stopped', call(tool, root, ['kill', 'c1', 'TERM'])]);
      steps.push(['exec stopped', call(tool, root, ['exec', 'c1', 'true'])]);
      steps.push(['delete', call(tool, root, ['delete', 'c1'])]);
      steps.push(['state deleted', call(tool, root, ['state', 'c1'])]);
      steps.push(['delete deleted', call(tool, root, ['delete', 'c1'])]);
      steps.push(['delete --force deleted', call(tool, root, ['delete', '--force', 'c1'])]);
      seen[tool] = steps;
    }
    // The create error is worded by each runtime ("runc create failed" / "bindery create failed").
    const normal = (v: unknown) =>
      JSON.parse(
        JSON.stringify(v).replace(/bindery create failed|runc create failed/g, 'CREATE failed'),
      );
    assert.deepEqual(normal(seen.bindery), normal(seen.runc));
  });

  it('exec runs in the container, passes the exit status, and fails in runc words', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const results: Record<Tool, unknown[]> = { runc: [], bindery: [] };
    for (const tool of TOOLS) {
      const root = rootFor(tool);
      const bundle = makeBundle({ args: ['/bin/sleep', '30'], hostname: 'execbox' });
      assert.equal(
        create(tool, root, bundle, 'e1', path.join(path.dirname(root), 'out')).status,
        0,
      );
      assert.equal(runtime(tool, root, ['start', 'e1']).status, 0);
      const r = runtime(tool, root, [
        'exec',
        'e1',
        '/bin/sh',
        '-c',
        'hostname; echo $((6*7)); exit 5',
      ]);
      const pidFile = path.join(path.dirname(root), 'exec.pid');
      // Not pipes: the detached process keeps the caller's stdio (runc's too), so a pipe
      // would hold spawnSync until it exits, and ps would then list the init alone.
      const d = runtime(
        tool,
        root,
        ['exec', '--detach', '--pid-file', pidFile, 'e1', '/bin/sleep', '20'],
        { stdio: 'ignore' },
      );
      const execPid = Number(fs.readFileSync(pidFile, 'utf8'));
      const init = stateOf(tool, root, 'e1')!.pid;
      const sameNs =
        fs.readlinkSync(`/proc/${execPid}/ns/pid`) === fs.readlinkSync(`/proc/${init}/ns/pid`);
      const ps = JSON.parse(
        runtime(tool, root, ['ps', '--format', 'json', 'e1']).stdout,
      ) as number[];
      // runc's ps lists the container's cgroup, which runc cannot set up fully here: Bindery's alone.
      if (tool === 'bindery') assert.ok(ps.includes(execPid) && ps.includes(init), `ps: ${ps}`);
      results[tool] = [
        [r.status, r.stdout],
        [d.status, sameNs],
        ['missing', call(tool, root, ['exec', 'e1', 'nope'])],
        ['missing path', call(tool, root, ['exec', 'e1', '/nope'])],
      ];
      assert.equal(runtime(tool, root, ['kill', '--all', 'e1', 'KILL']).status, 0);
      await waitStatus(tool, root, 'e1', 'stopped');
      assert.equal(runtime(tool, root, ['delete', 'e1']).status, 0);
    }
    assert.deepEqual(results.bindery[0], [5, 'execbox\n42\n']);
    // runc's words first (engines match on them), then Bindery's own detail.
    const runcWords = (v: unknown[]) =>
      JSON.parse(
        JSON.stringify(v).replace(
          /(: stat \/nope: no such file or directory|in \$PATH): ENOENT: [^"]*/g,
          '$1',
        ),
      );
    assert.deepEqual(runcWords(results.bindery), results.runc);
  });

  it('exec into a user-namespaced container joins its user namespace first: the ids inside and on the host are runc’s', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const HOST_ROOT = 200000;
    const MAP = [{ containerID: 0, hostID: HOST_ROOT, size: 65536 }];
    const results: Record<Tool, unknown[]> = { runc: [], bindery: [] };
    for (const tool of TOOLS) {
      const root = rootFor(tool);
      const bundle = makeBundle({
        args: ['/bin/sleep', '30'],
        namespaces: ['pid', 'mount', 'ipc', 'uts', 'network', 'user'],
        extra: { linux: { uidMappings: MAP, gidMappings: MAP } },
        prepare: (rootfs) => {
          spawnSync('chown', ['-R', '--no-dereference', `${HOST_ROOT}:${HOST_ROOT}`, rootfs]);
          fs.chmodSync(path.dirname(rootfs), 0o711);
        },
      });
      assert.equal(create(tool, root, bundle, 'u1', path.join(path.dirname(root), 'out')).status, 0);
      assert.equal(runtime(tool, root, ['start', 'u1']).status, 0);
      const asUser = runtime(tool, root, ['exec', '--user', '1000:1000', 'u1', '/bin/sh', '-c', 'id -u; id -g; cat /proc/self/uid_map']);
      const asRoot = runtime(tool, root, [
        'exec',
        'u1',
        '/bin/sh',
        '-c',
        'id -u; for n in user pid mnt net; do [ "$(readlink /proc/self/ns/$n)" = "$(readlink /proc/1/ns/$n)" ] && echo "same $n"; done',
      ]);
      results[tool] = [
        [asUser.status, asUser.stdout.replace(/[ \t]+/g, ' '), asUser.stderr],
        [asRoot.status, asRoot.stdout, asRoot.stderr],
      ];
      if (tool === 'bindery') {
        // On the host, the exec'd process is the mapped root (runc 1.1.5's detached exec
        // exits at once here, so only Bindery's is looked at from outside).
        const pidFile = path.join(path.dirname(root), 'exec.pid');
        const d = runtime(tool, root, ['exec', '--detach', '--pid-file', pidFile, 'u1', '/bin/sleep', '20']);
        assert.equal(d.status, 0, d.stderr);
        const status = fs.readFileSync(`/proc/${fs.readFileSync(pidFile, 'utf8').trim()}/status`, 'utf8');
        assert.match(status, new RegExp(`^Uid:\\s+${HOST_ROOT}\\s+${HOST_ROOT}\\s`, 'm'));
        assert.match(status, new RegExp(`^Gid:\\s+${HOST_ROOT}\\s`, 'm'));
      }
      assert.equal(runtime(tool, root, ['kill', '--all', 'u1', 'KILL']).status, 0);
      await waitStatus(tool, root, 'u1', 'stopped');
      assert.equal(runtime(tool, root, ['delete', 'u1']).status, 0);
    }
    assert.deepEqual(results.bindery, [
      [0, '1000\n1000\n 0 200000 65536\n', ''],
      [0, '0\nsame user\nsame pid\nsame mnt\nsame net\n', ''],
    ]);
    assert.deepEqual(results.bindery, results.runc);
  });

  it('an id-mapped bind through run (create, start): the mount’s own mapping, as runc 1.2 (runc 1.1.5 ignores it)', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const src = tempDir('idmap-src');
    fs.chmodSync(src, 0o755); // outside the mapping it is nobody's: others must search it
    fs.writeFileSync(path.join(src, 'f'), 'x');
    fs.chownSync(path.join(src, 'f'), 1000, 1000);
    const map = [{ containerID: 1000, hostID: 200005, size: 1 }];
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'ls -ln /own/f'],
      mounts: [
        ...runcMounts('/proc', '/dev'),
        { destination: '/own', type: 'bind', source: src, options: ['rbind'], uidMappings: map, gidMappings: map },
      ],
      prepare: (rootfs) => fs.mkdirSync(path.join(rootfs, 'own')),
    });
    const root = rootFor('bindery');
    const r = runtime('bindery', root, ['run', '--bundle', bundle, 'i1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    assert.equal(r.status, 0, r.stderr);
    assert.match(r.stdout, /^-rw-r--r-- +1 200005 +200005 +1 .* \/own\/f$/m);
  });

  it("pause and resume through the freezer, as runc; the cgroup is the spec's and goes with delete", async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const seen: Record<Tool, unknown[]> = { runc: [], bindery: [] };
    for (const tool of TOOLS) {
      const root = rootFor(tool);
      const cgroupsPath = `/bindery-oci-test-${tool}/p1`;
      const bundle = makeBundle({
        args: ['/bin/sleep', '30'],
        extra: { linux: { cgroupsPath, resources: { pids: { limit: 40 } } } },
      });
      assert.equal(
        create(tool, root, bundle, 'p1', path.join(path.dirname(root), 'out')).status,
        0,
      );
      assert.equal(runtime(tool, root, ['start', 'p1']).status, 0);
      const init = stateOf(tool, root, 'p1')!.pid;
      const pidsLine = (pid: number) =>
        fs
          .readFileSync(`/proc/${pid}/cgroup`, 'utf8')
          .split('\n')
          .find((l) => /:pids:/.test(l));
      const steps: unknown[] = [
        ['init cgroup', pidsLine(init)?.replace(/^\d+:/, '').replace(`-${tool}/`, '-TOOL/')],
        ['pids.max', fs.readFileSync(`/sys/fs/cgroup/pids${cgroupsPath}/pids.max`, 'utf8').trim()],
        ['resume running', call(tool, root, ['resume', 'p1'])],
        ['pause', call(tool, root, ['pause', 'p1'])],
        ['state', stateOf(tool, root, 'p1')?.status],
        ['delete paused', call(tool, root, ['delete', 'p1'])],
        ['resume', call(tool, root, ['resume', 'p1'])],
        ['state', stateOf(tool, root, 'p1')?.status],
      ];
      if (tool === 'bindery') {
        // An exec'd process joins the container's cgroup.
        const x = runtime(tool, root, ['exec', 'p1', '/bin/sh', '-c', 'cat /proc/self/cgroup']);
        assert.match(x.stdout, new RegExp(`:pids:${cgroupsPath}$`, 'm'), x.stderr);
      }
      steps.push(['pause again', call(tool, root, ['pause', 'p1'])]);
      steps.push(['delete --force paused', call(tool, root, ['delete', '--force', 'p1'])]);
      steps.push(['cgroup removed', fs.existsSync(`/sys/fs/cgroup/pids${cgroupsPath}`)]);
      seen[tool] = steps;
      // runc leaves the parent it made (Bindery removes what it made): only the empty parents.
      for (const h of fs.readdirSync('/sys/fs/cgroup')) {
        const parent = `/sys/fs/cgroup/${h}/bindery-oci-test-${tool}`;
        if (fs.existsSync(parent)) fs.rmdirSync(parent);
      }
    }
    assert.deepEqual(seen.bindery, seen.runc);
  });

  it('run waits, passes the exit status and deletes the container', (t: TestContext) => {
    if (!needsRoot(t)) return;
    for (const tool of TOOLS) {
      const root = rootFor(tool);
      const bundle = makeBundle({ args: ['/bin/sh', '-c', 'echo ran; exit 3'] });
      const r = runtime(tool, root, ['run', '--bundle', bundle, 'r1'], {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      assert.equal(r.status, 3, `${tool}: ${r.stderr}`);
      assert.equal(r.stdout, 'ran\n', tool);
      assert.equal(stateOf(tool, root, 'r1'), undefined, `${tool}: deleted after run`);
      // Its cgroup (by default under the caller's own, named after the id) went with it.
      const own = /:pids:(.*)$/m.exec(fs.readFileSync('/proc/self/cgroup', 'utf8'))?.[1] ?? '/';
      assert.equal(
        fs.existsSync(path.join('/sys/fs/cgroup/pids', own, 'r1')),
        false,
        `${tool}: cgroup removed`,
      );
    }
  });

  it('the process gets fds 0–2 and the --preserve-fds ones, nothing else', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const listed: Record<string, string> = {};
    for (const tool of TOOLS)
      for (const preserve of [0, 1]) {
        const root = rootFor(tool);
        const bundle = makeBundle({ args: ['/bin/ls', '/proc/self/fd'] });
        const out = path.join(path.dirname(root), 'out');
        const extra = fs.openSync(path.join(path.dirname(root), 'extra'), 'w');
        const more = preserve ? ['--preserve-fds', String(preserve)] : [];
        assert.equal(create(tool, root, bundle, 'f1', out, more, extra).status, 0);
        fs.closeSync(extra);
        assert.equal(runtime(tool, root, ['start', 'f1']).status, 0);
        spawnSync('sleep', ['0.5']);
        listed[`${tool} preserve=${preserve}`] = fs.readFileSync(out, 'utf8');
        runtime(tool, root, ['delete', '--force', 'f1']);
      }
    // ls's own directory fd is the next free number.
    assert.equal(listed['bindery preserve=0'], '0\n1\n2\n3\n');
    assert.equal(listed['bindery preserve=1'], '0\n1\n2\n3\n4\n');
    assert.equal(listed['bindery preserve=0'], listed['runc preserve=0']);
    assert.equal(listed['bindery preserve=1'], listed['runc preserve=1']);
  });

  it('a spec the plan refuses fails create with the entry and its line in config.json', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const root = rootFor('bindery');
    const bundle = makeBundle({
      args: ['/bin/true'],
      mounts: [
        { destination: '/data', type: 'bind', source: '/nonexistent/src', options: ['rbind'] },
      ],
    });
    const r = call('bindery', root, ['create', '--bundle', bundle, 'm1']);
    assert.equal(r.status, 1);
    assert.match(
      r.error ?? '',
      /^bindery create failed: bindery refuses this spec: config\.json:\d+:\d+: error bind-source-not-found: mounts\[0\] \(\/data\): bind source \/nonexistent\/src does not exist/,
    );
    assert.equal(stateOf('bindery', root, 'm1'), undefined, 'nothing is left');
  });

  it('a mount that fails in the init names the entry, its line and the errno, like runc fails', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: ['/bin/true'],
      // /bin/busybox is a file: the plan cannot know, the mount point cannot be made.
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/bin/busybox/sub', type: 'tmpfs', source: 'tmpfs' },
      ],
    });
    const runcRoot = rootFor('runc');
    assert.equal(call('runc', runcRoot, ['create', '--bundle', bundle, 'f1']).status, 1);
    const root = rootFor('bindery');
    const r = call('bindery', root, ['create', '--bundle', bundle, 'f1']);
    assert.equal(r.status, 1);
    assert.match(
      r.error ?? '',
      /^bindery create failed: unable to start container process: config\.json:\d+:\d+: mounts\[1\] \/bin\/busybox\/sub: ENOTDIR: .*\(hint: /,
    );
    assert.equal(stateOf('bindery', root, 'f1'), undefined, 'nothing is left');
  });

  it("exec pins the process to execCPUAffinity's final CPUs (runc 1.2; runc 1.1.5 ignores it)", async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const cpus = fs.readFileSync('/sys/fs/cgroup/cpuset/cpuset.effective_cpus', 'utf8').trim();
    const root = rootFor('bindery');
    const bundle = makeBundle({ args: ['/bin/sleep', '30'] });
    assert.equal(
      create('bindery', root, bundle, 'a1', path.join(path.dirname(root), 'out')).status,
      0,
    );
    assert.equal(runtime('bindery', root, ['start', 'a1']).status, 0);
    const processFile = path.join(path.dirname(root), 'process.json');
    const status = (affinity?: unknown) => {
      fs.writeFileSync(
        processFile,
        JSON.stringify({
          args: ['/bin/grep', 'Cpus_allowed_list', '/proc/self/status'],
          cwd: '/',
          env: ['PATH=/bin'],
          user: { uid: 0, gid: 0 },
          ...(affinity ? { execCPUAffinity: affinity } : {}),
        }),
      );
      const r = runtime('bindery', root, ['exec', '--process', processFile, 'a1']);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim();
    };
    const last = cpus.split(/[-,]/).at(-1)!;
    assert.equal(status(), `Cpus_allowed_list:\t${cpus}`, 'unpinned without it');
    assert.equal(status({ initial: last, final: '0' }), 'Cpus_allowed_list:\t0');
    assert.equal(status({ final: last }), `Cpus_allowed_list:\t${last}`);
    assert.equal(runtime('bindery', root, ['kill', '--all', 'a1', 'KILL']).status, 0);
    await waitStatus('bindery', root, 'a1', 'stopped');
    assert.equal(runtime('bindery', root, ['delete', 'a1']).status, 0);
  });

  it("exec sets the process file's scheduler and I/O priority, else the container's (runc 1.4; runc 1.1.5 ignores them)", async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const root = rootFor('bindery');
    const bundle = makeBundle({
      args: ['/bin/sleep', '30'],
      extra: {
        process: {
          scheduler: { policy: 'SCHED_BATCH', nice: 5 },
          ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 6 },
        },
      },
      prepare: (rootfs) => {
        for (const applet of ['ionice', 'cut']) fs.symlinkSync('busybox', path.join(rootfs, 'bin', applet));
      },
    });
    assert.equal(create('bindery', root, bundle, 's1', path.join(path.dirname(root), 'out')).status, 0);
    assert.equal(runtime('bindery', root, ['start', 's1']).status, 0);
    // I/O class and priority; nice and policy (fields 19 and 41 of /proc/self/stat).
    const probe = ['/bin/sh', '-c', "ionice; cut -d' ' -f19,41 /proc/self/stat"];
    const processFile = path.join(path.dirname(root), 'process.json');
    const seen = (own?: Record<string, unknown>) => {
      const args = own
        ? ['exec', '--process', processFile, 's1']
        : ['exec', 's1', ...probe];
      if (own)
        fs.writeFileSync(
          processFile,
          JSON.stringify({ args: probe, cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 }, ...own }),
        );
      const r = runtime('bindery', root, args);
      assert.equal(r.status, 0, r.stderr);
      return r.stdout.trim().split('\n');
    };
    const container = ['best-effort: prio 6', '5 3'];
    assert.deepEqual(seen(), container, 'the container process settings, without --process');
    assert.deepEqual(seen({}), container, 'a process file without them inherits them');
    assert.deepEqual(
      seen({
        scheduler: { policy: 'SCHED_OTHER', nice: 2 },
        ioPriority: { class: 'IOPRIO_CLASS_IDLE', priority: 0 },
      }),
      ['idle', '2 0'],
    );
    const bad = path.join(path.dirname(root), 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ args: probe, cwd: '/', user: { uid: 0, gid: 0 }, scheduler: { policy: 'SCHED_FAST' } }));
    const r = runtime('bindery', root, ['exec', '--process', bad, 's1']);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /scheduler\.policy is not a policy runc knows/);
    assert.equal(runtime('bindery', root, ['kill', '--all', 's1', 'KILL']).status, 0);
    await waitStatus('bindery', root, 's1', 'stopped');
    assert.equal(runtime('bindery', root, ['delete', 's1']).status, 0);
  });

  it('exec with a label the host cannot give fails before the process runs, naming it (no AppArmor/SELinux here, or no such profile)', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const root = rootFor('bindery');
    // A writable root, so a process that ran would leave /ran behind.
    const bundle = makeBundle({ args: ['/bin/sleep', '30'], readonlyRoot: false });
    assert.equal(create('bindery', root, bundle, 'l1', path.join(path.dirname(root), 'out')).status, 0);
    assert.equal(runtime('bindery', root, ['start', 'l1']).status, 0);
    const marker = path.join(bundle, 'rootfs', 'ran');
    for (const [flag, value, lsm] of [
      ['--apparmor', 'bindery-no-such-profile', 'AppArmor profile'],
      ['--process-label', 'bindery_u:no_such_r:no_such_t:s0', 'SELinux label'],
    ]) {
      const r = runtime('bindery', root, ['exec', flag, value, 'l1', '/bin/sh', '-c', 'touch /ran']);
      assert.notEqual(r.status, 0, `${flag} ${value} was not refused`);
      assert.match(r.stderr, new RegExp(`(EINVAL|ENOENT): the kernel refused the ${lsm} "${value}" \\(/proc/thread-self/attr/`));
      assert.ok(!fs.existsSync(marker), 'the process never ran unlabelled');
    }
    assert.equal(runtime('bindery', root, ['exec', 'l1', '/bin/sh', '-c', 'touch /ran']).status, 0, 'the container still serves exec');
    assert.ok(fs.existsSync(marker), 'an unlabelled exec leaves the marker');
    assert.equal(runtime('bindery', root, ['kill', '--all', 'l1', 'KILL']).status, 0);
    await waitStatus('bindery', root, 'l1', 'stopped');
    assert.equal(runtime('bindery', root, ['delete', 'l1']).status, 0);
  });

  it('--systemd-cgroup, and a console socket without a terminal, are refused clearly', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const root = rootFor('bindery');
    const bundle = makeBundle({ args: ['/bin/true'] });
    const s = call('bindery', root, ['--systemd-cgroup', 'create', '--bundle', bundle, 't1']);
    assert.equal(s.status, 1);
    assert.match(s.error ?? '', /through cgroupfs, not systemd: run without --systemd-cgroup/);
    const c = call('bindery', root, [
      'create',
      '--bundle',
      bundle,
      '--console-socket',
      '/tmp/none.sock',
      't1',
    ]);
    assert.equal(c.status, 1);
    assert.match(c.error ?? '', /cannot use console socket if runc will not detach or allocate tty/);
    assert.equal(stateOf('bindery', root, 't1'), undefined);
  });
});
