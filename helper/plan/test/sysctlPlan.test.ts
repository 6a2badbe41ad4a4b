// linux.sysctl and process.oomScoreAdj in the plan: what runc refuses, and the writes.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { planBundle } from '../src';
import { renderOperation } from '../src/render';
import { baseSpec } from '../../test/baseSpec';
import { fakeHost } from './fakeHost';

const plan = (change: (s: ReturnType<typeof baseSpec>) => void) => {
  const spec = baseSpec();
  change(spec);
  return planBundle({
    text: JSON.stringify(spec, null, 2),
    bundleDir: '/b',
    host: fakeHost({ '/b/rootfs': 'dir' }),
  });
};

describe('sysctls and oomScoreAdj', () => {
  it('writes each sysctl after the names and before readonlyPaths, oom_score_adj first', () => {
    const p = plan((s) => {
      s.linux.sysctl = {
        'net.ipv4.ip_forward': '1',
        'kernel.shm_rmid_forced': '1',
        'kernel.domainname': 'x',
      };
      s.linux.readonlyPaths = ['/proc/sys'];
      s.process.oomScoreAdj = -17;
    });
    const text = p.operations.map(renderOperation);
    assert.equal(text[0], 'write("/proc/self/oom_score_adj", "-17")');
    const first = text.indexOf('write("/proc/sys/net/ipv4/ip_forward", "1")');
    assert.ok(first > text.indexOf('sethostname("box")'));
    assert.deepEqual(text.slice(first, first + 3), [
      'write("/proc/sys/net/ipv4/ip_forward", "1")',
      'write("/proc/sys/kernel/shm_rmid_forced", "1")',
      'write("/proc/sys/kernel/domainname", "x")',
    ]);
    assert.ok(text.findIndex((t) => t.startsWith('mount("/proc/sys"')) > first + 2);
    assert.deepEqual(
      p.findings.filter((f) => f.code === 'feature-not-applied'),
      [],
    );
    assert.ok(p.launch, 'launchable');
  });

  it('refuses, as runc, a parameter outside the namespaces the container has', () => {
    const p = plan((s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: { type: string }) => n.type !== 'network');
      s.linux.sysctl = {
        'net.core.somaxconn': '64',
        'vm.swappiness': '1',
        'fs.mqueue.msg_max': '20',
      };
    });
    const errors = p.findings.filter((f) => f.code.startsWith('sysctl-'));
    assert.deepEqual(
      errors.map((f) => [f.path.join('.'), f.code, f.severity]),
      [
        ['linux.sysctl.net.core.somaxconn', 'sysctl-without-namespace', 'error'],
        ['linux.sysctl.vm.swappiness', 'sysctl-not-namespaced', 'error'],
      ],
    );
    assert.equal(p.launch, undefined, 'not launched');
  });
});
