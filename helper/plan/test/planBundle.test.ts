import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec, planBundle } from '../src';
import { renderOperation } from '../src/render';
import type { MountOp, Operation, Plan } from '../src/types';
import { runcMounts } from '../../test/baseSpec';
import { fakeHost } from './fakeHost';

const host = fakeHost({
  '/b/rootfs/etc': 'dir',
  '/srv/data': 'dir',
  '/srv/app.conf': 'file',
  '/b/certs': 'dir',
});

function plan(spec: unknown, extra: Partial<Parameters<typeof planBundle>[0]> = {}): Plan {
  return planBundle({
    text: typeof spec === 'string' ? spec : JSON.stringify(spec, null, 2),
    bundleDir: '/b',
    host,
    ...extra,
  });
}
const lines = (ops: Operation[]) => ops.map(renderOperation);
const mountsAt = (p: Plan, target: string) =>
  p.operations.filter((o): o is MountOp => o.op === 'mount' && o.target === target);

const typical = {
  ociVersion: '1.2.0',
  root: { path: 'rootfs' },
  hostname: 'box',
  mounts: [
    ...runcMounts('/proc', '/dev'),
    {
      destination: '/data',
      type: 'bind',
      source: '/srv/data',
      options: ['rbind', 'ro', 'rprivate'],
    },
    { destination: '/etc/app.conf', source: '/srv/app.conf', options: ['bind', 'nosuid'] },
    { destination: '/certs', source: 'certs', options: ['rbind', 'rro'] },
  ],
  linux: {
    namespaces: [{ type: 'mount' }, { type: 'uts' }, { type: 'pid' }],
    maskedPaths: ['/proc/kcore', '/proc/acpi'],
    readonlyPaths: ['/proc/sys'],
  },
};

describe('planBundle', () => {
  it('orders the operations the way runc performs them', () => {
    const p = plan(typical);
    const ops = p.operations;
    assert.deepEqual(lines(ops.slice(0, 3)), [
      'mount(NULL, "/", NULL, MS_REC|MS_PRIVATE, NULL)',
      'mount(NULL, <mount holding "/b/rootfs">, NULL, MS_PRIVATE, NULL) when it is shared',
      'mount("/b/rootfs", "/b/rootfs", NULL, MS_BIND|MS_REC, NULL)',
    ]);
    const data = ops.filter((o) =>
      'target' in o ? o.target === '/data' : 'path' in o && o.path === '/data',
    );
    assert.deepEqual(lines(data), [
      'mkdir("/data", 0755)',
      'mount("/srv/data", "/data", NULL, MS_BIND|MS_REC, NULL)',
      'mount(NULL, "/data", NULL, MS_REC|MS_PRIVATE, NULL)',
      'mount(NULL, "/data", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND, NULL)',
    ]);
    assert.deepEqual(
      lines(ops.filter((o) => o.origin.kind === 'spec' && o.origin.mountIndex === 4)),
      [
        'mkdir("/certs", 0755)',
        'mount("/b/certs", "/certs", NULL, MS_BIND|MS_REC, NULL)',
        'mount_setattr("/certs", AT_RECURSIVE, {attr_set: MOUNT_ATTR_RDONLY})',
      ],
    );
    const kinds: string[] = ops.map((o) => o.op);
    const idx = (k: string) => kinds.indexOf(k);
    assert.ok(idx('pivot-root') > kinds.lastIndexOf('mknod'), 'devices before pivot_root');
    assert.ok(idx('sethostname') > idx('pivot-root'));
    assert.ok(idx('readonly-path') > idx('sethostname'));
    assert.ok(
      idx('mask') > kinds.lastIndexOf('readonly-path'),
      'masks after read-only paths, as runc',
    );
  });

  it('lands a bind of a regular file on a file it creates', () => {
    const p = plan(typical);
    const i = p.operations.findIndex((o) => o.op === 'mkfile' && o.path === '/etc/app.conf');
    assert.ok(i >= 0);
    assert.equal(
      renderOperation(p.operations[i + 1]),
      'mount("/srv/app.conf", "/etc/app.conf", NULL, MS_BIND, NULL)',
    );
    assert.equal(
      renderOperation(p.operations[i + 2]),
      'mount(NULL, "/etc/app.conf", NULL, MS_NOSUID|MS_REMOUNT|MS_BIND, NULL)',
    );
  });

  it('adds the missing system mounts, each after its parent, marked added with a reason', () => {
    const p = plan(typical);
    const order = p.mounts.map((m) => `${m.index === null ? '+' : m.index}${m.destination}`);
    assert.deepEqual(order, [
      '+/sys',
      '0/proc',
      '1/dev',
      '+/dev/pts',
      '+/dev/shm',
      '+/dev/mqueue',
      '2/data',
      '3/etc/app.conf',
      '4/certs',
      '+/etc/hosts',
      '+/etc/hostname',
      '+/etc/resolv.conf',
    ]);
    for (const m of p.mounts.filter((x) => x.index === null)) {
      assert.equal(m.origin.kind, 'added');
      if (m.origin.kind === 'added')
        assert.match(m.origin.reason, new RegExp(m.destination.replace(/\//g, '\\/')));
    }
    const shm = mountsAt(p, '/dev/shm')[0];
    assert.equal(
      renderOperation(shm),
      'mount("shm", "/dev/shm", "tmpfs", MS_NOSUID|MS_NODEV|MS_NOEXEC, "mode=1777,size=65536k")',
    );
    assert.equal(
      renderOperation(mountsAt(p, '/dev/pts')[0]),
      'mount("devpts", "/dev/pts", "devpts", MS_NOSUID|MS_NOEXEC, "newinstance,ptmxmode=0666,mode=0620,gid=5")',
    );
    assert.ok(!p.mounts.some((m) => m.destination === '/tmp'), 'never adds /tmp');
  });

  it('puts added system mounts first when the spec has none of them', () => {
    const p = plan({
      ociVersion: '1.2.0',
      root: { path: 'rootfs' },
      mounts: [{ destination: '/data', source: '/srv/data', options: ['bind'] }],
    });
    assert.deepEqual(
      p.mounts.map((m) => m.destination),
      [
        '/proc',
        '/dev',
        '/dev/pts',
        '/dev/shm',
        '/dev/mqueue',
        '/sys',
        '/data',
        '/etc/hosts',
        '/etc/hostname',
        '/etc/resolv.conf',
      ],
    );
  });

  it('writes network files into the state directory and binds them, read-only with a read-only root', () => {
    const p = plan(
      { ...typical, root: { path: 'rootfs', readonly: true } },
      { stateDir: '/run/bindery/c1' },
    );
    const hostsOps = p.operations.filter(
      (o) =>
        (o.op === 'write-network-file' && o.file === 'hosts') ||
        ('target' in o && o.target === '/etc/hosts') ||
        ('path' in o && o.path === '/etc/hosts'),
    );
    assert.deepEqual(lines(hostsOps), [
      'write_file("/run/bindery/c1/hosts")',
      'open("/etc/hosts", O_CREAT|O_CLOEXEC, 0755)',
      'mount("/run/bindery/c1/hosts", "/etc/hosts", NULL, MS_BIND|MS_REC, NULL)',
      'mount(NULL, "/etc/hosts", NULL, MS_REC|MS_PRIVATE, NULL)',
      'mount(NULL, "/etc/hosts", NULL, MS_RDONLY|MS_REMOUNT|MS_BIND, NULL)',
    ]);
    const writable = plan(typical, { stateDir: '/run/bindery/c1' });
    assert.equal(
      mountsAt(writable, '/etc/hosts').length,
      2,
      'no read-only remount for a writable root',
    );
  });

  it('does not add what the spec mounts itself', () => {
    const spec = {
      ...typical,
      mounts: [
        ...typical.mounts,
        { destination: '/etc/resolv.conf', source: '/srv/app.conf', options: ['bind', 'ro'] },
      ],
    };
    const p = plan(spec);
    const resolv = p.mounts.filter((m) => m.destination === '/etc/resolv.conf');
    assert.equal(resolv.length, 1);
    assert.equal(resolv[0].index, 5);
    assert.ok(!p.operations.some((o) => o.op === 'write-network-file' && o.file === 'resolv.conf'));
  });

  it('leaves /dev alone when the spec binds it from the host', () => {
    const p = plan({
      ...typical,
      mounts: [{ destination: '/dev', source: '/dev', options: ['rbind'] }],
    });
    assert.ok(!p.mounts.some((m) => m.destination.startsWith('/dev/')));
    assert.ok(!p.operations.some((o) => o.op === 'mknod' || o.op === 'symlink'));
  });

  it('binds devices instead of mknod in a user namespace, and drops gid=5 when it is not mapped', () => {
    const p = plan({
      ...typical,
      linux: {
        namespaces: [{ type: 'user' }, { type: 'mount' }],
        uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
        gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
      },
    });
    assert.ok(!p.operations.some((o) => o.op === 'mknod'));
    assert.ok(
      mountsAt(p, '/dev/null').some((o) => o.source === '/dev/null' && o.flags.includes('MS_BIND')),
    );
    assert.ok(!p.mounts.find((m) => m.destination === '/dev/pts')!.data.includes('gid=5'));
    assert.equal(
      p.mounts.find((m) => m.destination === '/sys')!.bind,
      true,
      'sysfs needs a network namespace; the host /sys is bound',
    );
  });

  it('uses the spec rootfsPropagation and keeps its range', () => {
    const p = plan({
      ...typical,
      linux: { namespaces: [{ type: 'mount' }], rootfsPropagation: 'rslave' },
    });
    const first = p.operations[0] as MountOp;
    assert.deepEqual(first.flags, ['MS_REC', 'MS_SLAVE']);
    assert.equal(first.origin.kind, 'spec');
  });

  it("without a mount namespace: the rootfs bind, the mounts and a chroot; nothing changes the host's propagation", () => {
    const process = { args: ['/bin/sh'], cwd: '/', user: { uid: 0, gid: 0 } };
    const p = plan({
      ...typical,
      process,
      hostname: undefined,
      linux: { namespaces: [{ type: 'pid' }], rootfsPropagation: 'rshared' },
    });
    assert.deepEqual(
      p.findings.filter((f) => f.severity === 'error'),
      [],
    );
    const kinds = p.operations.map((o) => o.op);
    assert.equal(p.launch?.namespaces.hostMount, true);
    assert.ok(!kinds.includes('pivot-root'));
    assert.ok(!kinds.includes('rootfs-parent-private'));
    const mounts = p.operations.filter((o): o is MountOp => o.op === 'mount');
    assert.ok(
      !mounts.some(
        (m) =>
          m.flags.some((f) => ['MS_PRIVATE', 'MS_SLAVE', 'MS_SHARED'].includes(f)) &&
          m.target === '/',
      ),
      'no propagation change of /',
    );
    assert.deepEqual(mounts[0].flags, ['MS_BIND', 'MS_REC'], 'the rootfs bound onto itself first');
    const chroot = kinds.indexOf('chroot');
    assert.ok(chroot > kinds.lastIndexOf('mknod'), 'devices before the chroot');
    assert.match(renderOperation(p.operations[chroot]), /chroot\("\."\)/);
  });

  it('carries the source range of the spec entry on every operation of a mount', () => {
    const text = JSON.stringify(typical, null, 2);
    const p = plan(text);
    const op = mountsAt(p, '/data')[0];
    assert.equal(op.origin.kind, 'spec');
    if (op.origin.kind !== 'spec') return;
    assert.deepEqual(op.origin.path, ['mounts', 2]);
    assert.equal(op.origin.mountIndex, 2);
    const startLine = text.split('\n').findIndex((l) => l.includes('"/data"')) - 1;
    assert.equal(op.origin.range.start.line, startLine, 'range starts at the "{" of mounts[2]');
  });

  it('keeps planning when the JSON is broken', () => {
    const text = JSON.stringify(typical, null, 2)
      .replace('"hostname": "box",', '"hostname": "box"')
      .replace('"/certs"', '"/certs",,');
    const p = plan(text);
    assert.ok(p.findings.some((f) => f.code === 'invalid-json' && f.severity === 'error'));
    assert.ok(mountsAt(p, '/data').length > 0, 'the readable mounts are still planned');
  });

  it('never throws on wrong types anywhere', () => {
    const weird = [
      '',
      'null',
      '[]',
      '42',
      '{',
      '{"mounts": 3}',
      '{"mounts": [null, 1, "x", {"destination": 5}]}',
      '{"root": 1, "linux": {"namespaces": "x", "maskedPaths": [1, null], "readonlyPaths": {}, "devices": [1, {"path": 2}]}}',
      '{"mounts": [{"destination": "/a", "options": "ro"}], "hostname": 1, "root": {"path": 1, "readonly": "yes"}}',
      '{"linux": {"rootfsPropagation": 5, "gidMappings": "x"}, "mounts": [{"destination": "/d", "source": 1, "options": ["bind", 1]}]}',
    ];
    for (const text of weird) {
      const p = planBundle({ text, bundleDir: '/b', host });
      assert.ok(Array.isArray(p.operations) && Array.isArray(p.findings), text);
    }
    assert.deepEqual(planBundle({ text: '', bundleDir: '/b', host }).operations, []);
  });

  it('sorts findings by position', () => {
    const p = plan('{\n  // a\n  "x": 1,\n  /* b */\n}');
    const starts = p.findings.map((f) => f.range.start.line * 1000 + f.range.start.character);
    assert.deepEqual(
      starts,
      [...starts].sort((a, b) => a - b),
    );
    assert.ok(p.findings.length >= 2);
  });
});

describe('a document parsed by the caller', () => {
  it('is planned from as from its text (the language server parses once per change)', () => {
    const text = JSON.stringify({ ...typical, hostname: 7 }, null, 2);
    const document = parseSpec(text, 'config.json');
    assert.deepEqual(plan(text, { document }), plan(text));
  });

  it('is ignored when it is the parse of another text or file name', () => {
    const text = JSON.stringify(typical, null, 2);
    const stale = parseSpec(JSON.stringify({ ...typical, hostname: 7 }), 'config.json');
    const other = parseSpec(text, 'other.json');
    assert.deepEqual(plan(text, { document: stale }), plan(text));
    assert.deepEqual(plan(text, { document: other }), plan(text));
  });
});
