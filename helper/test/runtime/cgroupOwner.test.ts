// A non-root owner may not place or limit the container's cgroup (the host's cgroup tree),
// checked by the launcher before anything starts.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { planBundle, realHostView } from '@bindery/plan';
import { runtimeWith, type LaunchError } from '../../src/runtime/container';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { baseSpec } from '../baseSpec';

const { launchContainer } = runtimeWith(koffiSyscalls());

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-cgowner-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('cgroup settings and the owner', () => {
  it('refuses linux.resources limits or linux.cgroupsPath for a non-root owner, before starting anything', async (t) => {
    fs.mkdirSync(path.join(dir, 'rootfs'), { recursive: true });
    const stateRoot = path.join(dir, 'state');
    for (const linux of [{ resources: { pids: { limit: 5 } } }, { cgroupsPath: '/' }]) {
      const spec = baseSpec({ linux });
      const plan = planBundle({
        text: JSON.stringify(spec),
        bundleDir: dir,
        host: realHostView(),
        stateDir: path.join(stateRoot, 'c1'),
      });
      if (!plan.operations.some((o) => o.op === 'cgroup')) {
        t.skip('this host shows no cgroup hierarchy');
        return;
      }
      const e = (await launchContainer({
        id: 'c1',
        bundleDir: dir,
        plan,
        owner: { uid: 1000, gid: 1000 },
        stateRoot,
      }).then(
        () => assert.fail('launched'),
        (err: unknown) => err,
      )) as LaunchError;
      assert.equal(e.reason, 'cgroup-needs-root');
      assert.ok(!fs.existsSync(path.join(stateRoot, 'c1')), 'nothing was created');
    }
  });
});
