// The /proc writes against the recording fake.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { writeOomScoreAdj, writeSysctl } from '../../src/runtime/procWrites';
import { RecordingSyscalls } from '../../src/runtime/recordingSyscalls';

const origin = { kind: 'added' as const, reason: 'test' };

describe('procWrites', () => {
  it('writes a sysctl through /proc/sys without following symlinks, and names a refused value', () => {
    const sys = new RecordingSyscalls({ '/proc/sys/net/ipv4/ip_forward': 'file' });
    assert.ok(
      writeSysctl(sys, { op: 'sysctl', key: 'net.ipv4.ip_forward', value: '1', origin }).ok,
    );
    assert.deepEqual(sys.calls, ['write fd:/proc/sys/net/ipv4/ip_forward "1"']);
    sys.failOn('write', 'EINVAL');
    const f = writeSysctl(sys, { op: 'sysctl', key: 'net.ipv4.ip_forward', value: 'x', origin });
    assert.equal(!f.ok && f.message, 'EINVAL: the kernel refused net.ipv4.ip_forward = "x"');
    const linked = new RecordingSyscalls({
      '/proc/sys': { link: '/etc' },
      '/etc/kernel/x': 'file',
    });
    const l = writeSysctl(linked, { op: 'sysctl', key: 'kernel.x', value: '1', origin });
    assert.equal(!l.ok && l.errno, 'ELOOP');
    assert.deepEqual(linked.calls, [], 'nothing written through the symlink');
    assert.equal(sys.openFds() + linked.openFds(), 0);
  });

  it("writes the init's oom_score_adj", () => {
    const sys = new RecordingSyscalls({ '/proc/self/oom_score_adj': 'file' });
    assert.ok(writeOomScoreAdj(sys, { op: 'oom-score-adj', value: 500, origin }).ok);
    assert.deepEqual(sys.calls, ['write fd:/proc/self/oom_score_adj "500"']);
    assert.equal(sys.openFds(), 0);
  });
});
