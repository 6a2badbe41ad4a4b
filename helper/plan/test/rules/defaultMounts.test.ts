import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ROOTFS, applyFix, check, rangeOf, spec, usualHost } from './harness';

describe('default-mount-missing (rule 21)', () => {
  it('reports each missing default on the mounts key, with one fix per mount and one for all', () => {
    const text = spec(
      (s) =>
        (s.mounts = s.mounts.filter(
          (m: { destination: string }) => m.destination === '/dev' || m.destination === '/tmp',
        )),
    );
    const c = check(text);
    const found = c.byCode('default-mount-missing');
    assert.deepEqual(
      found.map((f) => f.message.split(' ')[0]),
      ['/proc', '/sys', '/dev/pts', '/dev/shm'],
    );
    for (const f of found) {
      assert.equal(f.severity, 'information');
      assert.deepEqual(f.range, rangeOf(text, '"mounts"'));
    }
    assert.match(
      found[0].message,
      /the plan adds the runtime's default \(proc, nosuid,noexec,nodev\)/,
    );
    const one = JSON.parse(applyFix(c, found[2]));
    assert.deepEqual(
      one.mounts.map((m: { destination: string }) => m.destination),
      ['/dev', '/tmp', '/dev/pts'],
    );
    assert.deepEqual(one.mounts[2].options, [
      'nosuid',
      'noexec',
      'newinstance',
      'ptmxmode=0666',
      'mode=0620',
      'gid=5',
    ]);
    const fixed = applyFix(c, found[0], 'Add the missing');
    assert.deepEqual(
      JSON.parse(fixed).mounts.map((m: { destination: string }) => m.destination),
      ['/dev', '/tmp', '/proc', '/sys', '/dev/pts', '/dev/shm'],
    );
    assert.ok(
      fixed.includes('    },\n    {\n      "destination": "/proc",\n      "type": "proc",\n'),
      fixed,
    );
    const after = check(fixed);
    assert.deepEqual(after.byCode('default-mount-missing'), []);
    assert.deepEqual(
      after.findings.filter((f) => f.severity !== 'information' && f.severity !== 'hint'),
      [],
    );
  });

  it('inserts a parent before the mounts below it', () => {
    const text = spec((s) => {
      s.mounts.splice(4, 1);
      s.mounts.push({ destination: '/sys/fs/cgroup', type: 'cgroup2', source: 'cgroup2' });
      s.linux.namespaces.push({ type: 'cgroup' });
    });
    const c = check(text);
    const fixed = JSON.parse(applyFix(c, c.one('default-mount-missing')));
    const dests = fixed.mounts.map((m: { destination: string }) => m.destination);
    assert.ok(dests.indexOf('/sys') < dests.indexOf('/sys/fs/cgroup'), dests.join());
  });

  it("creates mounts when the spec has none, in the document's tab indentation", () => {
    const text = '{\n\t"ociVersion": "1.2.0",\n\t"root": {\n\t\t"path": "rootfs"\n\t}\n}\n';
    const c = check(text);
    const found = c.byCode('default-mount-missing');
    assert.equal(found.length, 4);
    assert.deepEqual(found[0].range, rangeOf(text, '"ociVersion"'));
    const fixed = applyFix(c, found[0], 'Add the missing');
    assert.ok(
      fixed.startsWith(
        '{\n\t"ociVersion": "1.2.0",\n\t"root": {\n\t\t"path": "rootfs"\n\t},\n\t"mounts": [\n\t\t{\n\t\t\t"destination": "/proc",',
      ),
      fixed,
    );
    assert.equal(JSON.parse(fixed).mounts.length, 4);
  });

  it('binds /sys instead of mounting sysfs in a user namespace without a network namespace', () => {
    const text = spec((s) => {
      s.mounts.splice(4, 1);
      s.linux.namespaces = [{ type: 'pid' }, { type: 'mount' }, { type: 'uts' }, { type: 'user' }];
      s.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      s.mounts[2].options = ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'];
    });
    const c = check(text);
    const fixed = JSON.parse(applyFix(c, c.one('default-mount-missing')));
    assert.deepEqual(fixed.mounts.at(-1), {
      destination: '/sys',
      type: 'none',
      source: '/sys',
      options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
    });
  });

  it('leaves /dev/pts and /dev/shm alone when /dev is bound from the host', () => {
    const text = spec((s) => {
      s.mounts = s.mounts.filter((m: { destination: string }) => !m.destination.startsWith('/dev'));
      s.mounts.push({ destination: '/dev', type: 'bind', source: '/dev', options: ['rbind'] });
    });
    const c = check(text, usualHost(['/dev/']));
    assert.deepEqual(c.byCode('default-mount-missing'), []);
  });

  it('is quiet when all four are mounted', () => {
    assert.deepEqual(check(spec()).byCode('default-mount-missing'), []);
  });
});

describe('tmp-not-mounted', () => {
  const noTmp = () => spec((s) => s.mounts.pop());
  it('offers a tmpfs when /tmp is not mounted and empty in the image, and says runc does not add one', () => {
    const text = noTmp();
    const c = check(text);
    const f = c.one('tmp-not-mounted');
    assert.equal(f.severity, 'information');
    assert.match(f.message, /gVisor would mount a tmpfs there, runc and crun do not/);
    assert.deepEqual(f.range, rangeOf(text, '"mounts"'));
    const fixed = applyFix(c, f);
    assert.deepEqual(JSON.parse(fixed).mounts.at(-1), {
      destination: '/tmp',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'nodev', 'mode=1777'],
    });
    assert.deepEqual(check(fixed).byCode('tmp-not-mounted'), []);
  });

  it('mentions a read-only root', () => {
    const f = check(
      spec((s) => {
        s.mounts.pop();
        s.root.readonly = true;
      }),
    ).one('tmp-not-mounted');
    assert.match(f.message, /read-only because root\.readonly is true/);
  });

  it('is quiet when the image has files in /tmp, or /tmp is mounted', () => {
    assert.deepEqual(
      check(noTmp(), usualHost([`${ROOTFS}/tmp/keep`])).byCode('tmp-not-mounted'),
      [],
    );
    assert.deepEqual(check(spec()).byCode('tmp-not-mounted'), []);
  });
});
