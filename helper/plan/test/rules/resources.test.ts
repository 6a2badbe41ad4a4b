// linux.resources and cgroupsPath: applied, or reported when Bindery or runc ignores them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, spec } from './harness';

describe('linux.resources and cgroupsPath', () => {
  it('are applied (memory, pids, cpu, cpuset, v1 devices, blockIO): no warning; what runc 1.1 ignores is information', () => {
    const text = spec((s) => {
      s.linux.cgroupsPath = '/bindery/x';
      s.linux.resources = {
        memory: { limit: 1 << 26, swappiness: 10 },
        pids: { limit: 10 },
        cpu: { shares: 512, cpus: '0' },
        devices: [{ allow: false, access: 'rwm' }],
        blockIO: { weight: 100, throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1 }] },
      };
      s.linux.resources.memory.kernel = 1 << 20;
    });
    const c = check(text);
    assert.deepEqual(c.byCode('feature-not-applied'), []);
    const ignored = c.byCode('resource-ignored');
    assert.deepEqual(
      ignored.map((f) => `${f.severity} ${f.path.join('.')}`),
      ['information linux.resources.memory.kernel'],
    );
    assert.match(ignored[0].message, /runc 1\.1 ignores kernel memory limits/);
  });
});
