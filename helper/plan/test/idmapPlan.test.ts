// Id-mapped binds in the plan (runc 1.2): which mapping each gets, one mount operation that
// carries it (no mount_setattr on an attached mount), what a non-root requester is refused.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBundle } from '../src/planBundle';
import { renderOperation } from '../src/render';
import { requesterInvariantViolations } from '../src/requesterInvariant';
import type { MountOp, Plan, Requester } from '../src/types';
import { BUNDLE, spec, usualHost } from './rules/harness';

const CONTAINER_MAP = [{ containerID: 0, hostID: 100000, size: 65536 }];
const MOUNT_MAP = [{ containerID: 1000, hostID: 100005, size: 1 }];
const host = usualHost(['/srv/data/', '/home/alice/data/']);

function planOf(text: string, requester?: Requester): Plan {
  return planBundle({ text, bundleDir: BUNDLE, host, ...(requester ? { requester } : {}) });
}

function withUser(patch: Parameters<typeof spec>[0]) {
  return spec((s) => {
    s.linux.namespaces.push({ type: 'user' });
    s.linux.uidMappings = CONTAINER_MAP;
    s.linux.gidMappings = CONTAINER_MAP;
    patch?.(s);
  });
}

const mountAt = (plan: Plan, target: string) =>
  plan.operations.filter((o): o is MountOp => o.op === 'mount' && o.target === target);
const errors = (plan: Plan) => plan.findings.filter((f) => f.severity === 'error').map((f) => f.code);

describe('id-mapped binds in the plan', () => {
  it('gives "idmap" without mappings of its own the container’s, on the bind itself', () => {
    const plan = planOf(
      withUser((s) => s.mounts.push({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'idmap'] })),
    );
    assert.deepEqual(errors(plan), []);
    const [bind, ...rest] = mountAt(plan, '/data');
    assert.deepEqual(bind.idmap, { recursive: false, uidMappings: CONTAINER_MAP, gidMappings: CONTAINER_MAP });
    assert.deepEqual(bind.flags, ['MS_BIND', 'MS_REC']);
    assert.equal(rest.length, 0);
    // Nothing sets MOUNT_ATTR_IDMAP on the attached mount (the kernel refuses that).
    assert.ok(!plan.operations.some((o) => o.op === 'setattr' && o.attrSet.includes('MOUNT_ATTR_IDMAP')));
    assert.equal(
      renderOperation(bind),
      'open_tree("/srv/data", OPEN_TREE_CLONE|AT_RECURSIVE); mount_setattr(<tree>, 0, {attr_set: MOUNT_ATTR_IDMAP, userns_fd: <user namespace uid 0:100000:65536, gid 0:100000:65536>}); move_mount(<tree>, "/data")',
    );
  });

  it('prefers the mount’s own mappings, and "ridmap" maps every submount', () => {
    const plan = planOf(
      withUser((s) =>
        s.mounts.push({
          destination: '/data',
          type: 'bind',
          source: '/srv/data',
          options: ['bind', 'ridmap', 'ro'],
          uidMappings: MOUNT_MAP,
          gidMappings: MOUNT_MAP,
        }),
      ),
    );
    assert.deepEqual(errors(plan), []);
    const [bind, remount] = mountAt(plan, '/data');
    assert.deepEqual(bind.idmap, { recursive: true, uidMappings: MOUNT_MAP, gidMappings: MOUNT_MAP });
    assert.deepEqual(bind.flags, ['MS_BIND']);
    // The options still apply to the attached mount afterwards.
    assert.ok(remount.flags.includes('MS_RDONLY') && remount.flags.includes('MS_REMOUNT'));
    assert.match(renderOperation(bind), /^open_tree\("\/srv\/data", OPEN_TREE_CLONE\); mount_setattr\(<tree>, AT_RECURSIVE,/);
  });

  it('uses the user namespace the container joins by path', () => {
    const plan = planOf(
      spec((s) => {
        s.linux.namespaces.push({ type: 'user', path: '/proc/4242/ns/user' });
        s.mounts.push({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'idmap'] });
      }),
    );
    assert.deepEqual(mountAt(plan, '/data')[0].idmap, { recursive: false, usernsPath: '/proc/4242/ns/user' });
  });

  it('accepts mappings of the mount’s own without a user namespace (runc 1.2 does), but not "idmap" alone', () => {
    const own = planOf(
      spec((s) =>
        s.mounts.push({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind'], uidMappings: MOUNT_MAP, gidMappings: MOUNT_MAP }),
      ),
    );
    assert.deepEqual(errors(own), []);
    assert.deepEqual(mountAt(own, '/data')[0].idmap, { recursive: false, uidMappings: MOUNT_MAP, gidMappings: MOUNT_MAP });

    const bare = planOf(
      spec((s) => s.mounts.push({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'idmap'] })),
    );
    assert.deepEqual(errors(bare), ['idmap-without-userns']);
    assert.match(bare.findings.find((f) => f.code === 'idmap-without-userns')!.message, /must have both uid and gid mappings/);
  });

  it('refuses a non-root requester the mappings, and the runtime’s last check refuses such a plan', () => {
    const alice: Requester = { uid: 1000, gid: 1000, groups: [1000] };
    const text = spec((s) =>
      s.mounts.push({
        destination: '/data',
        type: 'bind',
        source: '/home/alice/data',
        options: ['rbind'],
        uidMappings: MOUNT_MAP,
        gidMappings: MOUNT_MAP,
      }),
    );
    const plan = planOf(text, alice);
    const refused = plan.findings.filter((f) => f.code === 'peer-user-namespace');
    assert.deepEqual(refused.map((f) => f.path.at(-1)), ['uidMappings', 'gidMappings']);
    assert.ok(refused.every((f) => f.blocksLaunch === true));
    // Even if a plan carried the mapping for a requester, the runtime refuses to run it.
    const bind = mountAt(plan, '/data')[0];
    assert.ok(bind.idmap, 'the plan shows what the spec asks');
    const violations = requesterInvariantViolations(plan, {
      owner: alice,
      stateDir: '/run/bindery/x',
      launch: planOf(text).launch!, // refused plans carry none; the process is root's here
    });
    assert.ok(violations.some((v) => /idmaps a mount/.test(v)), violations.join('; '));
  });
});
