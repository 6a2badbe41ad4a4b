import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnoseConnectError, diagnoseVersion } from '../../src/diagnoseHelper';

const socketPath = '/run/bindery/bindery.sock';

describe('diagnoseConnectError', () => {
  it('no socket: says how to start the helper', () => {
    const p = diagnoseConnectError({ socketPath, errno: 'ENOENT', socketDirExists: false });
    assert.equal(p.code, 'no-socket');
    assert.match(p.detail, /has not run since boot/);
    assert.match(p.detail, /sudo systemctl enable --now bindery\.socket/);
    assert.deepEqual(
      p.remedies.map((r) => r.kind),
      ['terminal', 'copy', 'docs', 'reconnect'],
    );
  });

  it('stale socket: nothing listens', () => {
    assert.equal(diagnoseConnectError({ socketPath, errno: 'ECONNREFUSED' }).code, 'no-listener');
  });

  it('permission denied: names the group, why it is safe, and the command', () => {
    const p = diagnoseConnectError({
      socketPath,
      errno: 'EACCES',
      socketGroup: { gid: 998, name: 'bindery' },
      groupMembers: ['alice'],
      userName: 'bob',
    });
    assert.equal(p.code, 'permission-denied');
    assert.match(p.summary, /not in group bindery/);
    assert.match(p.detail, /not root-equivalent/);
    assert.match(p.detail, /SO_PEERCRED/);
    assert.equal(p.remedies[0].command, 'sudo usermod -aG bindery bob');
  });

  it('permission denied for a member whose session predates the group: log in again', () => {
    const p = diagnoseConnectError({
      socketPath,
      errno: 'EACCES',
      socketGroup: { gid: 998, name: 'bindery' },
      groupMembers: ['bob'],
      userName: 'bob',
    });
    assert.match(p.summary, /log in again/);
    assert.ok(!p.remedies.some((r) => r.command?.includes('usermod')));
  });
});

describe('diagnoseVersion', () => {
  it('accepts the same major version', () => {
    assert.equal(diagnoseVersion(socketPath, '1.4.0', '0.3.0'), undefined);
  });
  it('explains a mismatch and which side to update', () => {
    const older = diagnoseVersion(socketPath, '0.9.0', '0.1.0');
    assert.equal(older?.code, 'version-mismatch');
    assert.match(older?.detail ?? '', /Update the helper/);
    assert.match(
      diagnoseVersion(socketPath, '2.0.0', '0.9.0')?.detail ?? '',
      /update the extension/,
    );
  });
});
