// The fidelity suite: the same bundle under `runc run` and `bindery run` (embedded, no
// daemon), the same probe inside (probe.sh), and the two outputs must be equal but for the
// differences documented in src/runtime/README.md. As root, with runc installed (CI has both).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { cleanupTemp, hostMountinfo, needsRoot, tempDir } from '../runtime/rootHarness';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { CASES as SPEC_CASES, ENGINE_CASES, REFUSED as SPEC_REFUSED, TERMINAL_CASES, runcSpec, type FidelityCase } from './cases';
import { FAILING_HOOKS, HOOK_CASES } from './hookCases';

const CASES = [...SPEC_CASES, ...ENGINE_CASES, ...HOOK_CASES, ...TERMINAL_CASES];
const REFUSED = [...SPEC_REFUSED, ...FAILING_HOOKS];
import { readDifferences, type DocumentedDifference } from './differences';

const helperDir = path.join(__dirname, '..', '..');
const cli = path.join(helperDir, 'src', 'cli.ts');
const probe = path.join(__dirname, 'probe.sh');
const buildRootfs = path.join(helperDir, '..', 'examples', 'build-rootfs.sh');

type Line = [key: string, value: string];

function parseProbe(out: string): Line[] {
  const lines: Line[] = [];
  for (const l of out.split('\n')) {
    if (l === '') continue;
    const tab = l.indexOf('\t');
    if (tab < 0) lines.push([`(untagged)`, l]);
    else lines.push([l.slice(0, tab), l.slice(tab + 1)]);
  }
  return lines;
}

const show = ([k, v]: Line) => `${k}\t${v}`;

/** The lines of `a` left after taking out one of each line of `b`. */
function without(a: string[], b: string[]): string[] {
  const rest = new Map<string, number>();
  for (const l of b) rest.set(l, (rest.get(l) ?? 0) + 1);
  return a.filter((l) => {
    const n = rest.get(l) ?? 0;
    if (n > 0) rest.set(l, n - 1);
    return n === 0;
  });
}

/** runc, the oracle: a failure in CI when missing (a skip there would hide that nothing was compared). */
function haveRunc(t: TestContext): boolean {
  if (spawnSync('runc', ['--version'], { encoding: 'utf8' }).status === 0) return true;
  if (process.env.CI)
    throw new Error('runc is not installed (apt-get install runc); CI must run this suite');
  t.skip('runc is not installed (apt-get install runc)');
  return false;
}

/** Every cgroup directory runc (or Bindery) could have made for `id`, that still exists. */
function cgroupsLeft(id: string): string[] {
  const left: string[] = [];
  for (const line of fs.readFileSync('/proc/self/cgroup', 'utf8').trim().split('\n')) {
    const [, controllers, own] = line.split(':');
    const name = controllers === '' ? 'unified' : controllers.replace(/^name=/, '');
    for (const dir of [
      path.join('/sys/fs/cgroup', name, id),
      path.join('/sys/fs/cgroup', name, own, id),
    ])
      if (fs.existsSync(dir)) left.push(dir);
  }
  return [...new Set(left)];
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

describe('fidelity: the same bundle under runc and Bindery', () => {
  let template = '';
  let stateRoot = '';
  let runcRoot = '';
  let work = '';
  let differences: DocumentedDifference[] = [];
  const used = new Set<string>();
  const results: { name: string; shown: string[] }[] = [];
  let refusedByBoth = 0;
  let hostBefore = '';

  before(() => {
    differences = readDifferences();
    if (process.getuid?.() !== 0) return;
    hostBefore = hostMountinfo();
    work = tempDir('fidelity');
    stateRoot = path.join(work, 'state');
    runcRoot = path.join(work, 'runc');
    fs.mkdirSync(stateRoot);
    fs.mkdirSync(runcRoot);
    template = path.join(work, 'template');
    fs.mkdirSync(template);
    fs.writeFileSync(path.join(template, 'config.json'), '{}');
    const b = spawnSync('sh', [buildRootfs, template], { encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    const rootfs = path.join(template, 'rootfs');
    fs.appendFileSync(
      path.join(rootfs, 'etc', 'passwd'),
      'app:x:1000:1000:app:/home/app:/bin/sh\n',
    );
    fs.mkdirSync(path.join(rootfs, 'home', 'app'), { recursive: true });
    fs.chownSync(path.join(rootfs, 'home', 'app'), 1000, 1000);
    fs.copyFileSync(probe, path.join(rootfs, 'probe'));
  });

  after(() => {
    const cases = results.length;
    const equal = results.filter((r) => r.shown.length === 0).length;
    const shown = new Map<string, number>();
    for (const r of results) for (const d of r.shown) shown.set(d, (shown.get(d) ?? 0) + 1);
    console.log(
      `fidelity: ${cases + refusedByBoth} cases, ${equal} equal to runc, ${cases - equal} with documented differences only, ${refusedByBoth} refused by both` +
        ` (${[...shown].map(([d, n]) => `${d} ×${n}`).join(', ') || 'none'})`,
    );
    if (hostBefore)
      assert.equal(hostMountinfo(), hostBefore, 'nothing is left mounted on the host');
    cleanupTemp();
  });

  it('documents every difference it tolerates, with a pattern of probe keys', () => {
    assert.ok(differences.length > 0, 'the table of documented differences is empty or unreadable');
    const ids = new Set(differences.map((d) => d.id));
    for (const c of CASES)
      for (const d of c.differences)
        assert.ok(
          ids.has(d),
          `case "${c.name}" names "${d}", which the table in src/runtime/README.md lacks`,
        );
    for (const d of differences)
      assert.ok(
        CASES.some((c) => c.differences.includes(d.id)),
        `the documented difference "${d.id}" is shown by no case: add a case or remove the row`,
      );
    assert.ok(CASES.length >= 25, `${CASES.length} cases; the suite needs at least 25`);
  });

  /** A fresh bundle at one fixed path, so mount roots read the same under both runtimes. */
  /** A fresh bundle; returns the name of the cgroup runc and Bindery make for it besides the id. */
  function freshBundle(c: FidelityCase, dir: string): string | undefined {
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const cp = spawnSync('cp', ['-a', path.join(template, 'rootfs'), path.join(dir, 'rootfs')]);
    assert.equal(cp.status, 0, String(cp.stderr));
    c.prepare?.(path.join(dir, 'rootfs'));
    const spec = runcSpec();
    c.change?.(spec, dir);
    spec.process.args = ['/bin/sh', '/probe', ...(c.paths ?? [])];
    fs.writeFileSync(path.join(dir, 'config.json'), JSON.stringify(spec, null, 2));
    return spec.linux.cgroupsPath ? path.basename(spec.linux.cgroupsPath) : undefined;
  }

  function runc(dir: string, id: string): Run {
    const r = spawnSync('runc', ['--root', runcRoot, 'run', '--bundle', dir, id], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
    });
    // `runc run` deletes the container when it exits; this is for a run cut short.
    spawnSync('runc', ['--root', runcRoot, 'delete', '--force', id], { stdio: 'ignore' });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  function bindery(dir: string, id: string): Run {
    const r = spawnSync(process.execPath, ['--import', 'tsx', cli, 'run', dir, '--id', id], {
      cwd: helperDir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      timeout: 60_000,
      env: {
        ...process.env,
        BINDERY_SOCKET: path.join(stateRoot, 'no-daemon.sock'),
        BINDERY_STATE_ROOT: stateRoot,
      },
    });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  }

  /**
   * A terminal case as engines run it: `create --console-socket` with this test holding the
   * socket, the pty master it receives read to the end, `start`, `delete`. The output is
   * what the terminal showed, with its \r\n line ends made \n.
   */
  async function viaConsole(tool: 'runc' | 'bindery', dir: string, id: string): Promise<Run> {
    const sys = koffiSyscalls();
    const root = tool === 'runc' ? runcRoot : path.join(stateRoot, 'oci');
    const sock = path.join(work, `console-${tool}.sock`);
    fs.rmSync(sock, { force: true });
    const listener = sys.listenUnix(sock);
    assert.ok(listener.ok, `listen on ${sock}`);
    const call = (args: string[]) => {
      const cmd = tool === 'runc' ? ['runc'] : [process.execPath, '--import', 'tsx', cli];
      const r = spawnSync(cmd[0], [...cmd.slice(1), '--root', root, ...args], {
        cwd: helperDir,
        encoding: 'utf8',
        timeout: 60_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      return { status: r.status, stdout: r.stdout, stderr: r.stderr };
    };
    try {
      const created = call(['create', '--bundle', dir, '--console-socket', sock, id]);
      if (created.status !== 0) return created;
      const got = sys.receiveFd(listener.value);
      assert.ok(got.ok, `${tool} sent the pty master over the console socket`);
      // Read with plain non-blocking reads until EIO (no slave left: the process is gone).
      const fd = got.value.fd;
      assert.ok(sys.setNonBlocking(fd).ok);
      let text = '';
      const started = call(['start', id]);
      if (started.status !== 0) {
        fs.closeSync(fd);
        call(['delete', '--force', id]);
        return started;
      }
      const buf = Buffer.alloc(65536);
      for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
        let n = 0;
        try {
          n = fs.readSync(fd, buf, 0, buf.length, null);
        } catch (e) {
          if ((e as NodeJS.ErrnoException).code === 'EAGAIN') {
            await new Promise((r) => setTimeout(r, 10));
            continue;
          }
          break; // EIO
        }
        if (n === 0) break;
        text += buf.toString('utf8', 0, n);
      }
      fs.closeSync(fd);
      for (let i = 0; i < 50 && !/"status": *"stopped"/.test(call(['state', id]).stdout); i++)
        await new Promise((r) => setTimeout(r, 100));
      const deleted = call(['delete', '--force', id]);
      return { status: deleted.status, stdout: text.replace(/\r\n/g, '\n'), stderr: created.stderr + deleted.stderr };
    } finally {
      sys.close(listener.value);
      fs.rmSync(sock, { force: true });
    }
  }

  REFUSED.forEach((c, n) => {
    it(`refused by both: ${c.name}`, (t: TestContext) => {
      if (!needsRoot(t) || !haveRunc(t)) return;
      const id = `fidelity-${process.pid}-refused-${n}`;
      const dir = path.join(work, 'bundle');
      freshBundle({ name: c.name, change: c.change, differences: [] }, dir);
      const fromRunc = runc(dir, id);
      const fromBindery = bindery(dir, id);
      fs.rmSync(dir, { recursive: true, force: true });
      assert.notEqual(fromRunc.status, 0, 'runc refuses it');
      assert.notEqual(fromBindery.status, 0, 'Bindery refuses it');
      assert.doesNotMatch(fromBindery.stdout, /\tstatus Uid/, 'the probe never ran under Bindery');
      assert.deepEqual(cgroupsLeft(id), [], 'no cgroup is left');
      refusedByBoth++;
    });
  });

  CASES.forEach((c, n) => {
    it(c.name, async (t: TestContext) => {
      if (!needsRoot(t) || !haveRunc(t)) return;
      const id = `fidelity-${process.pid}-${n}`;
      const dir = path.join(work, 'bundle');
      const cgroupName = freshBundle(c, dir);
      const left = () => [...cgroupsLeft(id), ...(cgroupName ? cgroupsLeft(cgroupName) : [])];
      const terminal = TERMINAL_CASES.includes(c);
      const fromRunc = terminal ? await viaConsole('runc', dir, id) : runc(dir, id);
      fromRunc.stdout += c.collect?.(dir, id) ?? '';
      assert.deepEqual(left(), [], 'runc left its cgroup behind');
      freshBundle(c, dir);
      const fromBindery = terminal ? await viaConsole('bindery', dir, id) : bindery(dir, id);
      fromBindery.stdout += c.collect?.(dir, id) ?? '';
      assert.deepEqual(left(), [], 'Bindery left a cgroup behind');
      if (terminal) fs.rmSync(path.join(stateRoot, 'oci'), { recursive: true, force: true });
      assert.deepEqual(
        fs.readdirSync(stateRoot).filter((e) => e !== 'no-daemon.sock'),
        [],
        'Bindery left state behind',
      );
      fs.rmSync(dir, { recursive: true, force: true });

      assert.equal(fromRunc.status, 0, `runc failed: ${fromRunc.stderr}`);
      assert.equal(fromBindery.status, 0, `bindery run failed: ${fromBindery.stderr}`);
      const mine = differences.filter((d) => c.differences.includes(d.id));
      const tolerated = (key: string) => mine.some((d) => d.keys.test(key));
      const a = parseProbe(fromRunc.stdout);
      const b = parseProbe(fromBindery.stdout);
      assert.ok(
        a.length > 50,
        `the probe printed too little under runc:\n${fromRunc.stdout}${fromRunc.stderr}`,
      );
      const expected = a.filter(([k]) => !tolerated(k)).map(show);
      const actual = b.filter(([k]) => !tolerated(k)).map(show);
      const onlyRunc = without(expected, actual);
      const onlyBindery = without(actual, expected);
      assert.ok(
        onlyRunc.length === 0 && onlyBindery.length === 0,
        `Bindery and runc disagree outside the documented differences:\n${onlyRunc.map((l) => `  runc:    ${l}`).join('\n')}\n${onlyBindery.map((l) => `  bindery: ${l}`).join('\n')}`,
      );
      assert.deepEqual(
        actual,
        expected,
        'the same lines, in another order (Bindery actual, runc expected)',
      );
      for (const [key, value] of Object.entries(c.expect ?? {}))
        assert.deepEqual(
          b.filter(([k]) => k === key).map(([, v]) => v),
          [value],
          `${key} under Bindery`,
        );
      // A documented difference that no longer shows is stale: the table must say what is true.
      for (const d of mine) {
        const ours = (lines: Line[]) => lines.filter(([k]) => d.keys.test(k)).map(show);
        assert.notDeepEqual(
          ours(b),
          ours(a),
          `documented difference "${d.id}" no longer shows in this case: remove it from the case (and the table when no case shows it)`,
        );
        used.add(d.id);
      }
      results.push({ name: c.name, shown: c.differences });
    });
  });
});
