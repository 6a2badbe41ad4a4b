// A non-root requester's plan: sealed nosuid,nodev whatever the spec asks, in every order
// (a property over generated specs, checked by simulating what each operation does to the
// mount flags), and the runtime's last check (requesterInvariantViolations) refusing any
// plan that breaks what requester.ts promises.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MOUNT_OPTIONS } from '../src/flags';
import { bindRemountOp } from '../src/operationConstructors';
import { planBundle } from '../src/planBundle';
import { requesterInvariantViolations } from '../src/requesterInvariant';
import type { MountAttr, MountCall, MsFlag, Operation, Plan, Requester } from '../src/types';
import { fakeHost } from './fakeHost';

const alice: Requester = { uid: 1000, gid: 1000, groups: [1000] };
const host = fakeHost({
  '/b/rootfs/bin/sh': 'file',
  '/b/rootfs/etc/hosts': 'file',
  '/b/rootfs/data': 'dir',
  '/home/alice/data': 'dir',
  '/home/alice/file': 'file',
  '/usr/bin/su': 'file',
});
const STATE_DIR = '/run/bindery/x';

function planFor(spec: Record<string, unknown>, requester: Requester = alice): Plan {
  return planBundle({ text: JSON.stringify(spec, null, 2), bundleDir: '/b', host, stateDir: STATE_DIR, requester });
}

function baseSpec(mounts: unknown[], extra: Record<string, unknown> = {}) {
  return {
    ociVersion: '1.0.2',
    process: { user: { uid: 1000, gid: 1000 }, args: ['/bin/sh'], cwd: '/' },
    root: { path: 'rootfs', readonly: true },
    hostname: 'box',
    mounts,
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'ipc' }],
      maskedPaths: ['/proc/kcore', '/proc/acpi'],
      readonlyPaths: ['/proc/sys'],
    },
    ...extra,
  };
}

interface SimMount {
  point: string;
  nosuid: boolean;
  nodev: boolean;
  mask: boolean;
  bind: boolean;
}

/**
 * What the operations do to each mount's nosuid/nodev, assuming the worst of what a bind
 * brings (suid and dev allowed, also on every submount it carries), then the mounts that
 * end without nosuid or nodev, but the masks and the dev the check step allows.
 */
function unsealedMounts(plan: Plan): string[] {
  const mounts: SimMount[] = [];
  const rootfs = plan.rootfs!;
  const inContainer = (target: string, scope: string) => (scope === 'host' ? (target === rootfs ? '/' : null) : target);
  const at = (p: string) => [...mounts].reverse().find((m) => m.point === p);
  const below = (p: string) => mounts.filter((m) => m.point === p || m.point.startsWith(p === '/' ? '/' : p + '/'));
  let devAllowed: string[] = [];
  for (const planned of plan.operations as Operation[]) {
    if (planned.op === 'check-mount-flags') devAllowed = planned.devAllowed;
    const op = asMountCall(planned);
    if (op) {
      const p = inContainer(op.target, op.targetScope);
      if (p === null) continue;
      const has = (f: MsFlag) => op.flags.includes(f);
      if (has('MS_REMOUNT')) {
        const m = at(p);
        if (m) Object.assign(m, { nosuid: has('MS_NOSUID'), nodev: has('MS_NODEV') });
      } else if (has('MS_BIND')) {
        const mask = op.mask;
        mounts.push({ point: p, nosuid: mask, nodev: false, mask, bind: true });
        if (has('MS_REC')) mounts.push({ point: `${p === '/' ? '' : p}/submount-of-source`, nosuid: false, nodev: false, mask: false, bind: true });
      } else if (op.fstype) {
        mounts.push({ point: p, nosuid: has('MS_NOSUID'), nodev: has('MS_NODEV'), mask: op.mask, bind: false });
      }
    }
    if (planned.op === 'setattr') {
      const sa = planned;
      const p = inContainer(sa.target, sa.targetScope);
      if (p === null) continue;
      const targets = sa.recursive ? below(p) : [at(p)].filter((m): m is SimMount => !!m);
      const apply = (attr: MountAttr, key: 'nosuid' | 'nodev') => {
        if (sa.attrSet.includes(attr)) for (const m of targets) m[key] = true;
        if (sa.attrClr.includes(attr)) for (const m of targets) m[key] = false;
      };
      apply('MOUNT_ATTR_NOSUID', 'nosuid');
      apply('MOUNT_ATTR_NODEV', 'nodev');
    }
  }
  return mounts
    .filter((m) => !m.mask && (!m.nosuid || (!m.nodev && !(devAllowed.includes(m.point) && !m.bind))))
    .map((m) => `${m.point}${m.nosuid ? '' : ' suid'}${m.nodev ? '' : ' dev'}`);
}

/** A small deterministic generator (mulberry32), so a failure can be replayed by its seed. */
function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPTIONS = Object.keys(MOUNT_OPTIONS);
const DESTINATIONS = ['/dev', '/dev/pts', '/data', '/data/x', '/usr/bin/su', '/etc/hosts', '/srv', '/'];
const KINDS: [string, string][] = [
  ['bind', '/home/alice/data'],
  ['bind', '/usr/bin/su'],
  ['none', '/home/alice/file'],
  ['tmpfs', 'tmpfs'],
  ['devpts', 'devpts'],
  ['mqueue', 'mqueue'],
  ['sysfs', 'sysfs'],
];

function generatedSpec(seed: number) {
  const r = rng(seed);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(r() * xs.length)];
  const mounts = Array.from({ length: 1 + Math.floor(r() * 5) }, () => {
    const [type, source] = pick(KINDS);
    const options = Array.from({ length: Math.floor(r() * 6) }, () => pick(OPTIONS));
    if (type === 'bind' || type === 'none') options.unshift(r() < 0.5 ? 'rbind' : 'bind');
    return { destination: pick(DESTINATIONS), type, source, options };
  });
  return baseSpec(mounts, { root: { path: 'rootfs', readonly: r() < 0.5 } });
}

/** The mount(2) call an operation makes, as the simulation reads it; masks as the runtime covers them. */
function asMountCall(op: Operation): (MountCall & { mask: boolean }) | undefined {
  if (op.op === 'mount' || op.op === 'readonly-path') return { ...op, mask: false };
  if (op.op !== 'mask') return undefined;
  return op.cover === 'dev-null'
    ? { source: '/dev/null', target: op.target, targetScope: op.targetScope, fstype: null, flags: ['MS_BIND'], data: '', mask: true }
    : { source: 'tmpfs', target: op.target, targetScope: op.targetScope, fstype: 'tmpfs', flags: op.tmpfsFlags, data: '', mask: true };
}

describe('a non-root requester’s plan (requester.ts)', () => {
  it('is sealed nosuid,nodev for every generated spec: every option and recursive attribute, in every order', () => {
    let launchable = 0;
    for (let seed = 1; seed <= 600; seed++) {
      const spec = generatedSpec(seed);
      const plan = planFor(spec);
      assert.deepEqual(unsealedMounts(plan), [], `seed ${seed}: ${JSON.stringify(spec.mounts)}`);
      if (plan.launch) {
        launchable++;
        assert.deepEqual(requesterInvariantViolations(plan, { owner: alice, stateDir: STATE_DIR, launch: plan.launch }), [], `seed ${seed}: ${JSON.stringify(spec.mounts)}`);
      }
    }
    assert.ok(launchable > 100, `only ${launchable} of 600 generated specs were launchable: the property says little`);
  });

  it('the simulation sees a plan that is not sealed (root’s plan of rsuid binds)', () => {
    const spec = baseSpec([{ destination: '/usr/bin/su', type: 'bind', source: '/usr/bin/su', options: ['bind', 'rsuid'] }]);
    assert.notDeepEqual(unsealedMounts(planFor(spec, { uid: 0, gid: 0, groups: [] })), []);
    assert.deepEqual(unsealedMounts(planFor(spec)), []);
  });

  it('opens every bind source but the network files with the requester’s rights', () => {
    const plan = planFor(baseSpec([{ destination: '/data', type: 'bind', source: '/home/alice/data', options: ['rbind'] }]));
    const binds = plan.operations.filter((o) => o.op === 'mount' && o.flags.includes('MS_BIND') && !o.flags.includes('MS_REMOUNT') && o.targetScope !== 'container');
    assert.deepEqual(
      binds.map((o) => o.op === 'mount' && [o.source, o.sourceAccess ?? 'runtime']),
      [
        ['/b/rootfs', 'requester'],
        ['/home/alice/data', 'requester'],
        [`${STATE_DIR}/hosts`, 'runtime'],
        [`${STATE_DIR}/hostname`, 'runtime'],
        [`${STATE_DIR}/resolv.conf`, 'runtime'],
      ],
    );
  });
});

describe('requesterInvariantViolations (run by the runtime before the first operation)', () => {
  const plan = planFor(baseSpec([{ destination: '/data', type: 'bind', source: '/home/alice/data', options: ['rbind', 'nosuid'] }]));
  const launch = plan.launch!;
  const ctx = { owner: alice, stateDir: STATE_DIR, launch };
  const without = (f: (o: Operation) => boolean): Plan => ({ ...plan, operations: plan.operations.filter((o) => !f(o)) });

  it('passes the plan made for the requester, and anything for root', () => {
    assert.deepEqual(requesterInvariantViolations(plan, ctx), []);
    const rootPlan = planFor(baseSpec([]), { uid: 0, gid: 0, groups: [] });
    assert.deepEqual(requesterInvariantViolations(rootPlan, { ...ctx, owner: { uid: 0, gid: 0, groups: [] }, launch: rootPlan.launch! }), []);
  });

  it('refuses a plan made for someone else, or for root', () => {
    assert.match(requesterInvariantViolations(planFor(baseSpec([]), { uid: 0, gid: 0, groups: [] }), ctx).join(), /made for root, not for uid 1000/);
    assert.match(requesterInvariantViolations({ ...plan, requester: { uid: 1001, gid: 1000, groups: [1000] } }, ctx).join(), /made for uid 1001/);
  });

  it('refuses a plan without the lock, or with a step that clears nosuid after it', () => {
    assert.match(requesterInvariantViolations(without((o) => o.op === 'setattr' && o.target === '/'), ctx).join(), /no nosuid,nodev lock/);
    const clear: Operation = { op: 'setattr', target: '/data', targetScope: 'container', attrSet: [], attrClr: ['MOUNT_ATTR_NOSUID'], recursive: true, origin: { kind: 'added', reason: 'test' } };
    assert.match(requesterInvariantViolations({ ...plan, operations: [...plan.operations, clear] }, ctx).join(), /clears MOUNT_ATTR_NOSUID.*comes after the nosuid,nodev lock/);
    const remount: Operation = bindRemountOp('/data', [], { kind: 'added', reason: 'test' }, 'container');
    assert.match(requesterInvariantViolations({ ...plan, operations: [...plan.operations, remount] }, ctx).join(), /comes after the nosuid,nodev lock/);
  });

  it('lets a process attribute the account could set itself follow the lock, and refuses a real-time one', () => {
    const origin = { kind: 'added' as const, reason: 'test' };
    const batch: Operation = { op: 'scheduler', attr: { policy: 'SCHED_BATCH', policyValue: 3, flags: [], flagsValue: 0, nice: 5, priority: 0, runtime: 0, deadline: 0, period: 0 }, origin };
    const personality: Operation = { op: 'personality', domain: 'LINUX32', persona: 8, origin };
    assert.deepEqual(requesterInvariantViolations({ ...plan, operations: [...plan.operations, batch, personality] }, ctx), []);
    const fifo: Operation = { ...batch, attr: { ...batch.attr, policy: 'SCHED_FIFO', policyValue: 1, nice: 0, priority: 50 } };
    const rt: Operation = { op: 'ioprio', ioClass: 'IOPRIO_CLASS_RT', priority: 0, ioprio: 1 << 13, origin };
    const v = requesterInvariantViolations({ ...plan, operations: [...plan.operations, fifo, rt] }, ctx).join('\n');
    assert.match(v, /\(scheduler\): SCHED_FIFO needs CAP_SYS_NICE/);
    assert.match(v, /\(ioprio\): IOPRIO_CLASS_RT needs CAP_SYS_ADMIN/);
  });

  it('refuses a bind with the runtime’s rights, a device node, and a process with privileges', () => {
    const ops = plan.operations.map((o) => (o.op === 'mount' && o.source === '/home/alice/data' ? { ...o, sourceAccess: undefined } : o));
    assert.match(requesterInvariantViolations({ ...plan, operations: ops }, ctx).join(), /binds \/home\/alice\/data with the runtime's rights/);
    const sda: Operation = { op: 'mknod', path: '/dev/sda', deviceType: 'b', major: 8, minor: 0, fileMode: 0o666, uid: 0, gid: 0, origin: { kind: 'added', reason: 'test' } };
    assert.match(requesterInvariantViolations({ ...plan, operations: [sda, ...plan.operations] }, ctx).join(), /creates device 8:0/);
    const p = launch.process;
    const bad = { ...launch, process: { ...p, uid: 0, noNewPrivileges: false, capabilities: { ...p.capabilities!, bounding: [21] } } };
    assert.deepEqual(
      requesterInvariantViolations(plan, { ...ctx, launch: bad }).filter((v) => /process|capability/.test(v)),
      ['the process would run as uid 0', 'the process would run without no_new_privs', 'capability CAP_SYS_ADMIN in the bounding set'],
    );
  });

  it('refuses a launch without a mount namespace: the init would mount in the host’s', () => {
    const hostMount = { ...launch, namespaces: { ...launch.namespaces, hostMount: true } };
    assert.match(requesterInvariantViolations(plan, { ...ctx, launch: hostMount }).join(), /would mount in the host mount namespace/);
  });
});
