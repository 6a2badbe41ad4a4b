// Id-mapped binds launched for real (root): what the process sees of files the host owns,
// through `idmap` (the container's mapping), the mount's own uidMappings/gidMappings, and a
// plain bind for contrast; and what lands on the host when the container writes there.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { runcMounts } from '../baseSpec';
import { cleanupTemp, makeBundle, needsRoot, runToEnd, tempDir } from './rootHarness';

const HOST_ROOT = 200000;
const MAP = [{ containerID: 0, hostID: HOST_ROOT, size: 65536 }];
/** On-disk uid/gid 1000 appears as host id 200005: in the container above, as 5. */
const MOUNT_MAP = [{ containerID: 1000, hostID: HOST_ROOT + 5, size: 1 }];

/** A host directory with a file of uid/gid 1000 and one of root's, reachable by the mapped root. */
function hostData(): string {
  const dir = tempDir('idmap-src');
  fs.chmodSync(dir, 0o777);
  fs.writeFileSync(path.join(dir, 'user-file'), 'u\n');
  fs.chownSync(path.join(dir, 'user-file'), 1000, 1000);
  fs.writeFileSync(path.join(dir, 'root-file'), 'r\n');
  return dir;
}

function prepare(rootfs: string, owner?: number): void {
  fs.symlinkSync('busybox', path.join(rootfs, 'bin', 'stat'));
  for (const d of ['idm', 'own', 'plain']) fs.mkdirSync(path.join(rootfs, d));
  if (owner !== undefined) {
    execFileSync('chown', ['-R', '--no-dereference', `${owner}:${owner}`, rootfs]);
    fs.chmodSync(path.dirname(rootfs), 0o711);
  }
}

const bind = (destination: string, source: string, options: string[], extra: object = {}) => ({
  destination,
  type: 'bind',
  source,
  options,
  ...extra,
});

const SHOW = 'for d in idm own plain; do for f in user-file root-file; do [ -e /$d/$f ] && echo "$d/$f $(stat -c %u:%g /$d/$f)"; done; done';

describe('id-mapped binds (root)', () => {
  after(cleanupTemp);

  it('in a user namespace: idmap shows the host’s files with the container’s mapping, a mount’s own mapping its own, a plain bind nobody', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const src = hostData();
    const stateRoot = tempDir('state');
    fs.chmodSync(stateRoot, 0o711);
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', `${SHOW}; touch /idm/made-inside`],
      namespaces: ['pid', 'mount', 'ipc', 'uts', 'network', 'user'],
      mounts: [
        ...runcMounts('/proc', '/dev'),
        bind('/idm', src, ['rbind', 'idmap']),
        bind('/own', src, ['bind', 'ro'], { uidMappings: MOUNT_MAP, gidMappings: MOUNT_MAP }),
        bind('/plain', src, ['rbind']),
      ],
      extra: { linux: { uidMappings: MAP, gidMappings: MAP } },
      prepare: (rootfs) => prepare(rootfs, HOST_ROOT),
    });
    const r = await runToEnd(bundle, stateRoot, 'idmap-userns');
    assert.equal(r.exit.exitCode, 0, r.stderr + r.stdout);
    assert.deepEqual(r.stdout.trim().split('\n'), [
      'idm/user-file 1000:1000', // on disk 1000 → host 201000 → 1000 inside
      'idm/root-file 0:0',
      'own/user-file 5:5', // on disk 1000 → host 200005 → 5 inside
      'own/root-file 65534:65534', // outside the mount's mapping
      'plain/user-file 65534:65534', // host 1000 is not mapped in the container
      'plain/root-file 65534:65534',
    ]);
    // The container's root writes as its mapped id 200000, which the mount maps back to 0.
    const made = fs.statSync(path.join(src, 'made-inside'));
    assert.deepEqual([made.uid, made.gid], [0, 0]);
    const launched = r.operations.filter((e) => e.ok && /^open_tree/.test(e.text));
    assert.equal(launched.length, 2, 'both id-mapped binds ran as open_tree/mount_setattr/move_mount');
  });

  it('without a user namespace: the mount’s own mapping is what the process sees', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const src = hostData();
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', `${SHOW}; true`],
      namespaces: ['pid', 'mount', 'ipc', 'uts', 'network'],
      mounts: [...runcMounts('/proc', '/dev'), bind('/own', src, ['rbind'], { uidMappings: MOUNT_MAP, gidMappings: MOUNT_MAP })],
      prepare: (rootfs) => prepare(rootfs),
    });
    const r = await runToEnd(bundle, tempDir('state'), 'idmap-host');
    assert.equal(r.exit.exitCode, 0, r.stderr + r.stdout);
    assert.deepEqual(r.stdout.trim().split('\n'), [`own/user-file ${HOST_ROOT + 5}:${HOST_ROOT + 5}`, 'own/root-file 65534:65534']);
  });
});
