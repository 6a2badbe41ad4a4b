// The `bindery` command as a user runs it: exit codes, output lines, --json shapes.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as url from 'node:url';
import { after, before, describe, it } from 'node:test';

const helperDir = path.join(__dirname, '..', '..');
const cliSource = path.join(helperDir, 'src', 'cli.ts');
// `--import tsx` resolves from the working directory; tests run the CLI from elsewhere too.
const tsxLoader = path.join(
  path.dirname(require.resolve('tsx/package.json')),
  'dist',
  'loader.mjs',
);

function bindery(args: string[], cwd = helperDir) {
  const r = spawnSync(
    process.execPath,
    ['--import', url.pathToFileURL(tsxLoader).href, cliSource, ...args],
    { cwd, encoding: 'utf8' },
  );
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const goodSpec = {
  ociVersion: '1.2.0',
  process: { args: ['sh'], cwd: '/', user: { uid: 0, gid: 0 } },
  root: { path: 'rootfs' },
  hostname: 'box',
  mounts: [
    { destination: '/proc', type: 'proc', source: 'proc' },
    { destination: '/data', type: 'none', source: 'data', options: ['rbind', 'ro'] },
  ],
  linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'ipc' }] },
};

let tmp: string;
let good: string;
let broken: string;
let empty: string;

before(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-cli-'));
  good = path.join(tmp, 'good');
  fs.mkdirSync(path.join(good, 'rootfs'), { recursive: true });
  fs.mkdirSync(path.join(good, 'data'));
  fs.writeFileSync(path.join(good, 'config.json'), JSON.stringify(goodSpec, null, 2));
  broken = path.join(tmp, 'broken');
  fs.mkdirSync(path.join(broken, 'rootfs'), { recursive: true });
  // Line 3 (1-based) misses the comma after "box".
  fs.writeFileSync(
    path.join(broken, 'config.json'),
    '{\n  "ociVersion": "1.2.0",\n  "hostname": "box"\n  "root": {"path": "rootfs"}\n}\n',
  );
  empty = path.join(tmp, 'empty');
  fs.mkdirSync(empty);
});
after(() => fs.rmSync(tmp, { recursive: true, force: true }));

describe('bindery validate', () => {
  it('exits 0 with no error lines for a good bundle, given as directory or as config.json', () => {
    for (const arg of [good, path.join(good, 'config.json')]) {
      const r = bindery(['validate', arg]);
      assert.equal(r.code, 0, r.stdout + r.stderr);
      assert.doesNotMatch(r.stdout, /: error /);
    }
  });

  it('prints compiler-style lines with 1-based positions and exits 1 on an error', () => {
    const r = bindery(['validate', 'config.json'], broken);
    assert.equal(r.code, 1);
    const lines = r.stdout.trim().split('\n');
    assert.ok(lines.includes("config.json:4:3: error invalid-json: ',' expected"), r.stdout);
    for (const l of lines)
      assert.match(l, /^config\.json:\d+:\d+: (error|warning|information|hint) [a-z0-9-]+: ./);
  });

  it('prints the findings as JSON with 0-based LSP ranges', () => {
    const r = bindery(['validate', '--json', broken]);
    assert.equal(r.code, 1);
    const findings = JSON.parse(r.stdout) as Record<string, unknown>[];
    assert.ok(Array.isArray(findings) && findings.length > 0);
    for (const f of findings) {
      assert.deepEqual(Object.keys(f).sort(), ['code', 'message', 'range', 'severity']);
      assert.ok(['error', 'warning', 'information', 'hint'].includes(f.severity as string));
    }
    assert.deepEqual(
      findings.find((f) => f.code === 'invalid-json'),
      {
        code: 'invalid-json',
        severity: 'error',
        message: "',' expected",
        range: { start: { line: 3, character: 2 }, end: { line: 3, character: 8 } },
      },
    );
    const ok = bindery(['validate', good, '--json']);
    assert.equal(ok.code, 0);
    assert.ok(
      !(JSON.parse(ok.stdout) as { severity: string }[]).some((f) => f.severity === 'error'),
    );
  });

  it('says in one line, with exit 2, when PATH cannot be used', () => {
    const cases: [string[], RegExp][] = [
      [['validate', path.join(tmp, 'nope')], /no such file or directory/],
      [['validate', empty], /no config\.json in this directory/],
      [['validate'], /exactly one PATH/],
      [['validate', good, '--frobnicate'], /[Uu]nknown option '--frobnicate'/],
      [['frobnicate'], /unknown command 'frobnicate'/],
    ];
    for (const [args, message] of cases) {
      const r = bindery(args);
      assert.equal(r.code, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.equal(r.stderr.trim().split('\n').length, 1, `one line: ${r.stderr}`);
      assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
      assert.equal(r.stdout, '');
    }
  });
});

describe('bindery plan', () => {
  it('prints one syscall per line with the spec entry it came from', () => {
    const r = bindery(['plan', good]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.equal(
      lines.find((l) => l.startsWith('mount(')),
      'mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)  # added /',
    );
    assert.ok(
      lines.includes(
        `mount("${path.join(good, 'data')}", "/data", NULL, MS_BIND|MS_REC, NULL)  # mounts[1] /data`,
      ),
      r.stdout,
    );
    assert.ok(
      lines.includes(
        'mount(NULL, "/data", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND, NULL)  # mounts[1] /data',
      ),
    );
    assert.ok(lines.some((l) => l.startsWith('# added: the spec does not mount /dev/shm')));
    assert.ok(lines.includes('sethostname("box")  # hostname'));
  });

  it('gives the operations as JSON', () => {
    const r = bindery(['plan', '--json', good, '--state-dir', '/run/bindery/c9']);
    assert.equal(r.code, 0, r.stderr);
    const ops = JSON.parse(r.stdout) as {
      op: string;
      hostPath?: string;
      origin: { kind: string };
    }[];
    // The container's cgroup first (on a host that has cgroups), then the mounts.
    assert.equal(ops.filter((o) => o.op !== 'cgroup')[0].op, 'mount');
    assert.ok(ops.some((o) => o.op === 'pivot-root'));
    assert.ok(
      ops.some((o) => o.op === 'write-network-file' && o.hostPath === '/run/bindery/c9/hosts'),
    );
    assert.ok(ops.every((o) => o.origin.kind === 'spec' || o.origin.kind === 'added'));
  });

  it('exits 1 and names the errors when the helper would refuse the spec', () => {
    const r = bindery(['plan', broken]);
    assert.equal(r.code, 1);
    assert.match(r.stderr, /config\.json:4:3: error invalid-json/);
    assert.match(r.stderr.split('\n')[0], /1 error: the helper refuses to launch this spec$/);
    assert.match(r.stdout.split('\n')[0], /^# refused: the helper will not launch this spec/);
  });

  it('leads with the refusal when both streams go to one terminal', () => {
    const r = spawnSync(
      'sh',
      [
        '-c',
        `"$0" --import "$1" "$2" plan "$3" 2>&1`,
        process.execPath,
        url.pathToFileURL(tsxLoader).href,
        cliSource,
        broken,
      ],
      { encoding: 'utf8' },
    );
    const lines = r.stdout.split('\n');
    assert.match(lines[0], /the helper refuses to launch this spec$/);
    assert.match(lines[1], /config\.json:4:3: error invalid-json/);
    assert.match(lines[2], /^# refused/);
    assert.ok(lines.findIndex((l) => l.startsWith('mount(')) > 2, r.stdout);
  });
});

describe('bindery', () => {
  it('prints help and version', () => {
    const h = bindery(['--help']);
    assert.equal(h.code, 0);
    assert.match(h.stdout, /validate/);
    assert.match(h.stdout, /plan/);
    const v = bindery(['--version']);
    assert.equal(v.code, 0);
    const pkg = JSON.parse(fs.readFileSync(path.join(helperDir, 'package.json'), 'utf8')) as {
      version: string;
    };
    // runc's layout, which engines show (`podman info`): name and version, then the spec version.
    const [first, second] = v.stdout.split('\n');
    assert.equal(first, `bindery version ${pkg.version}`);
    assert.match(second, /^spec: 1\.\d+\.\d+$/);
    assert.match(bindery(['validate', '--help']).stdout, /--json/);
  });
});
