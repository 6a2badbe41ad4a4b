import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { Hover, MarkupContent } from 'vscode-languageserver';
import { spec, STANDARD_MOUNTS } from './bundle';
import { clientWithBundle } from './clientWithBundle';
import { positionOf } from './lspHarness';

const text = spec([
  ...STANDARD_MOUNTS,
  {
    destination: '/data',
    type: 'bind',
    source: '/srv/data',
    options: ['rbind', 'rprivate', 'ro', 'rnosuid'],
  },
]);

function markdown(h: Hover | null): string {
  assert.ok(h, 'expected a hover');
  return (h.contents as MarkupContent).value;
}

describe('hover', () => {
  const lsp = clientWithBundle();
  before(async () => {
    await lsp.client.openAndValidate(lsp.bundle.uri, text, 'json');
  });

  it('on a mount destination: the exact calls the helper makes for that entry, and only those', async () => {
    const md = markdown(await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"/dev/shm"', 3)));
    assert.match(md, /mounts\[3\]/);
    assert.ok(
      md.includes(
        'mount("shm", "/dev/shm", "tmpfs", MS_NOSUID|MS_NODEV|MS_NOEXEC, "mode=1777,size=65536k")',
      ),
      md,
    );
    assert.ok(!md.includes('"/dev/pts"'), md);
  });

  it('on a bind entry: the bind, the propagation change and the read-only remount', async () => {
    const md = markdown(await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"/data"', 2)));
    assert.ok(md.includes('mount("/srv/data", "/data", NULL, MS_BIND|MS_REC, NULL)'), md);
    assert.ok(md.includes('MS_REC|MS_PRIVATE'), md);
    assert.match(md, /MS_REMOUNT/);
    assert.match(md, /MS_RDONLY/);
    assert.match(md, /mount_setattr\("\/data", AT_RECURSIVE/);
  });

  it('on an option: what it does and the flag behind it', async () => {
    const md = markdown(await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"nosuid"', 2)));
    assert.match(md, /sets `MS_NOSUID`/);
    const rro = markdown(await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"rnosuid"', 2)));
    assert.match(rro, /mount_setattr/);
    assert.match(rro, /MOUNT_ATTR_NOSUID/);
    assert.match(rro, /runc: bind mounts only/);
    const prop = markdown(
      await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"rprivate"', 2)),
    );
    assert.match(prop, /MS_REC\|MS_PRIVATE/);
  });

  it('on a data option: its meaning for this mount type', async () => {
    const md = markdown(
      await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"size=65536k"', 2)),
    );
    assert.match(md, /filesystem data/);
    assert.match(md, /Size limit/);
    const pts = markdown(
      await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"ptmxmode=0666"', 2)),
    );
    assert.match(pts, /ptmx/);
  });

  it('on options runc and crun read differently', async () => {
    const uri = 'untitled:crun.oci.json';
    const doc =
      '{ "ociVersion": "1.2.0", "mounts": [ { "destination": "/a", "type": "bind", "source": "/a", "options": ["rbind", "src-nofollow", "defaults"] } ] }';
    await lsp.client.openAndValidate(uri, doc);
    const crun = markdown(await lsp.client.hover(uri, positionOf(doc, '"src-nofollow"', 2)));
    assert.match(crun, /^\*\*`src-nofollow`\*\* · filesystem data/);
    assert.match(crun, /crun: do not follow a symlink/);
    assert.match(crun, /helper follows runc/);
    const defaults = markdown(await lsp.client.hover(uri, positionOf(doc, '"defaults"', 2)));
    assert.match(defaults, /bind mounts cannot have any filesystem-specific options/);
    await lsp.client.close(uri);
  });

  it('on process attributes and linux.resources: the call, and the cgroup files written', async () => {
    const uri = 'untitled:attrs.oci.json';
    const doc = JSON.stringify(
      {
        ociVersion: '1.2.0',
        process: {
          args: ['/bin/sh'],
          cwd: '/',
          scheduler: { policy: 'SCHED_BATCH', nice: 5 },
          ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 4 },
        },
        linux: { personality: { domain: 'LINUX32' }, resources: { pids: { limit: 64 } } },
      },
      null,
      2,
    );
    await lsp.client.openAndValidate(uri, doc);
    const sched = markdown(await lsp.client.hover(uri, positionOf(doc, '"scheduler"', 2)));
    assert.ok(
      sched.includes('sched_setattr(0, {sched_policy=SCHED_BATCH, sched_nice=5}, 0)'),
      sched,
    );
    const io = markdown(await lsp.client.hover(uri, positionOf(doc, '"ioPriority"', 2)));
    assert.ok(io.includes('IOPRIO_PRIO_VALUE(IOPRIO_CLASS_BE, 4)'), io);
    const pers = markdown(await lsp.client.hover(uri, positionOf(doc, '"personality"', 2)));
    assert.ok(pers.includes('personality(PER_LINUX32)'), pers);
    // The machine's own cgroups (CI and these hosts have them): pids.max in the container's.
    const pids = markdown(await lsp.client.hover(uri, positionOf(doc, '"pids"', 2)));
    assert.match(pids, /write\(".*\/pids\.max", "64"\)/);
    await lsp.client.close(uri);
  });

  it('on a mount type and a namespace type', async () => {
    const md = markdown(await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"devpts"', 2)));
    assert.match(md, /pseudo-terminals/i);
    const ns = markdown(await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"uts"', 2)));
    assert.match(ns, /hostname/);
  });

  it('says nothing outside a spec', async () => {
    const other = lsp.bundle.uri.replace('config.json', 'other/config.json');
    await lsp.client.open(other, '{ "mounts": [ { "type": "tmpfs" } ] }', 'json');
    assert.equal(await lsp.client.hover(other, { line: 0, character: 27 }), null);
  });

  it('on a field: its documentation from the schema', async () => {
    const md = markdown(await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"readonly"', 3)));
    assert.match(md, /\*\*readonly\*\* · boolean/);
    assert.match(md, /read-only/);
    const dest = markdown(
      await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"destination"', 3, 1)),
    );
    assert.match(dest, /\*\*destination\*\*/);
    assert.ok(
      dest.includes('mount("tmpfs", "/dev", "tmpfs"'),
      'the key of a destination also shows the operations',
    );
  });

  it('on the mounts key: what the helper adds, and why', async () => {
    const md = markdown(await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"mounts"', 2)));
    assert.match(md, /Added by the helper/);
    assert.match(md, /`\/etc\/resolv\.conf`/);
    assert.ok(!md.includes('`/dev/shm`'), 'the spec mounts /dev/shm itself');
  });

  it('on other fields that become calls: root, hostname, masked paths', async () => {
    const root = markdown(await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"root"', 2)));
    assert.match(root, /pivot_root/);
    assert.match(root, /MS_BIND\|MS_REC/);
    const host = markdown(
      await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"hostname"', 2)),
    );
    assert.ok(host.includes('sethostname("box")'), host);
    const masked = markdown(
      await lsp.client.hover(lsp.bundle.uri, positionOf(text, '"/proc/kcore"', 2)),
    );
    assert.match(masked, /\/proc\/kcore/);
    assert.match(masked, /mount\(/);
  });
});

describe('hover on hooks', () => {
  const other = clientWithBundle();

  it('on a hook, its fields or its kind: what runs, where, with what, and what a failure does', async () => {
    const hooked = spec(STANDARD_MOUNTS, {
      hooks: {
        createRuntime: [{ path: '/usr/libexec/cni-add', args: ['cni-add', 'eth0'], timeout: 5 }],
        poststop: [{ path: '/usr/libexec/cleanup' }],
      },
    });
    const diagnostics = await other.client.openAndValidate(other.bundle.uri, hooked, 'json');
    const onPath = markdown(
      await other.client.hover(other.bundle.uri, positionOf(hooked, '"/usr/libexec/cni-add"', 3)),
    );
    assert.ok(
      onPath.includes(
        'run createRuntime hook "/usr/libexec/cni-add" argv ["cni-add", "eth0"] with the state on stdin, by the runtime on the host, before pivot_root (timeout 5 s, the runtime\'s env, failure aborts the launch)',
      ),
      onPath,
    );
    assert.ok(!onPath.includes('cleanup'), 'only that hook');
    const onKind = markdown(
      await other.client.hover(other.bundle.uri, positionOf(hooked, '"poststop"', 2)),
    );
    assert.match(
      onKind,
      /run poststop hook "\/usr\/libexec\/cleanup".*when the container is deleted .*failure warns/,
    );
    assert.ok(
      !diagnostics.some((d) => /hooks/.test(d.message)),
      'no "not applied" warning for hooks',
    );
  });
});
