// An OOM kill, as the Containers view learns of it: a real container over its memory limit,
// and the exit event (and info) carrying the kill count and the peak from its memory cgroup.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { after, describe, it, type TestContext } from 'node:test';
import { cleanupTemp, launch, makeBundle, needsRoot, tempDir } from './rootHarness';
import { runcMounts } from '../baseSpec';

const LIMIT = 128 * 1048576;

describe('memory events (root)', () => {
  after(cleanupTemp);

  it('reports the OOM kill of a process over linux.resources.memory.limit, and the peak', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    // tmpfs pages are charged to the writer's memory cgroup and cannot be reclaimed without
    // swap, so writing past the limit makes the kernel kill the writer: the container's process.
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'exec head -c 268435456 /dev/zero > /data/fill'],
      mounts: [
        ...runcMounts('/proc', '/dev'),
        { destination: '/data', type: 'tmpfs', source: 'tmpfs', options: ['size=512m'] },
      ],
      extra: { linux: { resources: { memory: { limit: LIMIT, swap: LIMIT } } } },
    });
    const l = await launch(bundle, stateRoot, 'oom');
    const exit = await l.container.exited;
    assert.equal(exit.signal, 'SIGKILL', JSON.stringify(exit));
    assert.equal(exit.oomKills, 1);
    assert.ok(
      exit.memoryPeak! >= LIMIT * 0.9 && exit.memoryPeak! <= LIMIT,
      `peak ${exit.memoryPeak} near the ${LIMIT} limit`,
    );
    const info = l.container.info();
    assert.equal(info.oomKills, 1);
    assert.equal(info.memoryPeak, exit.memoryPeak);
    await l.container.teardown();
    assert.deepEqual(fs.readdirSync(stateRoot), []);
  });

  it('says why a launch under a limit too small for the init fails', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    const bundle = makeBundle({
      args: ['/bin/true'],
      extra: { linux: { resources: { memory: { limit: 16 * 1048576, swap: 16 * 1048576 } } } },
    });
    await assert.rejects(launch(bundle, stateRoot, 'tiny'), (e: Error) => {
      assert.match(
        e.message,
        /OOM killer killed it .*memory\.limit is below what Bindery’s init needs/,
      );
      return true;
    });
    assert.deepEqual(fs.readdirSync(stateRoot), [], 'nothing left');
  });

  it('reports no OOM kill for a process within its limit', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    const bundle = makeBundle({
      args: ['/bin/true'],
      extra: { linux: { resources: { memory: { limit: LIMIT } } } },
    });
    const l = await launch(bundle, stateRoot, 'no-oom');
    const exit = await l.container.exited;
    assert.equal(exit.exitCode, 0);
    assert.equal(exit.oomKills, 0);
    assert.ok(exit.memoryPeak! > 0 && exit.memoryPeak! < LIMIT);
    await l.container.teardown();
  });
});
