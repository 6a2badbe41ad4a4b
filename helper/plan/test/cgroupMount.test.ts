import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBundle } from '../src';
import { renderOperation } from '../src/render';
import { runcMount } from '../../test/baseSpec';
import { fakeHost, type FakeTree } from './fakeHost';

const hybrid: FakeTree = {
  '/b/rootfs': 'dir',
  '/sys/fs/cgroup/cpu,cpuacct': 'dir',
  '/sys/fs/cgroup/cpu': { symlink: 'cpu,cpuacct' },
  '/sys/fs/cgroup/cpuacct': { symlink: 'cpu,cpuacct' },
  '/sys/fs/cgroup/memory': 'dir',
  '/sys/fs/cgroup/systemd': 'dir',
  '/sys/fs/cgroup/unified': 'dir',
};
const unified: FakeTree = { '/b/rootfs': 'dir', '/sys/fs/cgroup/cgroup.controllers': 'file' };

function cgroupLines(tree: FakeTree, namespaces: string[]) {
  const spec = {
    ociVersion: '1.2.0',
    root: { path: 'rootfs' },
    mounts: [runcMount('/sys/fs/cgroup')],
    linux: { namespaces: namespaces.map((type) => ({ type })) },
  };
  const plan = planBundle({ text: JSON.stringify(spec), bundleDir: '/b', host: fakeHost(tree) });
  return plan.operations
    .filter((o) => o.origin.kind === 'spec' && o.origin.mountIndex === 0)
    .map(renderOperation);
}

describe('cgroup mounts', () => {
  it('mounts cgroup2 on a cgroup v2 host', () => {
    assert.deepEqual(cgroupLines(unified, ['mount', 'cgroup']), [
      'mkdir("/sys/fs/cgroup", 0755)',
      'mount("cgroup", "/sys/fs/cgroup", "cgroup2", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_RELATIME, NULL)',
    ]);
  });

  it('builds the v1 tree per hierarchy inside a cgroup namespace, leaving out the hybrid cgroup2 part', () => {
    assert.deepEqual(cgroupLines(hybrid, ['mount', 'cgroup']), [
      'mkdir("/sys/fs/cgroup", 0755)',
      'mount("tmpfs", "/sys/fs/cgroup", "tmpfs", MS_NOSUID|MS_NODEV|MS_NOEXEC, "mode=755")',
      'mkdir("/sys/fs/cgroup/cpu,cpuacct", 0755)',
      'mount("cgroup", "/sys/fs/cgroup/cpu,cpuacct", "cgroup", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, "cpu,cpuacct")',
      'mkdir("/sys/fs/cgroup/memory", 0755)',
      'mount("cgroup", "/sys/fs/cgroup/memory", "cgroup", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, "memory")',
      'mkdir("/sys/fs/cgroup/systemd", 0755)',
      'mount("systemd", "/sys/fs/cgroup/systemd", "cgroup", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC, "name=systemd")',
      'symlink("cpu,cpuacct", "/sys/fs/cgroup/cpu")',
      'symlink("cpu,cpuacct", "/sys/fs/cgroup/cpuacct")',
      // No read-only remount of the tmpfs: runc leaves it writable and the hierarchies ro.
    ]);
  });

  it("binds the container's own cgroup of each hierarchy without a cgroup namespace", () => {
    const lines = cgroupLines(hybrid, ['mount']);
    assert.ok(
      lines.includes(
        'mount("/sys/fs/cgroup/memory/<container-id>", "/sys/fs/cgroup/memory", NULL, MS_BIND|MS_REC, NULL)',
      ),
      lines.join('\n'),
    );
    assert.ok(
      lines.includes(
        'mount(NULL, "/sys/fs/cgroup/memory", NULL, MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_REMOUNT|MS_BIND|MS_RELATIME, NULL)',
      ),
    );
  });

  it('mounts as written when the host tells nothing (an editor on another system)', () => {
    assert.deepEqual(cgroupLines({ '/b/rootfs': 'dir' }, ['mount', 'cgroup']), [
      'mkdir("/sys/fs/cgroup", 0755)',
      'mount("cgroup", "/sys/fs/cgroup", "cgroup", MS_RDONLY|MS_NOSUID|MS_NODEV|MS_NOEXEC|MS_RELATIME, NULL)',
    ]);
  });
});
