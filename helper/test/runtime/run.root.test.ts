// `bindery run` end to end, embedded (no daemon listening), as root.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { cleanupTemp, hostMountinfo, makeBundle, needsRoot, tempDir } from './rootHarness';

const cli = path.join(__dirname, '..', '..', 'src', 'cli.ts');

function bindery(args: string[], stateRoot: string) {
  return spawnSync(process.execPath, ['--import', 'tsx', cli, ...args], {
    encoding: 'utf8',
    env: {
      ...process.env,
      BINDERY_SOCKET: path.join(stateRoot, 'no-daemon.sock'),
      BINDERY_STATE_ROOT: stateRoot,
    },
  });
}

describe('bindery run (root, embedded)', () => {
  after(cleanupTemp);

  it('streams the output, exits with the process code and tears down', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const before = hostMountinfo();
    const stateRoot = tempDir('state');
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'echo out; echo err >&2; cat /etc/hostname; exit 42'],
      hostname: 'runbox',
    });
    const r = bindery(['run', bundle, '--id', 'cli-1'], stateRoot);
    assert.equal(r.status, 42, r.stderr);
    assert.equal(r.stdout, 'out\nrunbox\n');
    assert.equal(r.stderr, 'err\n');
    assert.deepEqual(fs.readdirSync(stateRoot), []);
    assert.equal(hostMountinfo(), before);
  });

  it('says which entry failed, with errno and hint, and exits 1', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    const bundle = makeBundle({ args: ['/bin/true'], cwd: '/proc/self/fd/3' });
    const r = bindery(['run', bundle, '--id', 'cli-2'], stateRoot);
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /^bindery run: process\.cwd: ELOOP: cannot create \/proc\/self\/fd\/3: /m,
    );
    assert.match(r.stderr, /hint: .*CVE-2024-21626/);
    assert.deepEqual(fs.readdirSync(stateRoot), []);
  });

  it('--detach without a daemon is a usage error', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    const r = bindery(['run', makeBundle({ args: ['/bin/true'] }), '--detach'], stateRoot);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--detach needs the helper daemon/);
  });
});
