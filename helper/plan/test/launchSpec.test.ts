import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseCpuList, readLaunchSpec } from '../src/launchSpec';
import { CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWTIME, CLONE_NEWUTS } from '../../src/runtime/syscalls';
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
    // An unknown capability is named too, but the launch goes on without it (runc's warning).
    const cap = readLaunchSpec({
      ...base,
      process: { args: ['x'], cwd: '/', capabilities: { bounding: ['CAP_NOPE', 'CAP_KILL'] } },
    });
    assert.deepEqual(
      cap.problems.map((p) => [p.code, p.path.join('.')]),
      [['unknown-capability', 'process.capabilities.bounding.0']],
    );
    assert.deepEqual(cap.launch?.process.capabilities?.bounding, [5]);
  });

  it('a new user namespace carries its maps; without them there is no launch (the userns rule says why)', () => {
    const map = [{ containerID: 0, hostID: 100000, size: 65536 }];
    const r = readLaunchSpec({
      ...base,
      linux: { namespaces: namespaces('user', 'pid', 'mount'), uidMappings: map, gidMappings: map },
    });
    assert.deepEqual(r.launch?.namespaces.user, { uidMappings: map, gidMappings: map });
    assert.equal(r.launch?.namespaces.newPid, true);
    const none = readLaunchSpec({ ...base, linux: { namespaces: namespaces('user', 'mount') } });
    assert.equal(none.launch, undefined);
    assert.deepEqual(none.problems, []);
  });

  it('a time namespace: CLONE_NEWTIME with the offsets, or joined by path', () => {
    const r = readLaunchSpec({
      ...base,
      linux: {
        namespaces: namespaces('time', 'mount'),
        timeOffsets: { boottime: { secs: -5, nanosecs: 7 }, monotonic: { secs: 86400 } },
      },
    });
    assert.equal(r.launch?.namespaces.unshare, CLONE_NEWNS | CLONE_NEWTIME);
    assert.deepEqual(r.launch?.namespaces.timeOffsets, [
      { clock: 'monotonic', secs: 86400, nanosecs: 0 },
      { clock: 'boottime', secs: -5, nanosecs: 7 },
    ]);
    const joined = readLaunchSpec({
      ...base,
      linux: { namespaces: [{ type: 'time', path: '/proc/42/ns/time' }, { type: 'mount' }] },
    });
    assert.equal(joined.launch?.namespaces.timePath, '/proc/42/ns/time');
    assert.equal(joined.launch?.namespaces.unshare, CLONE_NEWNS);
  });

  it("no mount namespace in the spec: the init stays in the host's (host-mount mode), as under runc 1.1", () => {
    const ns = readLaunchSpec({ ...base, linux: { namespaces: namespaces('pid', 'network') } }).launch!
      .namespaces;
    assert.equal(ns.hostMount, true);
    assert.equal(ns.unshare & CLONE_NEWNS, 0);
    const own = readLaunchSpec({ ...base, linux: { namespaces: namespaces('mount') } }).launch!.namespaces;
    assert.equal(own.hostMount, false);
    assert.equal(own.unshare, CLONE_NEWNS);
  });

  it("namespaces joined by path, in runc's order; a joined mount namespace unshares no mount namespace", () => {
    const r = readLaunchSpec({
      ...base,
      linux: {
        namespaces: [
          { type: 'mount', path: '/proc/9/ns/mnt' },
          { type: 'network', path: '/run/netns/blue' },
          { type: 'pid', path: '/proc/9/ns/pid' },
          { type: 'user', path: '/proc/9/ns/user' },
          { type: 'uts', path: '/proc/9/ns/uts' },
          { type: 'ipc' },
        ],
      },
    });
    const ns = r.launch!.namespaces;
    assert.deepEqual(
      ns.join.map((j) => j.type),
      ['uts', 'network', 'mount'],
    );
    assert.equal(ns.unshare, CLONE_NEWIPC);
    assert.equal(ns.joinedMount, true);
    assert.equal(ns.pidPath, '/proc/9/ns/pid');
    assert.equal(ns.newPid, false);
    assert.deepEqual(ns.user, { path: '/proc/9/ns/user' });
    assert.equal(ns.ownNetwork, true);
    assert.equal(ns.newNetwork, false);
  });

  it('leaves what the schema covers to the structure rule: no launch, no second problem', () => {
    for (const process of [{ args: [], cwd: '/' }, { args: ['x'], cwd: 'rel' }, { args: 'x', cwd: '/' }]) {
      const r = readLaunchSpec({ ...base, process });
      assert.equal(r.launch, undefined);
      assert.deepEqual(r.problems, []);
    }
  });
});
