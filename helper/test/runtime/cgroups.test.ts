// The launcher's cgroup step on a directory tree standing in for /sys/fs/cgroup.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import type { CgroupOp } from '@bindery/plan';
import { createCgroups, removeCgroups } from '../../src/runtime/cgroups';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-cgroups-'));
after(() => fs.rmSync(root, { recursive: true, force: true }));

function hierarchy(name: string, files: Record<string, string> = {}): string {
  const mount = path.join(root, name);
  fs.mkdirSync(mount, { recursive: true });
  for (const [f, v] of Object.entries(files)) fs.writeFileSync(path.join(mount, f), v);
  return mount;
}

describe('createCgroups / removeCgroups', () => {
  it('makes the missing directories, joins the pid, writes the limits, and removes only what it made', async () => {
    const pids = hierarchy('pids');
    const cpuset = hierarchy('cpuset', { 'cpuset.cpus': '0-1\n', 'cpuset.mems': '0\n' });
    fs.mkdirSync(path.join(pids, 'existing'));
    const op: CgroupOp = {
      op: 'cgroup',
      hierarchies: [
        { mount: pids, name: 'pids', path: '/existing/c1', v2: false },
        { mount: cpuset, name: 'cpuset', path: '/c1', v2: false },
      ],
      writes: [
        {
          file: path.join(pids, 'existing/c1/pids.max'),
          value: '64',
          origin: { kind: 'added', reason: '' },
        },
      ],
      origin: { kind: 'added', reason: '' },
    };
    // A real cpuset cgroup starts with empty cpus and mems: the fake one does once created.
    const r = createCgroups(op, 4242);
    assert.ok(r.ok, JSON.stringify(r));
    assert.deepEqual(r.made, [path.join(pids, 'existing/c1'), path.join(cpuset, 'c1')]);
    assert.equal(fs.readFileSync(path.join(pids, 'existing/c1/cgroup.procs'), 'utf8'), '4242');
    assert.equal(fs.readFileSync(path.join(pids, 'existing/c1/pids.max'), 'utf8'), '64');
    // A plain directory is not a cgroup: empty it as the kernel would at rmdir.
    for (const d of r.made) for (const f of fs.readdirSync(d)) fs.rmSync(path.join(d, f));
    assert.deepEqual(await removeCgroups(r.made), []);
    assert.ok(fs.existsSync(path.join(pids, 'existing')), 'a directory it did not make stays');
    assert.ok(!fs.existsSync(path.join(pids, 'existing/c1')));
  });

  it('copies the parent cpuset into an empty new one, and says which write the kernel refused', () => {
    const cpuset = hierarchy('cpuset2', { 'cpuset.cpus': '0-3\n', 'cpuset.mems': '0\n' });
    fs.mkdirSync(path.join(cpuset, 'c2'));
    fs.writeFileSync(path.join(cpuset, 'c2', 'cpuset.cpus'), '');
    fs.writeFileSync(path.join(cpuset, 'c2', 'cpuset.mems'), '');
    const op: CgroupOp = {
      op: 'cgroup',
      hierarchies: [{ mount: cpuset, name: 'cpuset', path: '/c2', v2: false }],
      writes: [
        {
          file: path.join(cpuset, 'c2', 'no-such-dir', 'x'),
          value: '1',
          origin: { kind: 'added', reason: '' },
        },
      ],
      origin: { kind: 'added', reason: '' },
    };
    const r = createCgroups(op, 1);
    assert.equal(fs.readFileSync(path.join(cpuset, 'c2', 'cpuset.cpus'), 'utf8'), '0-3');
    assert.equal(r.ok, false);
    assert.match(!r.ok ? r.message : '', /^ENOENT: the kernel refused x in /);
  });

  it('never leaves the hierarchy', () => {
    const pids = hierarchy('pids3');
    const op: CgroupOp = {
      op: 'cgroup',
      hierarchies: [{ mount: pids, name: 'pids', path: '/../../etc', v2: false }],
      writes: [],
      origin: { kind: 'added', reason: '' },
    };
    const r = createCgroups(op, 1);
    assert.ok(r.ok);
    assert.deepEqual(r.made, [path.join(pids, 'etc')]);
  });
});
