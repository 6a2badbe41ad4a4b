// A launch's steps land on the right mount of ContainerInfo.mounts: each step of a spec
// mount on that mount, the runtime's own steps on the mount they make, the rest on none.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  operationTarget,
  planBundle,
  realHostView,
  type Operation,
  type Plan,
} from '@bindery/plan';
import {
  applyOperationEvent,
  mountOfOperation,
  planMountSummaries,
} from '../../src/runtime/mountSummary';
import { baseSpec, runcMounts } from '../baseSpec';

const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-summary-'));
after(() => fs.rmSync(bundle, { recursive: true, force: true }));
fs.mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
for (const d of ['a', 'b', 'c']) fs.mkdirSync(path.join(bundle, d));

function planned(): Plan {
  const binds = ['a', 'b', 'c'].map((d) => ({
    destination: `/data/${d}`,
    type: 'bind',
    source: path.join(bundle, d),
    options: ['rbind', 'ro'],
  }));
  const spec = baseSpec({
    args: ['/bin/true'],
    mounts: [...runcMounts('/proc', '/dev', '/sys'), ...binds],
  });
  const plan = planBundle({
    text: JSON.stringify(spec),
    bundleDir: bundle,
    host: realHostView(),
    stateDir: '/run/bindery/summary-test',
  });
  assert.deepEqual(
    plan.findings.filter((f) => f.severity === 'error'),
    [],
  );
  return plan;
}

/** The definition, as a scan: a spec step's mount by its index; a runtime step's by its target. */
function scanned(plan: Plan, op: Operation): number {
  if (op.origin.kind === 'spec') {
    const mi = op.origin.mountIndex;
    return mi === undefined ? -1 : plan.mounts.findIndex((m) => m.index === mi);
  }
  const target = operationTarget(op);
  return plan.mounts.findIndex((m) => m.index === null && m.destination === target);
}

describe('mount summaries from operation events', () => {
  it('finds every step’s mount as a scan of the plan’s mounts would', () => {
    const plan = planned();
    const found = plan.operations.map((op) => mountOfOperation(plan, op));
    assert.deepEqual(
      found,
      plan.operations.map((op) => scanned(plan, op)),
    );
    // Every mount has a step, the runtime's added ones (/dev/pts …, network files) too.
    for (let i = 0; i < plan.mounts.length; i++)
      assert.ok(found.includes(i), `a step of ${plan.mounts[i].destination}`);
    assert.ok(found.includes(-1), 'some steps belong to no mount (pivot_root …)');
  });

  it('marks a mount applied when its steps are, failed with the errno when one fails', () => {
    const plan = planned();
    const mounts = planMountSummaries(plan);
    const failing = plan.mounts.findIndex((m) => m.destination === '/data/b');
    plan.operations.forEach((operation, index) => {
      const fails = mountOfOperation(plan, operation) === failing && operation.op === 'mount';
      applyOperationEvent(plan, mounts, {
        id: 'x',
        index,
        operation,
        text: '',
        ok: !fails,
        ...(fails ? { errno: 'ENOENT' } : {}),
      });
    });
    assert.deepEqual(
      mounts.map((m) => [m.destination, m.state, m.errno]),
      plan.mounts.map((m, i) => [
        m.destination,
        i === failing ? 'failed' : 'applied',
        i === failing ? 'ENOENT' : undefined,
      ]),
    );
  });
});
