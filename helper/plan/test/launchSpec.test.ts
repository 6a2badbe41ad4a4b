import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseCpuList, readLaunchSpec } from '../src/launchSpec';
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUTS } from '../../src/runtime/syscalls';
import { namespaces } from '../../test/baseSpec';

const base = {
  process: { args: ['/bin/true'], cwd: '/' },
  linux: { namespaces: namespaces('pid', 'mount') },
};

describe('readLaunchSpec', () => {
  it('reads process, namespaces and names', () => {
    const r = readLaunchSpec({
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
      linux: { namespaces: namespaces('pid', 'network', 'ipc', 'uts', 'mount') },
    });
    assert.deepEqual(r.problems, []);
    const s = r.launch!;
    assert.equal(s.hostname, 'h');
    assert.deepEqual(s.process.rlimits, [
      { name: 'RLIMIT_NOFILE', resource: 7, soft: 64, hard: 128 },
    ]);
    assert.deepEqual(s.process.capabilities?.bounding, [5]);
    assert.equal(s.namespaces.newPid, true);
    assert.equal(s.namespaces.unshare, CLONE_NEWNS | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS);
    assert.equal(s.namespaces.newNetwork, true);
  });

  it('reads execCPUAffinity as CPU numbers, for exec', () => {
    assert.deepEqual(parseCpuList('0-3,7'), [0, 1, 2, 3, 7]);
    assert.deepEqual(parseCpuList(' 2 , 0-1 '), [0, 1, 2]);
    for (const bad of ['', '3-1', 'a', '1,,2', '0-99999'])
      assert.equal(parseCpuList(bad), undefined, bad);
    const read = (execCPUAffinity: unknown) =>
      readLaunchSpec({ process: { args: ['/bin/sh'], cwd: '/', execCPUAffinity } }).launch?.process
        .execCpuAffinity;
    assert.deepEqual(read({ initial: '1', final: '0-1' }), { initial: [1], final: [0, 1] });
    assert.deepEqual(read({ final: '' }), undefined);
  });

  it('names the field of bad input the schema does not cover', () => {
    const bad = (spec: unknown) => {
      const r = readLaunchSpec(spec);
      assert.equal(r.launch, undefined, JSON.stringify(r));
      assert.equal(r.problems.length, 1, JSON.stringify(r.problems));
      return r.problems[0].path.join('.');
    };
    // terminal: true is not a launch problem: the process runs without one (a warning rule says so).
    const terminal = readLaunchSpec({ ...base, process: { args: ['x'], cwd: '/', terminal: true } });
    assert.deepEqual(terminal.problems, []);
    assert.deepEqual(terminal.launch?.process.args, ['x']);
    assert.equal(
      bad({
        ...base,
        process: { args: ['x'], cwd: '/', rlimits: [{ type: 'RLIMIT_BOGUS', soft: 1, hard: 1 }] },
      }),
      'process.rlimits.0.type',
    );
    assert.equal(
      bad({ ...base, process: { args: ['x'], cwd: '/', capabilities: { bounding: ['CAP_NOPE'] } } }),
      'process.capabilities.bounding.0',
    );
    assert.equal(bad({ ...base, linux: { namespaces: [{ type: 'user' }] } }), 'linux.namespaces.0.type');
  });

  it('leaves what the schema covers to the structure rule: no launch, no second problem', () => {
    for (const process of [{ args: [], cwd: '/' }, { args: ['x'], cwd: 'rel' }, { args: 'x', cwd: '/' }]) {
      const r = readLaunchSpec({ ...base, process });
      assert.equal(r.launch, undefined);
      assert.deepEqual(r.problems, []);
    }
  });
});
