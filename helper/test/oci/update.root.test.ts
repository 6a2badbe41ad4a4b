// `bindery update` against runc on the same bundle: the same flags and the same --resources
// file leave the same values in the container's cgroup files, read on the host.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { cleanupTemp, makeBundle, needsRoot, tempDir } from '../runtime/rootHarness';
import { assertBuilt, BINDERY, cleanRoot, runtime, waitStatus } from './ociHarness';

type Tool = 'bindery' | 'runc';
const roots: [Tool, string][] = [];
const V2_ONLY = fs.existsSync('/sys/fs/cgroup/cgroup.controllers');

/** The host file of a cgroup v1 controller's (or the v2 tree's) setting for cgroupsPath `cg`. */
function cgroupFile(cg: string, controller: string, v1: string, v2: string): string {
  return V2_ONLY
    ? path.join('/sys/fs/cgroup', cg, v2)
    : path.join('/sys/fs/cgroup', controller, cg, v1);
}

const SETTINGS = [
  ['memory', 'memory.limit_in_bytes', 'memory.max'],
  ['memory', 'memory.soft_limit_in_bytes', 'memory.low'],
  ['pids', 'pids.max', 'pids.max'],
  ['cpu', 'cpu.shares', 'cpu.weight'],
  ['cpu', 'cpu.cfs_quota_us', 'cpu.max'],
  ['cpu', 'cpu.cfs_period_us', 'cpu.max'],
] as const;

function settings(cg: string): Record<string, string> {
  return Object.fromEntries(
    SETTINGS.map(([c, v1, v2]) => [
      V2_ONLY ? v2 : v1,
      fs.readFileSync(cgroupFile(cg, c, v1, v2), 'utf8').trim(),
    ]),
  );
}

/** A running `sleep` in cgroup `cg`, made and started by `tool`. */
async function sleeper(tool: Tool, cg: string): Promise<string> {
  const root = path.join(tempDir(`${tool}-update`), 'state');
  roots.push([tool, root]);
  const bundle = makeBundle({
    args: ['/bin/sleep', '300'],
    extra: {
      linux: {
        cgroupsPath: cg,
        resources: { memory: { limit: 256 * 1024 * 1024 }, pids: { limit: 100 } },
      },
    },
  });
  const out = fs.openSync(path.join(path.dirname(root), 'out'), 'w');
  const r = spawnSync(
    tool === 'runc' ? 'runc' : BINDERY,
    ['--root', root, 'create', '--bundle', bundle, 'u1'],
    {
      stdio: ['ignore', out, out],
      timeout: 60_000,
    },
  );
  fs.closeSync(out);
  assert.equal(r.status, 0, `${tool} create`);
  assert.equal(runtime(tool, root, ['start', 'u1']).status, 0);
  await waitStatus(tool, root, 'u1', 'running');
  return root;
}

describe('bindery update (root), beside runc', () => {
  after(() => {
    for (const [tool, root] of roots.splice(0)) cleanRoot(tool, root);
    cleanupTemp();
  });

  it('the flag forms and --resources FILE set the same cgroup values as runc', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    assertBuilt();
    const resources = path.join(tempDir('update-resources'), 'resources.json');
    fs.writeFileSync(
      resources,
      JSON.stringify({ cpu: { shares: 512, quota: 50000, period: 100000 }, pids: { limit: 64 } }),
    );
    const seen: Record<string, Record<string, string>[]> = {};
    for (const tool of ['runc', 'bindery'] as Tool[]) {
      const cg = `/bindery-update-${tool}-${process.pid}`;
      const root = await sleeper(tool, cg);
      const before = settings(cg);
      const flags = runtime(tool, root, [
        'update',
        '--memory',
        '64m',
        '--memory-reservation',
        '32M',
        '--pids-limit',
        '50',
        'u1',
      ]);
      assert.equal(flags.status, 0, `${tool} update flags: ${flags.stderr}`);
      const afterFlags = settings(cg);
      const file = runtime(tool, root, ['update', '--resources', resources, 'u1']);
      assert.equal(file.status, 0, `${tool} update -r: ${file.stderr}`);
      seen[tool] = [before, afterFlags, settings(cg)];
      assert.equal(runtime(tool, root, ['kill', 'u1', 'KILL']).status, 0);
      await waitStatus(tool, root, 'u1', 'stopped');
      assert.equal(runtime(tool, root, ['delete', 'u1']).status, 0);
    }
    assert.deepEqual(seen.bindery, seen.runc);
    // And the values are the ones asked for (so equal is not equal-and-wrong).
    const [, afterFlags, afterFile] = seen.bindery;
    if (!V2_ONLY) {
      assert.equal(afterFlags['memory.limit_in_bytes'], String(64 * 1024 * 1024));
      assert.equal(afterFlags['memory.soft_limit_in_bytes'], String(32 * 1024 * 1024));
      assert.equal(afterFile['cpu.shares'], '512');
      assert.equal(afterFile['cpu.cfs_quota_us'], '50000');
    }
    assert.equal(afterFlags['pids.max'], '50');
    assert.equal(afterFile['pids.max'], '64');
  });

  it('refuses, as runc, a container that is not running, and says what it does not apply', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const root = await sleeper('bindery', `/bindery-update-refuse-${process.pid}`);
    const rdt = runtime('bindery', root, ['update', '--l3-cache-schema', 'L3:0=f', 'u1']);
    assert.equal(rdt.status, 1);
    assert.match(rdt.stderr, /does not support Intel RDT/);
    assert.equal(runtime('bindery', root, ['kill', 'u1', 'KILL']).status, 0);
    await waitStatus('bindery', root, 'u1', 'stopped');
    const stopped = runtime('bindery', root, ['update', '--memory', '64m', 'u1']);
    assert.equal(stopped.status, 1);
    assert.match(stopped.stderr, /container not running/);
  });
});
