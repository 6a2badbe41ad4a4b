import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { readLaunchSpec } from '../../src/runtime/launchSpec';
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUTS } from '../../src/runtime/syscalls';

const base = {
  process: { args: ['/bin/true'], cwd: '/' },
  linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }] },
};

describe('readLaunchSpec', () => {
  it('reads process, namespaces and names', () => {
    const s = readLaunchSpec({
      hostname: 'h',
      process: {
        args: ['sh'],
        env: ['PATH=/bin'],
        cwd: '/tmp',
        user: { uid: 1000, gid: 100, additionalGids: [5] },
        rlimits: [{ type: 'RLIMIT_NOFILE', soft: 64, hard: 128 }],
        noNewPrivileges: true,
        capabilities: { bounding: ['CAP_KILL'], effective: ['CAP_KILL'] },
      },
      linux: {
        namespaces: [
          { type: 'pid' },
          { type: 'network' },
          { type: 'ipc' },
          { type: 'uts' },
          { type: 'mount' },
        ],
      },
    });
    assert.ok(!('message' in s));
    assert.equal(s.hostname, 'h');
    assert.deepEqual(s.process.rlimits, [
      { name: 'RLIMIT_NOFILE', resource: 7, soft: 64, hard: 128 },
    ]);
    assert.deepEqual(s.process.capabilities?.bounding, [5]);
    assert.equal(s.namespaces.newPid, true);
    assert.equal(s.namespaces.unshare, CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS);
    assert.equal(s.namespaces.newNetwork, true);
  });

  it('names the field of bad input', () => {
    const bad = (spec: unknown) => {
      const r = readLaunchSpec(spec);
      assert.ok('message' in r, JSON.stringify(r));
      return r.field;
    };
    assert.equal(bad({ ...base, process: { args: [] } }), 'process.args');
    assert.equal(bad({ ...base, process: { args: ['x'], cwd: 'rel' } }), 'process.cwd');
    assert.equal(bad({ ...base, process: { args: ['x'], terminal: true } }), 'process.terminal');
    assert.equal(
      bad({
        ...base,
        process: { args: ['x'], rlimits: [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }] },
      }),
      'process.rlimits[0].type',
    );
    assert.equal(
      bad({ ...base, process: { args: ['x'], capabilities: { bounding: ['CAP_NOPE'] } } }),
      'process.capabilities.bounding',
    );
    assert.equal(
      bad({ ...base, linux: { namespaces: [{ type: 'user' }] } }),
      'linux.namespaces[0]',
    );
  });
});
