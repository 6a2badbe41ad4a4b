// The exec-label write against the real kernel: the /proc/thread-self/attr file is found (the
// AppArmor directory or the shared file), checked to be procfs's, and a label the host cannot
// give is refused by the kernel with a clear failure, no fd left open. A profile/label that
// exists nowhere is refused on every host: EINVAL without the module, ENOENT/EINVAL with it.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { planExecLabels, type Origin } from '@bindery/plan';
import { writeExecLabel } from '../../src/runtime/execLabel';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';

const origin = (): Origin => ({ kind: 'added', reason: 'test' });
const openFds = () => fs.readdirSync('/proc/self/fd').length;

describe('writeExecLabel on this kernel', () => {
  const [apparmor, selinux] = planExecLabels(
    { process: { apparmorProfile: 'bindery-test-no-such-profile', selinuxLabel: 'bindery_u:no_such_r:no_such_t:s0' } },
    origin,
  );

  for (const op of [apparmor, selinux])
    it(`refuses the ${op.lsm} ${op.label} the host does not have, through procfs`, () => {
      const before = openFds();
      const f = writeExecLabel(koffiSyscalls(), op);
      assert.ok(f, 'the kernel took a label that exists nowhere');
      assert.ok(['EINVAL', 'ENOENT'].includes(f.errno), f.message);
      assert.match(f.message, new RegExp(`the kernel refused the ${op.lsm} (profile|label) "${op.label}" \\(/proc/thread-self/attr/`));
      assert.equal(openFds(), before, 'the attr file is closed');
    });
});
