// The mount sequence, call by call, against the recording fake: no root needed.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import {
  maskOp,
  renderOperation,
  type Operation,
  type Plan,
  propagationOp,
  readonlyPathOps,
  rootfsBindOp,
  rootfsParentPrivateOp,
} from '@bindery/plan';
import type { OperationEvent } from '../../src/protocol';
import { operationEvent } from '../../src/runtime/operationOutcome';
import { RecordingSyscalls } from '../../src/runtime/recordingSyscalls';
import { setupRootfs } from '../../src/runtime/rootfs';
import {
  ADDED as added,
  devNullMknod,
  mountOp as mount,
  specOrigin as spec,
} from '../sampleOperations';

const R = '/bundle/rootfs';
const STATE = '/run/bindery/c1';

function plan(operations: Operation[]): Plan {
  return { mounts: [], operations, findings: [], rootfs: R };
}

function host(): RecordingSyscalls {
  return new RecordingSyscalls({
    [`${R}/bin`]: 'dir',
    [`${R}/proc`]: 'dir',
    [`${R}/dev`]: 'dir',
    [`${R}/etc`]: 'dir',
    '/srv/data': 'dir',
    [STATE]: 'dir',
  });
}

/** The plan's operations and, as the launcher turns the init's outcomes into them, the events. */
function run(sys: RecordingSyscalls, p: Plan) {
  const events: OperationEvent[] = [];
  const failure = setupRootfs(p, sys, {
    stateDir: STATE,
    network: { hostname: 'box', ownNetworkNamespace: true },
    emit: (o) => {
      const e = operationEvent('c1', p, o);
      assert.ok(e, `outcome ${o.index} names an operation of the plan`);
      events.push(e);
    },
  });
  return { failure, events };
}

const head: Operation[] = [
  propagationOp('/', ['MS_REC', 'MS_PRIVATE'], added, 'host'),
  rootfsParentPrivateOp(R, added),
  rootfsBindOp(R, spec('root', 'path')),
];

describe('setupRootfs', () => {
  it('performs a plan call by call, mounting onto fds resolved inside the rootfs', () => {
    const sys = host();
    sys.setContent(
      '/etc/resolv.conf',
      'nameserver 127.0.0.53\nnameserver 10.0.0.2\nsearch example.org\n',
    );
    const p = plan([
      ...head,
      { op: 'mkdir', path: '/proc', mode: 0o755, origin: spec('mounts', 0) },
      mount({ source: 'proc', target: '/proc', fstype: 'proc', origin: spec('mounts', 0) }),
      { op: 'mkdir', path: '/data', mode: 0o755, origin: spec('mounts', 1) },
      mount({
        source: '/srv/data',
        target: '/data',
        flags: ['MS_BIND'],
        origin: spec('mounts', 1),
      }),
      mount({
        target: '/data',
        flags: ['MS_PRIVATE'],
        origin: spec('mounts', 1),
      }),
      mount({
        target: '/data',
        flags: ['MS_REMOUNT', 'MS_BIND', 'MS_RDONLY', 'MS_NOSUID'],
        origin: spec('mounts', 1),
      }),
      {
        op: 'setattr',
        target: '/data',
        targetScope: 'rootfs',
        attrSet: ['MOUNT_ATTR_NODEV'],
        attrClr: [],
        recursive: true,
        origin: spec('mounts', 1),
      },
      {
        op: 'write-network-file',
        file: 'resolv.conf',
        hostPath: `${STATE}/resolv.conf`,
        origin: added,
      },
      { op: 'mkfile', path: '/etc/resolv.conf', mode: 0o755, origin: added },
      mount({
        source: `${STATE}/resolv.conf`,
        target: '/etc/resolv.conf',
        flags: ['MS_BIND', 'MS_REC'],
      }),
      devNullMknod(),
      { op: 'symlink', linkTarget: '/proc/self/fd', path: '/dev/fd', origin: added },
      { op: 'pivot-root', rootfs: R, origin: spec('root', 'path') },
      mount({
        target: '/',
        targetScope: 'container',
        flags: ['MS_RDONLY', 'MS_REMOUNT', 'MS_BIND'],
        origin: spec('root', 'readonly'),
      }),
      { op: 'sethostname', name: 'box', origin: spec('hostname') },
      maskOp('/proc/kcore', 'dev-null', ['MS_RDONLY'], spec('linux', 'maskedPaths', 0)),
    ]);
    sys.add(`${R}/proc/kcore`, 'file');
    const { failure, events } = run(sys, p);
    assert.equal(failure, undefined);
    assert.equal(events.length, p.operations.length);
    assert.ok(events.every((e) => e.ok && e.id === 'c1'));
    assert.deepEqual(sys.calls, [
      'mount NULL / NULL MS_REC|MS_PRIVATE NULL',
      `mount fd:${R} ${R} NULL MS_BIND|MS_REC NULL`,
      `mount proc fd:${R}/proc proc 0 NULL`,
      `mkdir ${R}/data 755`,
      `mount fd:/srv/data fd:${R}/data NULL MS_BIND NULL`,
      `mount NULL fd:${R}/data NULL MS_PRIVATE NULL`,
      `mount NULL fd:${R}/data NULL MS_RDONLY|MS_NOSUID|MS_REMOUNT|MS_BIND NULL`,
      `mount_setattr fd:${R}/data "" 8000 set=4 clr=0 prop=0`,
      `write ${STATE}/resolv.conf 644`,
      `create ${R}/etc/resolv.conf 755`,
      `mount fd:${STATE}/resolv.conf fd:${R}/etc/resolv.conf NULL MS_BIND|MS_REC NULL`,
      `mknod ${R}/dev/null 20666 259`,
      `symlink /proc/self/fd ${R}/dev/fd`,
      `fchdir fd:${R}`,
      `pivot_root . . (cwd ${R})`,
      'fchdir fd:/',
      'mount NULL . NULL MS_REC|MS_SLAVE NULL',
      'umount2 . 2',
      'chdir /',
      `mount NULL fd:${R} NULL MS_RDONLY|MS_REMOUNT|MS_BIND NULL`,
      'sethostname box',
      `mount fd:${R}/dev/null fd:${R}/proc/kcore NULL MS_BIND NULL`,
    ]);
    assert.equal(sys.openFds(), 0, 'every fd the executor opened is closed');
    // resolv.conf: loopback dropped (own network namespace), the rest kept.
    assert.equal(
      sys.files.get(`${STATE}/resolv.conf`)?.content,
      'nameserver 10.0.0.2\nsearch example.org\n',
    );
  });

  it('without a mount namespace: the rootfs bind, the mounts, then chroot into the rootfs by fd; no propagation change', () => {
    const sys = host();
    sys.add(`${R}/proc/kcore`, 'file');
    const p = plan([
      rootfsBindOp(R, spec('root', 'path')),
      mount({ source: 'proc', target: '/proc', fstype: 'proc', flags: [] }),
      devNullMknod(),
      { op: 'chroot', rootfs: R, origin: spec('root', 'path') },
      maskOp('/proc/kcore', 'dev-null', ['MS_RDONLY'], added),
    ]);
    const { failure, events } = run(sys, p);
    assert.equal(failure, undefined);
    assert.equal(events.length, p.operations.length);
    assert.deepEqual(sys.calls, [
      `mount fd:${R} ${R} NULL MS_BIND|MS_REC NULL`,
      `mount proc fd:${R}/proc proc 0 NULL`,
      `mknod ${R}/dev/null 20666 259`,
      `fchdir fd:${R}`,
      `chroot . (cwd ${R})`,
      'chdir /',
      `mount fd:${R}/dev/null fd:${R}/proc/kcore NULL MS_BIND NULL`,
    ]);
    assert.equal(sys.openFds(), 0, 'every fd the executor opened is closed');
  });

  it('reports a failed chroot with the rootfs', () => {
    const sys = host();
    sys.failOn('chroot', 'EPERM');
    const { failure } = run(sys, plan([{ op: 'chroot', rootfs: R, origin: spec('root', 'path') }]));
    assert.ok(failure);
    assert.equal(failure.errno, 'EPERM');
    assert.match(failure.message, /chroot failed for \/bundle\/rootfs/);
  });

  it('makes the shared mount holding the rootfs private, found in the mount table as the kernel writes it', () => {
    const sys = host();
    sys.setContent(
      '/proc/self/mountinfo',
      [
        '20 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw',
        '30 20 0:40 / /bun\\040dle rw,relatime master:2 - tmpfs tmpfs rw',
        '31 20 0:41 / /bundle rw,relatime shared:9 - tmpfs tmpfs rw',
        '32 31 0:42 / /bundle/other rw,relatime - tmpfs tmpfs rw',
        '',
      ].join('\n'),
    );
    const { failure, events } = run(sys, plan(head));
    assert.equal(failure, undefined);
    assert.equal(sys.calls[1], 'mount NULL /bundle NULL MS_PRIVATE NULL', 'the closest parent, /bundle');
    assert.match(events[1].text ?? '', /rootfs/);
  });

  it('stops at a missing bind source and names the entry, errno and path', () => {
    const sys = host();
    const p = plan([
      ...head,
      { op: 'mkdir', path: '/data', mode: 0o755, origin: spec('mounts', 3) },
      mount({
        source: '/srv/missing',
        target: '/data',
        flags: ['MS_BIND'],
        origin: spec('mounts', 3),
      }),
      mount({ source: 'tmpfs', target: '/tmp', fstype: 'tmpfs' }),
    ]);
    const { failure, events } = run(sys, p);
    assert.ok(failure);
    assert.equal(failure.index, head.length + 1, 'the bind after its mount point');
    assert.equal(failure.errno, 'ENOENT');
    assert.equal(failure.message, 'ENOENT: bind source /srv/missing does not exist on the host');
    assert.match(failure.hint, /mounts\[3\]\.source/);
    assert.deepEqual(
      events.map((e) => e.ok),
      [...head.map(() => true), true, false],
    );
    assert.ok(!sys.calls.some((c) => c.includes('/tmp')), 'nothing after the failure ran');
    assert.equal(sys.openFds(), 0);
  });

  it('names the tmpfs option the kernel refused', () => {
    const sys = host();
    sys.add(`${R}/tmp`, 'dir');
    sys.failOn('mount', 'EINVAL', 'tmpfs');
    const { failure } = run(
      sys,
      plan([
        ...head,
        mount({
          source: 'tmpfs',
          target: '/tmp',
          fstype: 'tmpfs',
          data: 'mode=1777,sizee=64m',
          origin: spec('mounts', 2),
        }),
      ]),
    );
    assert.ok(failure);
    assert.equal(failure.message, 'EINVAL: tmpfs does not accept option sizee');
    assert.match(failure.hint, /mounts\[2\]\.options/);
  });

  it('resolves a destination through a symlink to /etc inside the rootfs, never on the host', () => {
    const sys = host();
    sys.add(`${R}/etc`, { link: '/etc' }); // absolute link: means the rootfs's own /etc
    sys.add(`${R}/real-etc`, 'dir');
    sys.add(`${R}/conf`, { link: '../../../../etc' }); // climbs past the root: clamped
    const p = plan([
      ...head,
      { op: 'mkfile', path: '/conf/passwd', mode: 0o644, origin: spec('mounts', 0) },
      mount({
        source: '/srv/data',
        target: '/conf/passwd',
        flags: ['MS_BIND'],
        origin: spec('mounts', 0),
      }),
    ]);
    const { failure } = run(sys, p);
    assert.ok(failure, 'the rootfs /etc is a symlink to itself-as-/etc: a loop, refused');
    assert.ok(
      !sys.calls.some((c) => / \/etc\//.test(c) || c.includes('fd:/etc')),
      `nothing touched the host's /etc: ${sys.calls.join('\n')}`,
    );

    const sys2 = host();
    sys2.add(`${R}/data`, { link: '/../../etc' });
    sys2.add(`${R}/etc/app`, 'dir');
    const { failure: f2 } = run(
      sys2,
      plan([...head, mount({ source: '/srv/data', target: '/data/app', flags: ['MS_BIND'] })]),
    );
    assert.equal(f2, undefined);
    assert.ok(
      sys2.calls.includes(`mount fd:/srv/data fd:${R}/etc/app NULL MS_BIND NULL`),
      sys2.calls.join('\n'),
    );
  });

  it('refuses proc on a symlink (CVE-2023-27561)', () => {
    const sys = host();
    sys.add(`${R}/proc`, { link: '/bin' });
    const { failure } = run(
      sys,
      plan([
        ...head,
        mount({ source: 'proc', target: '/proc', fstype: 'proc', origin: spec('mounts', 0) }),
      ]),
    );
    assert.ok(failure);
    assert.equal(failure.errno, 'ELOOP');
    assert.match(failure.hint, /CVE-2023-27561/);
    assert.ok(!sys.calls.some((c) => c.startsWith('mount proc')));
  });

  it('writes network files only into the container state directory', () => {
    const sys = host();
    const { failure } = run(
      sys,
      plan([
        ...head,
        { op: 'write-network-file', file: 'hosts', hostPath: '/etc/hosts', origin: added },
      ]),
    );
    assert.ok(failure);
    assert.equal(failure.errno, 'EPERM');
    assert.ok(!sys.calls.some((c) => c.startsWith('write')));
  });

  it('refuses a network file name that walks out of the state directory', () => {
    // hostPath and stateDir/file agree here: only the name check stops the write.
    const sys = host();
    const file = '../../../etc/passwd' as 'hosts';
    const { failure } = run(
      sys,
      plan([...head, { op: 'write-network-file', file, hostPath: '/etc/passwd', origin: added }]),
    );
    assert.ok(failure);
    assert.equal(failure.errno, 'EPERM');
    assert.ok(!sys.calls.some((c) => c.startsWith('write')));
  });

  it('skips masked and read-only paths the container does not have, masks a directory with a read-only tmpfs', () => {
    const sys = host();
    sys.add(`${R}/proc/acpi`, 'dir');
    const p = plan([
      ...head,
      { op: 'pivot-root', rootfs: R, origin: added },
      readonlyPathOps('/proc/nope', added)[0],
      maskOp('/proc/gone', 'dev-null', ['MS_RDONLY'], added),
      maskOp('/proc/acpi', 'dev-null', ['MS_RDONLY'], added),
    ]);
    const { failure, events } = run(sys, p);
    assert.equal(failure, undefined);
    const after = head.length + 1; // past the pivot
    assert.match(events[after].message ?? '', /skipped/);
    assert.match(events[after + 1].message ?? '', /nothing to mask/);
    assert.ok(
      sys.calls.includes(`mount tmpfs fd:${R}/proc/acpi tmpfs MS_RDONLY NULL`),
      sys.calls.join('\n'),
    );
  });

  it('refuses to mask with a /dev/null that is not the null device (CVE-2025-31133)', () => {
    const sys = host();
    sys.add(`${R}/proc/kcore`, 'file');
    sys.add(`${R}/dev/null`, 'file');
    const { failure } = run(
      sys,
      plan([
        ...head,
        { op: 'pivot-root', rootfs: R, origin: added },
        maskOp('/proc/kcore', 'dev-null', ['MS_RDONLY'], added),
      ]),
    );
    assert.ok(failure);
    assert.match(failure.message, /not the null device/);
  });

  it('masks each file with the one /dev/null it checked, and leaves no fd open', () => {
    const sys = host();
    sys.add(`${R}/proc/kcore`, 'file');
    sys.add(`${R}/proc/keys`, 'file');
    sys.add(`${R}/dev/null`, { chr: (1 << 8) | 3 });
    const { failure } = run(
      sys,
      plan([
        ...head,
        { op: 'pivot-root', rootfs: R, origin: added },
        maskOp('/proc/kcore', 'dev-null', ['MS_RDONLY'], added),
        maskOp('/proc/keys', 'dev-null', ['MS_RDONLY'], added),
      ]),
    );
    assert.equal(failure, undefined);
    const binds = sys.calls.filter((c) => c.endsWith('NULL MS_BIND NULL'));
    assert.deepEqual(binds, [
      `mount fd:${R}/dev/null fd:${R}/proc/kcore NULL MS_BIND NULL`,
      `mount fd:${R}/dev/null fd:${R}/proc/keys NULL MS_BIND NULL`,
    ]);
    assert.equal(sys.openFds(), 0);
  });

  it('keeps the content of a directory a tmpfs covers when tmpcopyup asks', () => {
    const sys = host();
    sys.add(`${R}/etc/conf.d/a`, 'file');
    const { failure } = run(
      sys,
      plan([
        ...head,
        mount({ source: 'tmpfs', target: '/etc', fstype: 'tmpfs' }),
        { op: 'copyup', path: '/etc', origin: added },
      ]),
    );
    assert.equal(failure, undefined);
    assert.deepEqual(sys.calls.slice(2), [
      `mount tmpfs fd:${R}/etc tmpfs 0 NULL`,
      `copy fd:${R}/etc fd:${R}/etc`,
    ]);
    assert.equal(sys.openFds(), 0);
  });
});

describe('setupRootfs: a tmpfs over an existing directory', () => {
  it('puts mode= of that directory first, so a mode= of the spec still wins (runc)', () => {
    const sys = host();
    sys.add(`${R}/data`, 'dir');
    sys.files.get(`${R}/data`)!.mode = 0o040711;
    const { failure } = run(
      sys,
      plan([
        ...head,
        mount({
          source: 'tmpfs',
          target: '/data',
          fstype: 'tmpfs',
          data: 'size=1m',
          keepTargetMode: true,
        }),
      ]),
    );
    assert.equal(failure, undefined);
    assert.equal(sys.calls.at(-1), `mount tmpfs fd:${R}/data tmpfs 0 mode=711,size=1m`);
  });
});

describe('operation events', () => {
  it('carry the operation and its text from the plan the launcher holds, for the index the init names', () => {
    const p = plan(head);
    const e = operationEvent('c1', p, { index: 1, ok: false, errno: 'ENOENT', message: 'm', hint: 'h' });
    assert.deepEqual(e, {
      id: 'c1',
      index: 1,
      operation: p.operations[1],
      text: renderOperation(p.operations[1]),
      ok: false,
      errno: 'ENOENT',
      message: 'm',
      hint: 'h',
    });
  });

  it('are refused for an index the plan does not have', () => {
    const p = plan(head);
    for (const index of [-1, p.operations.length, 0.5, Number.NaN])
      assert.equal(operationEvent('c1', p, { index, ok: true }), undefined, String(index));
  });
});
