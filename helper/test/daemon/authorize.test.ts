// Who may see a container, and the peer's own limits. What a peer may launch is the plan's
// (plan/test/rules/requesterPolicy.test.ts, plan/test/requester.test.ts).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maySee, parseLimits, type Peer } from '../../src/daemon/authorize';

const alice: Peer = { pid: 1, uid: 1000, gid: 1000, groups: [1000, 27] };
const root: Peer = { pid: 1, uid: 0, gid: 0, groups: [] };

describe('authorize', () => {
  it('lets the owner and root see a container, nobody else', () => {
    assert.equal(maySee(alice, 1000), true);
    assert.equal(maySee(root, 1000), true);
    assert.equal(maySee({ ...alice, uid: 1001 }, 1000), false);
  });

  it('parses /proc/PID/limits', () => {
    const l = parseLimits(
      'Limit                     Soft Limit           Hard Limit           Units\nMax open files            1024                 524288               files\nMax core file size        0                    unlimited            bytes\n',
    );
    assert.equal(l.RLIMIT_NOFILE, 524288);
    assert.equal(l.RLIMIT_CORE, Infinity);
  });
});
