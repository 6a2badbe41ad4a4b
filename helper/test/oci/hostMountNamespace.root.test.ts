// A spec without a mount namespace (the conformance suite's linux_ns_itype), under runc and
// under bindery: the created container's init is in the host's mount namespace, its root is
// the rootfs (runc chroots), the spec's mounts are on the host under the rootfs while it
// lives, and after `delete` bindery has left nothing mounted there (runc 1.1 leaves them).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { parseMountinfo } from '@bindery/plan';
import { unmountUnder } from '../engines/engineHarness';
import { cleanupTemp, makeBundle, needsRoot, tempDir } from '../runtime/rootHarness';
import { assertBuilt, BINDERY, cleanRoot, runtime, stateOf } from './ociHarness';

type Tool = 'bindery' | 'runc';
const roots: [Tool, string][] = [];
const rootfses: string[] = [];

/** Mount points at or under `dir` in this process's (the host's) mount namespace, relative to it. */
function mountedUnder(dir: string): string[] {
  return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((p) => p === dir || p.startsWith(dir + '/'))
    .map((p) => '/' + path.relative(dir, p))
    .sort();
}

interface Seen {
  rootfs: string;
  mountNamespace: string;
  root: string;
  mountedWhileCreated: string[];
  mountedAfterDelete: string[];
}

function runOnce(tool: Tool): Seen {
  const root = path.join(tempDir(`${tool}-hostmnt`), 'state');
  roots.push([tool, root]);
  const bundle = makeBundle({ args: ['/bin/sleep', '300'] });
  const rootfs = fs.realpathSync(path.join(bundle, 'rootfs'));
  rootfses.push(rootfs);
  const file = path.join(bundle, 'config.json');
  const config = JSON.parse(fs.readFileSync(file, 'utf8')) as {
    hostname?: string;
    linux: { namespaces: unknown[] };
  };
  // As linux_ns_itype: no namespace at all, so no hostname either.
  config.linux.namespaces = [];
  delete config.hostname;
  fs.writeFileSync(file, JSON.stringify(config, null, 2));

  const out = fs.openSync(path.join(path.dirname(root), 'out'), 'w');
  const r = spawnSync(
    tool === 'runc' ? 'runc' : BINDERY,
    ['--root', root, 'create', '--bundle', bundle, 'h1'],
    {
      stdio: ['ignore', out, out],
      timeout: 60_000,
    },
  );
  fs.closeSync(out);
  assert.equal(
    r.status,
    0,
    `${tool} create: ${fs.readFileSync(path.join(path.dirname(root), 'out'), 'utf8')}`,
  );
  const state = stateOf(tool, root, 'h1');
  assert.ok(state, `${tool} state`);
  const seen = {
    rootfs,
    mountNamespace: fs.readlinkSync(`/proc/${state.pid}/ns/mnt`),
    root: fs.readlinkSync(`/proc/${state.pid}/root`),
    mountedWhileCreated: mountedUnder(rootfs),
  };
  const del = runtime(tool, root, ['delete', '--force', 'h1']);
  assert.equal(del.status, 0, `${tool} delete: ${del.stderr}`);
  assert.equal(stateOf(tool, root, 'h1'), undefined, `${tool}: the container is gone`);
  return { ...seen, mountedAfterDelete: mountedUnder(rootfs) };
}

describe('a spec without a mount namespace (root), beside runc', () => {
  after(() => {
    for (const [tool, root] of roots.splice(0)) cleanRoot(tool, root);
    // runc 1.1 leaves its mounts in the rootfs: only those are taken off.
    for (const rootfs of rootfses.splice(0)) unmountUnder(rootfs);
    cleanupTemp();
  });

  it("the init is in the host's mount namespace with the rootfs as its root, as under runc; delete leaves nothing mounted", (t: TestContext) => {
    if (!needsRoot(t)) return;
    assertBuilt();
    const host = fs.readlinkSync('/proc/self/ns/mnt');
    const runc = runOnce('runc');
    const bindery = runOnce('bindery');
    t.diagnostic(
      `runc mounted ${runc.mountedWhileCreated.join(' ')}; left after delete: ${runc.mountedAfterDelete.join(' ') || 'nothing'}`,
    );
    t.diagnostic(`bindery mounted ${bindery.mountedWhileCreated.join(' ')}`);

    assert.equal(runc.mountNamespace, host, 'runc: the host mount namespace (the oracle)');
    assert.equal(bindery.mountNamespace, host, "bindery: the host's mount namespace too");
    assert.equal(runc.root, runc.rootfs, 'runc: chrooted into the rootfs');
    assert.equal(bindery.root, bindery.rootfs, 'bindery: its root is the rootfs');
    // Every mount runc made under the rootfs, bindery made too (it adds its network files).
    for (const point of runc.mountedWhileCreated)
      assert.ok(
        bindery.mountedWhileCreated.includes(point),
        `bindery mounts ${point} as runc does`,
      );
    assert.ok(bindery.mountedWhileCreated.includes('/proc'));
    // The documented difference: runc leaves them, bindery does not.
    assert.deepEqual(
      bindery.mountedAfterDelete,
      [],
      'bindery: nothing stays mounted under the rootfs',
    );
  });
});
