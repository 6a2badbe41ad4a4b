// A user-namespaced container through the OCI command line, as the conformance suite runs
// it: `create` then `start`, the runtime root a 0700 folder (runc makes /run/runc so, and a
// test's temporary folder is so). The init runs as the namespace's root, a host uid that
// cannot reach that folder by its path; runc hands its init the exec fifo as an fd, Bindery
// the state directory. Before that, Bindery's create died here without a word.
import { strict as assert } from 'node:assert';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { cleanupTemp, makeBundle, needsRoot, tempDir } from '../runtime/rootHarness';
import { assertBuilt, BINDERY, cleanRoot, runtime, stateOf, waitStatus } from './ociHarness';

type Tool = 'bindery' | 'runc';
const HOST_ROOT = 200000;
const MAP = [{ containerID: 0, hostID: HOST_ROOT, size: 65536 }];
const roots: [Tool, string][] = [];

/** The container's root owns its rootfs and can reach it, as runc needs too. */
function ownedByMappedRoot(rootfs: string): void {
  execFileSync('chown', ['-R', '--no-dereference', `${HOST_ROOT}:${HOST_ROOT}`, rootfs]);
  fs.chmodSync(path.dirname(rootfs), 0o711);
}

describe('a user-namespaced container under a runtime root only root can reach (root)', () => {
  before(() => {
    if (process.getuid?.() === 0) assertBuilt();
  });
  after(() => {
    for (const [tool, root] of roots) cleanRoot(tool, root);
    cleanupTemp();
  });

  it('create and start run it, as under runc', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const seen: Record<Tool, unknown> = { runc: undefined, bindery: undefined };
    for (const tool of ['runc', 'bindery'] as const) {
      const folder = tempDir(`${tool}-userns`);
      assert.equal(fs.statSync(folder).mode & 0o777, 0o700, 'mkdtemp makes 0700 folders');
      const root = path.join(folder, 'state');
      roots.push([tool, root]);
      const bundle = makeBundle({
        args: ['/bin/sh', '-c', 'id -u; cat /proc/self/uid_map'],
        namespaces: ['pid', 'mount', 'ipc', 'uts', 'network', 'user'],
        extra: { linux: { uidMappings: MAP, gidMappings: MAP } },
        prepare: ownedByMappedRoot,
      });
      const outFile = path.join(folder, 'out');
      // Files, not pipes: the parked init holds its stdio, so a pipe would stay open until it exits.
      const out = fs.openSync(outFile, 'w');
      const errFile = path.join(folder, 'err');
      const err = fs.openSync(errFile, 'w');
      const created = spawnSync(
        tool === 'runc' ? 'runc' : BINDERY,
        ['--root', root, 'create', '--bundle', bundle, 'u1'],
        { stdio: ['ignore', out, err], timeout: 60_000 },
      );
      fs.closeSync(out);
      fs.closeSync(err);
      assert.equal(created.status, 0, `${tool} create: ${fs.readFileSync(errFile, 'utf8')}`);
      assert.equal(stateOf(tool, root, 'u1')?.status, 'created', tool);
      const started = runtime(tool, root, ['start', 'u1']);
      assert.equal(started.status, 0, `${tool} start: ${started.stderr}`);
      await waitStatus(tool, root, 'u1', 'stopped');
      seen[tool] = fs.readFileSync(outFile, 'utf8').replace(/[ \t]+/g, ' ');
      assert.equal(runtime(tool, root, ['delete', 'u1']).status, 0, `${tool} delete`);
    }
    assert.equal(seen.bindery, `0\n 0 ${HOST_ROOT} 65536\n`);
    assert.equal(seen.bindery, seen.runc);
  });
});
