// Which AppArmor profile and SELinux label `bindery exec` gives the process (runc's rule):
// its own from the process file or the flags, else the container's.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { planBundle } from '@bindery/plan';
import { execLabels } from '../../src/cli/oci/exec';
import { baseSpec } from '../baseSpec';

const containerOps = () => {
  const spec = baseSpec();
  spec.process.apparmorProfile = 'container-profile';
  spec.process.selinuxLabel = 'system_u:system_r:container_t:s0:c1';
  const host = { kernelRelease: '6.1.0', lstat: () => null, readdir: () => null };
  return planBundle({ text: JSON.stringify(spec), bundleDir: '/b', host }).operations;
};

describe('exec labels', () => {
  it("inherits the container's profile and label when the process has none", () => {
    assert.deepEqual(
      execLabels(containerOps(), {}).map((o) => o.content),
      ['exec container-profile', 'system_u:system_r:container_t:s0:c1'],
    );
  });

  it('uses its own where it has one, each module on its own', () => {
    assert.deepEqual(
      execLabels(containerOps(), { apparmorProfile: 'mine' }).map((o) => o.content),
      ['exec mine', 'system_u:system_r:container_t:s0:c1'],
    );
    assert.deepEqual(
      execLabels([], { selinuxLabel: 'system_u:system_r:spc_t:s0' }).map((o) => [o.lsm, o.content]),
      [['SELinux', 'system_u:system_r:spc_t:s0']],
    );
    assert.deepEqual(execLabels([], { apparmorProfile: '', selinuxLabel: undefined }), []);
  });
});
