// The OCI runtime conformance suite (opencontainers/runtime-tools, from ../shared/conformance)
// run against `bindery`, every test file, compared with runc's results on this kind of
// machine (the table in ../shared/conformance/README.md, read from there). Prints the whole
// table; asserts that every file reaches at least runc's `ok` count, except the files listed
// in BELOW_RUNC with the reason, which are printed as such.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { BINDERY, needsEngine, run, Scratch, unmountUnder } from './engineHarness';

const SHARED = path.join(__dirname, '..', '..', '..', '..', 'shared', 'conformance');
const TARBALL = path.join(SHARED, 'runtime-tools-260e151.tar.gz');
const FILE_TIMEOUT_MS = 120_000;

/**
 * Files where Bindery gets fewer `ok` than runc, and why. Each is a feature Bindery does not
 * have yet (the plan says so, as a finding, for the same spec in the editor).
 */
export const BELOW_RUNC: Readonly<Record<string, string>> = {};

export interface Counts {
  ok: number;
  notOk: number;
  /** The file printed its plan line (it ran to the end). */
  planned: boolean;
}

/** runc's results per file, from the README's table (`309 / 0`, `plan 1..0`, `—`). */
export function runcTable(readme: string): Map<string, Counts> {
  const out = new Map<string, Counts>();
  for (const line of readme.split('\n')) {
    if (!line.startsWith('| ') || line.startsWith('| test') || line.startsWith('| ---')) continue;
    const cells = line
      .split('|')
      .slice(1, -1)
      .map((c) => c.trim());
    for (let i = 0; i + 1 < cells.length; i += 2) {
      const [names, result] = [cells[i], cells[i + 1]];
      if (!names) continue;
      const m = /^(\d+) \/ (\d+)/.exec(result);
      const counts: Counts = m
        ? { ok: Number(m[1]), notOk: Number(m[2]), planned: true }
        : { ok: 0, notOk: 0, planned: result.startsWith('plan') };
      const list = names.split(',').map((n) => n.trim());
      const prefix = list[0].slice(0, list[0].lastIndexOf('_'));
      for (const n of list) out.set(n.startsWith('_') ? prefix + n : n, counts);
    }
  }
  return out;
}

/** TAP output → counts. */
export function countTap(tap: string): Counts {
  const lines = tap.split('\n');
  return {
    ok: lines.filter((l) => /^ok\b/.test(l)).length,
    notOk: lines.filter((l) => /^not ok\b/.test(l)).length,
    planned: lines.some((l) => /^1\.\.\d+/.test(l)),
  };
}

/** An ELF file with a PT_INTERP segment is dynamically linked. */
function isStatic(file: string): boolean {
  const b = fs.readFileSync(file);
  const phoff = Number(b.readBigUInt64LE(0x20));
  const phentsize = b.readUInt16LE(0x36);
  const phnum = b.readUInt16LE(0x38);
  for (let i = 0; i < phnum; i++) if (b.readUInt32LE(phoff + i * phentsize) === 3) return false;
  return true;
}

let scratch: Scratch | undefined;

describe('OCI conformance suite (runtime-tools) against bindery (root)', () => {
  after(async () => {
    await scratch?.cleanup();
  });

  it('every test file reaches runc’s ok count, or is listed with the reason', (t: TestContext) => {
    if (!needsEngine(t, 'go', 'make', 'tar')) return;
    assert.ok(
      fs.existsSync(TARBALL),
      `${TARBALL} is missing: ../shared must be beside the checkout`,
    );
    const runc = runcTable(fs.readFileSync(path.join(SHARED, 'README.md'), 'utf8'));
    assert.ok(runc.size > 50, 'runc table read from the README');
    scratch = new Scratch();
    // As /tmp, where runc's counts were taken: the user-namespace files' containers run as a
    // mapped root (a host uid) that must reach their bundles. The runtime's own root stays
    // 0700 inside (Bindery makes it so, as runc makes /run/runc).
    fs.chmodSync(scratch.dir, 0o711);

    const buildStart = Date.now();
    assert.equal(run('tar', ['xzf', TARBALL, '-C', scratch.dir]).status, 0);
    const tools = scratch.path('runtime-tools');
    const goEnv = {
      ...process.env,
      GOFLAGS: '-mod=vendor',
      GOCACHE: scratch.path('gocache'),
      GOPATH: scratch.path('gopath'),
      HOME: scratch.dir,
    };
    const build = run('make', ['runtimetest', 'validation-executables'], {
      cwd: tools,
      env: goEnv,
      timeout: 900_000,
    });
    assert.equal(build.status, 0, `build: ${build.stderr.slice(-2000)}`);
    // A dynamic runtimetest prints nothing inside the busybox rootfs and the file still passes.
    assert.ok(isStatic(path.join(tools, 'runtimetest')), 'runtimetest must be static');
    const buildSeconds = (Date.now() - buildStart) / 1000;

    const runtime = scratch.runtimeWrapper();
    const stateRoot = scratch.path('runtime-state');
    const bundles = scratch.path('bundles');
    fs.mkdirSync(bundles);
    const files = fs
      .readdirSync(path.join(tools, 'validation'))
      .filter((d) => fs.existsSync(path.join(tools, 'validation', d, `${d}.t`)))
      .sort();
    const runStart = Date.now();
    const results = new Map<string, Counts & { status: number | null }>();
    for (const name of files) {
      const r = run(path.join(tools, 'validation', name, `${name}.t`), [], {
        cwd: tools,
        env: { ...process.env, RUNTIME: runtime, TMPDIR: bundles },
        timeout: FILE_TIMEOUT_MS,
      });
      results.set(name, { ...countTap(r.stdout), status: r.status });
      // What a failed file leaves: its containers, mounts in its bundles, the bundles.
      for (const id of fs.existsSync(stateRoot) ? fs.readdirSync(stateRoot) : [])
        run(BINDERY, ['--root', stateRoot, 'delete', '--force', id]);
      unmountUnder(bundles);
      for (const b of fs.readdirSync(bundles))
        fs.rmSync(path.join(bundles, b), { recursive: true, force: true });
    }
    const runSeconds = (Date.now() - runStart) / 1000;

    const fmt = (c: Counts | undefined) =>
      !c
        ? 'not listed'
        : c.planned
          ? `${c.ok} / ${c.notOk}`
          : c.ok + c.notOk > 0
            ? `${c.ok} / ${c.notOk} (no plan)`
            : '—';
    const rows = [['test file', 'bindery ok / not ok', 'runc ok / not ok', '']];
    const failures: string[] = [];
    let binderyOk = 0;
    let runcOk = 0;
    for (const name of files) {
      const b = results.get(name)!;
      const r = runc.get(name);
      binderyOk += b.ok;
      runcOk += r?.ok ?? 0;
      const below = b.ok < (r?.ok ?? 0);
      const known = BELOW_RUNC[name];
      let note = below
        ? `below runc: ${known ?? 'NOT EXPECTED'}`
        : known
          ? 'at or above runc (listed as below: take it off BELOW_RUNC)'
          : '';
      if (b.status !== 0 && b.status !== 1) note += ` (exit ${b.status ?? 'timeout'})`;
      if (below && !known) failures.push(`${name}: bindery ${fmt(b)}, runc ${fmt(r)}`);
      rows.push([
        name,
        fmt(b) + (b.status === 0 ? '' : ` exit ${b.status ?? 'timeout'}`),
        fmt(r),
        note,
      ]);
    }
    const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
    const table = rows
      .map((row) =>
        row
          .map((c, i) => c.padEnd(widths[i]))
          .join('  ')
          .trimEnd(),
      )
      .join('\n');
    const summary = `ok over all files: bindery ${binderyOk}, runc ${runcOk}. Build ${buildSeconds.toFixed(0)} s, ${files.length} files in ${runSeconds.toFixed(0)} s.`;
    process.stdout.write(`\n${table}\n${summary}\n`);
    t.diagnostic(summary);
    assert.deepEqual(failures, [], 'files below runc that are not in BELOW_RUNC');
  });
});
