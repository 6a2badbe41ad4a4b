// Id-mapped binds, call by call against the recording fake: the init clones the source
// (open_tree), asks the launcher for the mapping, and moves the mount onto the target; the
// launcher takes the init's mount through a pidfd and applies the plan's mapping.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { propagationOp, rootfsBindOp, type MountIdmap, type Operation, type Plan } from '@bindery/plan';
import { answerIdmapRequest } from '../../src/runtime/idmapLauncher';
import type { StepOutcome } from '../../src/runtime/failure';
import { RecordingSyscalls } from '../../src/runtime/recordingSyscalls';
import { setupRootfs } from '../../src/runtime/rootfs';
import { ADDED, mountOp, specOrigin } from '../sampleOperations';

const R = '/bundle/rootfs';
const MAP = [{ containerID: 0, hostID: 100000, size: 65536 }];

function idmapPlan(idmap: MountIdmap, flags: ('MS_BIND' | 'MS_REC')[] = ['MS_BIND', 'MS_REC']): Plan {
  const operations: Operation[] = [
    propagationOp('/', ['MS_REC', 'MS_PRIVATE'], ADDED, 'host'),
    rootfsBindOp(R, specOrigin('root', 'path')),
    { op: 'mkdir', path: '/data', mode: 0o755, origin: specOrigin('mounts', 0) },
    mountOp({ source: '/srv/data', target: '/data', flags, idmap, origin: specOrigin('mounts', 0) }),
  ];
  return { mounts: [], operations, findings: [], rootfs: R };
}

function run(p: Plan, requestIdmap?: (index: number, fd: number) => StepOutcome, owner = { uid: 0, gid: 0, groups: [] }) {
  const sys = new RecordingSyscalls({ [`${R}/bin`]: 'dir', '/srv/data': 'dir', '/run/bindery/c1': 'dir' });
  const failure = setupRootfs(p, sys, {
    stateDir: '/run/bindery/c1',
    network: { hostname: 'box', ownNetworkNamespace: true },
    owner,
    emit: () => {},
    ...(requestIdmap ? { requestIdmap } : {}),
  });
  return { sys, failure };
}

describe('id-mapped binds in the init', () => {
  it('clones the source, has the launcher map it, and moves it onto the target resolved in the rootfs', () => {
    const asked: { index: number; fd: number }[] = [];
    const p = idmapPlan({ recursive: false, uidMappings: MAP, gidMappings: MAP });
    const { sys, failure } = run(p, (index, fd) => {
      asked.push({ index, fd });
      return { ok: true };
    });
    assert.equal(failure, undefined);
    const tail = sys.calls.slice(sys.calls.findIndex((c) => c.startsWith('open_tree')));
    // OPEN_TREE_CLONE | O_CLOEXEC | AT_RECURSIVE (rbind): 0x1 | 0x80000 | 0x8000
    assert.deepEqual(tail.slice(0, 2), [
      'open_tree /srv/data 88001',
      `move_mount fd:tree:/srv/data fd:${R}/data`,
    ]);
    assert.deepEqual(asked, [{ index: 3, fd: asked[0].fd }]);
    assert.ok(!sys.calls.some((c) => c.startsWith('mount /srv/data')), 'no mount(2) of the source');
    assert.equal(sys.openFds(), 0, 'the tree and the target fds are closed');
  });

  it('clones only the top mount for a plain bind', () => {
    const { sys } = run(idmapPlan({ recursive: true, uidMappings: MAP, gidMappings: MAP }, ['MS_BIND']), () => ({ ok: true }));
    assert.ok(sys.calls.includes('open_tree /srv/data 80001'), sys.calls.join('\n'));
  });

  it('stops at the launcher’s refusal, before anything is attached', () => {
    const { sys, failure } = run(idmapPlan({ recursive: false, usernsPath: '/proc/1/ns/user' }), () => ({
      ok: false,
      errno: 'EINVAL',
      message: 'EINVAL: the kernel refused to id-map /srv/data',
      hint: 'h',
    }));
    assert.equal(failure?.errno, 'EINVAL');
    assert.equal(failure?.index, 3);
    assert.ok(!sys.calls.some((c) => c.startsWith('move_mount')));
    assert.equal(sys.openFds(), 0);
  });

  it('says what is missing: the source, a launcher that maps, root', () => {
    const p = idmapPlan({ recursive: false, uidMappings: MAP, gidMappings: MAP });
    const sys = new RecordingSyscalls({ [`${R}/bin`]: 'dir', '/srv/data': 'dir' });
    sys.failOn('open_tree', 'ENOENT');
    const gone = setupRootfs(p, sys, { stateDir: '/s', network: { hostname: 'b', ownNetworkNamespace: true }, emit: () => {}, requestIdmap: () => ({ ok: true }) });
    assert.match(gone?.message ?? '', /ENOENT: bind source \/srv\/data does not exist on the host/);
    assert.equal(run(p).failure?.errno, 'ENOSYS');
    const peer = run(p, () => ({ ok: true }), { uid: 1000, gid: 1000, groups: [] });
    assert.equal(peer.failure?.errno, 'EPERM');
    assert.ok(!peer.sys.calls.some((c) => c.startsWith('open_tree')));
  });
});

describe('the launcher’s answer to an idmap request', () => {
  const joined = idmapPlan({ recursive: true, usernsPath: '/proc/self/ns/user' });

  it('takes the init’s mount through a pidfd and sets MOUNT_ATTR_IDMAP with the plan’s user namespace', async () => {
    const sys = new RecordingSyscalls();
    const reply = await answerIdmapRequest(joined, 3, 7, { pid: 4321, ownerUid: 0 }, sys);
    assert.deepEqual(reply, { ok: true });
    assert.equal(sys.calls[0], 'pidfd_getfd pidfd:4321 7');
    // AT_EMPTY_PATH | AT_RECURSIVE (ridmap), MOUNT_ATTR_IDMAP, a user namespace fd
    assert.match(sys.calls[1], /^mount_setattr fd:got:7 "" 9000 set=100000 clr=0 prop=0 userns=\d+$/);
    assert.equal(sys.openFds(), 0);
  });

  it('maps only what the plan says, only for root, and says why not', async () => {
    const sys = new RecordingSyscalls();
    assert.deepEqual(await answerIdmapRequest(joined, 2, 7, { pid: 4321, ownerUid: 0 }, sys), {
      ok: false,
      errno: 'EINVAL',
      message: 'operation 2 is not an id-mapped mount',
    });
    assert.equal((await answerIdmapRequest(joined, 3, 7, { pid: 4321, ownerUid: 1000 }, sys)).errno, 'EPERM');
    assert.deepEqual(sys.calls, []);
    sys.failOn('mount_setattr', 'EINVAL');
    const refused = await answerIdmapRequest(joined, 3, 7, { pid: 4321, ownerUid: 0 }, sys);
    assert.equal(refused.errno, 'EINVAL');
    assert.match(refused.message ?? '', /filesystem may not support idmapped mounts/);
    assert.equal(sys.openFds(), 0);
    const wrongNs = idmapPlan({ recursive: false, usernsPath: '/proc/self/ns/net' });
    const notUser = await answerIdmapRequest(wrongNs, 3, 7, { pid: 4321, ownerUid: 0 }, sys);
    assert.equal(notUser.errno, 'EINVAL');
    assert.match(notUser.message ?? '', /is not a user namespace/);
  });
});
