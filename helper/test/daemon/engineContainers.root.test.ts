// The daemon shows containers made by `bindery` as an engine's runtime (create/start in a
// state root it watches): found without polling, with their plan and live mount table,
// stoppable, only to root; a create that failed shows as a failed container with the
// entry of config.json that made it fail. The runtime is the built CLI, as an engine runs it.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HelperClient } from '../../src/client';
import { inspect, list, teardown, type RequestContext } from '../../src/daemon/requests';
import { realHostView } from '@bindery/plan';
import type { ContainerInfo } from '../../src/protocol';
import { runtimeWith } from '../../src/runtime/container';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { FAILURES_DIR } from '../../src/runtime/ociFailures';
import { assertBuilt, cleanRoot, runtime, waitStatus } from '../oci/ociHarness';
import { makeBundle, startDaemon, type TestDaemon } from './harness';
import { assertRoot, rootSkip } from './rootOnly';

const skip = rootSkip('engine containers in the daemon');

/** What `probe` returns once it is truthy; fails after 10 s. */
async function waitFor<T>(what: string, probe: () => T | undefined | false | Promise<T | undefined | false>): Promise<T> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const v = await probe();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("binderyd shows the runtime's containers (root)", { skip }, () => {
  let d: TestDaemon;
  let work: string;
  let root: string;
  let client: HelperClient;
  const changes: ContainerInfo[] = [];
  const gone: string[] = [];

  before(async () => {
    assertRoot('engine container tests');
    assertBuilt();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-engine-view-'));
    root = path.join(work, 'runtime-state');
    fs.mkdirSync(root, { mode: 0o700 });
    d = await startDaemon(runtimeWith(koffiSyscalls()), { engineRoots: [root] });
    client = await HelperClient.connect({ socketPath: d.socketPath });
    client.onChanged((c) => changes.push(c));
    client.onTornDown((e) => gone.push(e.id));
  });

  after(async () => {
    client?.close();
    if (root) cleanRoot('bindery', root);
    await d?.stop();
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  /** The test's own process is the caller, so the engine is named after it. */
  const key = (id: string) => `node:${id}`;

  it('sees a created and started container, with its plan, mounts and live mount table', async () => {
    const bundle = makeBundle(work, 'sleeper', {
      process: { user: { uid: 0, gid: 0 }, args: ['/bin/sleep', '300'], cwd: '/', env: ['PATH=/bin'] },
      mounts: [{ destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'size=1m'] }],
    });
    // The container's stdio is create's own (as conmon's pipes): not ours to wait on.
    const log = path.join(work, 'sleeper.log');
    const out = fs.openSync(log, 'w');
    const created = runtime('bindery', root, ['create', '--bundle', bundle, 'sleeper'], { stdio: ['ignore', out, out] });
    fs.closeSync(out);
    assert.equal(created.status, 0, fs.readFileSync(log, 'utf8'));
    const waiting = await waitFor('the created container in the list', async () =>
      (await client.list()).find((c) => c.id === key('sleeper')),
    );
    assert.equal(waiting.status, 'creating');
    assert.equal(waiting.engine?.ociStatus, 'created');
    assert.equal(waiting.engine?.runtimeId, 'sleeper');
    assert.equal(waiting.engine?.root, root);
    assert.equal(waiting.bundle, bundle);
    assert.equal(waiting.owner, 0);

    assert.equal(runtime('bindery', root, ['start', 'sleeper']).status, 0);
    await waitFor('a notification that it runs', () => changes.find((c) => c.id === key('sleeper') && c.status === 'running'));
    const info = await client.inspect(key('sleeper'));
    assert.equal(info.status, 'running');
    assert.ok(info.pid && info.pid > 1);
    assert.equal(info.mounts.find((m) => m.destination === '/data')?.state, 'applied');
    assert.ok(info.plan.operations.some((o) => o.op === 'mount'), 'the plan it was created with');
    assert.match(info.mountinfo ?? '', / \/data rw,nosuid.* - tmpfs tmpfs /m, 'the live mount table');
    // An engine's container writes to the engine, not to the helper.
    assert.deepEqual((await client.logs(key('sleeper'))).chunks, []);
  });

  it('shows them to root only: a non-root peer neither lists nor inspects them', async () => {
    const ctx: RequestContext = {
      registry: d.daemon.registry,
      engines: d.daemon.engines,
      host: realHostView(),
      asPeer: (_p, fn) => fn(),
      helperVersion: 'test',
    };
    const peer = { pid: process.pid, uid: 4242, gid: 4242, groups: [] };
    assert.ok(list(ctx, { ...peer, uid: 0, gid: 0 }, undefined).some((c) => c.id === key('sleeper')));
    assert.deepEqual(list(ctx, peer, undefined).filter((c) => c.engine), []);
    await assert.rejects(inspect(ctx, peer, { id: key('sleeper') }), /belongs to another user/);
    await assert.rejects(teardown(ctx, peer, { id: key('sleeper') }), /belongs to another user/);
  });

  it('refuses to remove what the engine owns, and stops it: the caller reaps it, the view says stopped', async () => {
    await assert.rejects(client.teardown(key('sleeper')), /owns sleeper: remove it with `bindery --root .* delete --force sleeper`/);
    const stopped = await client.stop({ id: key('sleeper'), timeoutMs: 0 });
    assert.equal(stopped.status, 'stopped');
    await waitStatus('bindery', root, 'sleeper', 'stopped');
    assert.equal(runtime('bindery', root, ['delete', 'sleeper']).status, 0);
    await waitFor('the container to leave the view', () => gone.includes(key('sleeper')));
    assert.ok(!(await client.list()).some((c) => c.id === key('sleeper')));
  });

  it('shows a create the plan refused as a failed container, with the finding on its entry', async () => {
    const bundle = makeBundle(work, 'refused', {
      mounts: [{ destination: '/data', type: 'bind', source: path.join(work, 'no-such-source'), options: ['rbind'] }],
    });
    const r = runtime('bindery', root, ['create', '--bundle', bundle, 'refused']);
    assert.notEqual(r.status, 0);
    const failed = await waitFor('the failed create in the list', async () =>
      (await client.list()).find((c) => c.id === key('refused')),
    );
    assert.equal(failed.status, 'failed');
    assert.equal(failed.bundle, bundle);
    assert.match(failed.failure?.message ?? '', /bindery create failed: bindery refuses this spec: config\.json:\d+:\d+: error bind-source-not-found: mounts\[0\]/);
    const finding = failed.failure?.findings?.find((f) => f.code === 'bind-source-not-found');
    assert.ok(finding, 'the finding, with its range');
    const text = fs.readFileSync(path.join(bundle, 'config.json'), 'utf8');
    assert.equal(finding.range.start.line, text.split('\n').findIndex((l) => l.includes('no-such-source')));
    // Clearing it removes the record; nothing of it stays in the root.
    await client.teardown(key('refused'));
    assert.deepEqual(fs.readdirSync(path.join(root, FAILURES_DIR)), []);
    assert.ok(!(await client.list()).some((c) => c.id === key('refused')));
  });

  it('shows a mount the kernel rejected as a failed container, naming the operation and errno', async () => {
    // (uid_t)-1 is well-formed for the plan; only the kernel refuses it.
    const bundle = makeBundle(work, 'einval', {
      mounts: [{ destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'uid=4294967295'] }],
    });
    assert.notEqual(runtime('bindery', root, ['create', '--bundle', bundle, 'einval']).status, 0);
    const failed = await waitFor('the failed create in the list', async () =>
      (await client.list()).find((c) => c.id === key('einval')),
    );
    assert.equal(failed.failure?.operation?.errno, 'EINVAL');
    const origin = failed.failure?.operation?.operation.origin;
    assert.ok(origin?.kind === 'spec' && origin.mountIndex === 0, 'the failed step came from mounts[0]');
    await client.teardown(key('einval'));
  });

  it('ignores state it cannot trust: an entry not owned by root', async () => {
    const dir = path.join(root, 'forged');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ version: 1, id: 'forged', bundle: '/', plan: { mounts: [], operations: [], findings: [] }, pid: 1, startTime: '1' }));
    fs.chownSync(dir, 4242, 4242);
    await new Promise((r) => setTimeout(r, 300));
    assert.ok(!(await client.list()).some((c) => c.id === key('forged')));
    fs.rmSync(dir, { recursive: true });
  });
});
