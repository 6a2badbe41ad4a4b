import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerInfo } from '../../../helper/src/protocol';
import { diagnoseConnectError } from '../../src/diagnoseHelper';
import { buildRoots, containerCounts, containerState, type TreeNode } from '../../src/treeModel';

function container(over: Partial<ContainerInfo>): ContainerInfo {
  return {
    id: 'web-1',
    bundle: '/srv/bundles/web',
    status: 'running',
    pid: 4242,
    owner: 1000,
    createdAt: '2026-01-01T10:00:00.000Z',
    args: ['sh', '-c', 'echo hi'],
    mounts: [
      {
        index: 0,
        destination: '/proc',
        type: 'proc',
        source: 'proc',
        options: 'nosuid,nodev,noexec',
        state: 'applied',
      },
      {
        index: 1,
        destination: '/data',
        type: 'bind',
        source: '/srv/data',
        options: 'ro,rbind',
        state: 'failed',
        errno: 'ENOENT',
      },
      {
        index: null,
        destination: '/dev/pts',
        type: 'devpts',
        source: 'devpts',
        options: 'nosuid,noexec',
        state: 'applied',
      },
    ],
    networkFiles: [{ name: 'hosts', path: '/run/bindery/state/web-1/hosts' }],
    ...over,
  };
}

const bundle = { dir: '/w/hello', specPath: '/w/hello/config.json', name: 'hello' };

describe('buildRoots', () => {
  it('is empty when there is nothing to show, so the welcome text explains why', () => {
    assert.deepEqual(buildRoots({ bundles: [], containers: [] }), []);
  });

  it('lists bundles, then containers grouped by state with coloured icons', () => {
    const roots = buildRoots({
      bundles: [bundle],
      containers: [
        container({}),
        container({ id: 'old', status: 'stopped', pid: undefined, exitCode: 0 }),
        container({ id: 'bad', status: 'failed', pid: undefined }),
      ],
    });
    assert.deepEqual(
      roots.map((r) => [r.label, r.description]),
      [
        ['Bundles', '1'],
        ['Running', '1'],
        ['Failed', '1'],
        ['Stopped', '1'],
      ],
    );
    assert.equal(roots[0].children?.[0].contextValue, 'bundle');
    const running = roots[1].children?.[0] as TreeNode;
    assert.equal(running.contextValue, 'container.running');
    assert.deepEqual(running.icon, { id: 'vm-running', color: 'charts.green' });
    assert.equal(roots[2].children?.[0].icon?.color, 'charts.red');
    assert.equal(roots[3].children?.[0].description, 'exit 0');
    assert.equal(running.description, 'running');
    assert.match(running.tooltip ?? '', /\| pid \| 4242 \|/);
    assert.match(running.tooltip ?? '', /\| owner \| uid 1000 \|/);
  });

  it("groups a container's children: process, mounts (failed first), network files", () => {
    const [, group] = buildRoots({ bundles: [bundle], containers: [container({})] });
    const children = group.children?.[0].children ?? [];
    assert.deepEqual(
      children.map((c) => [c.kind, c.label, c.description]),
      [
        ['process', 'Process', 'pid 4242 → Output'],
        ['mounts', 'Mounts', '3 · 1 failed'],
        ['network-files', 'Network files', '1'],
      ],
    );
    // The process row says where the output went, and shows it on click.
    assert.match(children[0].tooltip ?? '', /channel “Bindery: web-1”/);
    assert.match(children[0].tooltip ?? '', /sh -c echo hi/);
    assert.deepEqual(children[0].command?.args, ['web-1']);

    const mounts = children[1].children ?? [];
    assert.deepEqual(
      mounts.map((m) => [m.label, m.description]),
      [
        ['/data', 'bind · failed: ENOENT'],
        ['/proc', 'proc · applied'],
        ['/dev/pts', 'devpts · applied'],
      ],
    );
    assert.equal(mounts[0].icon?.id, 'error');
    assert.equal(children[1].icon?.id, 'error', 'the group shows that something failed');
    // The full story is in the tooltip: options, source, entry, errno.
    assert.match(mounts[0].tooltip ?? '', /effective options: `ro,rbind`/);
    assert.match(mounts[0].tooltip ?? '', /source `\/srv\/data`/);
    assert.match(mounts[0].tooltip ?? '', /config.json: mounts\[1\]/);
    assert.match(mounts[0].tooltip ?? '', /errno: `ENOENT`/);
    // A mount from the spec reveals its entry; one the runtime added has nowhere to go.
    assert.deepEqual(mounts[0].command?.args, ['/srv/bundles/web', 1]);
    assert.equal(mounts[2].command, undefined);
    assert.deepEqual(children[2].children?.[0].command?.args, ['/run/bindery/state/web-1/hosts']);
  });

  it('shows each network file once, with the state of the bind the runtime made for it', () => {
    const c = container({
      mounts: [
        ...container({}).mounts,
        {
          index: null,
          destination: '/etc/hosts',
          type: 'bind',
          source: '/run/bindery/state/web-1/hosts',
          options: 'bind,rw,rprivate',
          state: 'applied',
        },
      ],
    });
    const [, group] = buildRoots({ bundles: [], containers: [c] });
    const rows = (group.children?.[0].children ?? []).flatMap((g) => g.children ?? []);
    const labels = rows.map((r) => r.label);
    assert.deepEqual(
      labels.filter((l) => l === '/etc/hosts'),
      ['/etc/hosts'],
      'listed once',
    );
    const hosts = rows.find((r) => r.label === '/etc/hosts');
    assert.equal(hosts?.kind, 'network-file');
    assert.equal(hosts?.description, 'bind · applied');
    assert.equal(new Set(rows.map((r) => r.id)).size, rows.length, 'no id twice');
  });

  it('says an OOM kill and the memory peak on the stopped container, its process row and tooltip', () => {
    const c = container({
      status: 'stopped',
      pid: undefined,
      signal: 'SIGKILL',
      oomKills: 1,
      memoryPeak: 16 * 1048576,
    });
    assert.equal(containerState(c), 'killed by the OOM killer (memory limit)');
    const row = buildRoots({ bundles: [], containers: [c] })
      .flatMap((r) => r.children ?? [])
      .find((n) => n.kind === 'container')!;
    assert.equal(row.description, 'killed by the OOM killer (memory limit)');
    assert.match(String(row.tooltip), /\| memory \| 1 OOM kill, memory peak 16\.0 MiB \|/);
    const process = (row.children ?? []).find((n) => n.kind === 'process')!;
    assert.match(String(process.tooltip), /memory: 1 OOM kill, memory peak 16\.0 MiB/);
    assert.equal(containerState({ ...c, oomKills: 0 }), 'killed by SIGKILL', 'no kill, no blame');
  });

  it('says the same thing about containers in the status bar as the groups do', () => {
    const list = [
      container({}),
      container({ id: 'a', status: 'stopped', pid: undefined, exitCode: 0 }),
      container({ id: 'b', status: 'stopped', pid: undefined, signal: 'SIGKILL' }),
    ];
    assert.equal(containerCounts(list), '1 running, 2 stopped');
    assert.equal(containerCounts([]), 'no containers');
    assert.equal(containerState(list[1]), 'exit 0');
    assert.equal(containerState(list[2]), 'killed by SIGKILL');
    const roots = buildRoots({ bundles: [], containers: list });
    assert.deepEqual(
      roots
        .filter((r) => r.kind === 'group' && r.id !== 'group:bundles')
        .map((r) => `${r.description} ${r.label.toLowerCase()}`),
      ['1 running', '2 stopped'],
    );
  });

  it('puts the reason the helper is unreachable first, with its remedies', () => {
    const problem = diagnoseConnectError({
      socketPath: '/run/bindery/bindery.sock',
      errno: 'ENOENT',
      socketDirExists: false,
    });
    const roots = buildRoots({ bundles: [bundle], containers: [], problem });
    assert.equal(roots[0].kind, 'problem');
    assert.equal(roots[0].label, 'Helper unreachable: no socket');
    assert.match(
      roots[0].children?.[0].label ?? '',
      /There is no socket at \/run\/bindery\/bindery.sock/,
    );
    const remedies = (roots[0].children ?? []).filter((c) => c.command);
    assert.ok(remedies.some((r) => r.description === 'sudo bindery daemon'));
  });
});

describe('hooks under a container', () => {
  const ok = {
    kind: 'createRuntime' as const,
    index: 0,
    path: '/usr/libexec/cni-add',
    ok: true,
    exitCode: 0,
    stdout: '',
    stderr: '',
    message: 'createRuntime hook #0 /usr/libexec/cni-add exited 0',
    durationMs: 12,
  };
  const failed = {
    ...ok,
    kind: 'poststart' as const,
    path: '/usr/bin/announce',
    ok: false,
    exitCode: 3,
    stdout: 'tried\n',
    stderr: 'no route to host\n',
    truncated: 100,
    message: 'error running poststart hook #0: exit status 3, stdout: tried\n, stderr: no route to host\n',
  };
  const hooksOf = (c: ContainerInfo) =>
    buildRoots({ bundles: [], containers: [c] })
      .find((r) => r.label === 'Running')!
      .children![0].children!.find((n) => n.kind === 'hooks');

  it('none shown when no hook ran', () => {
    assert.equal(hooksOf(container({})), undefined);
  });

  it('each run in order, a failed one with its exit and what it printed, the group open', () => {
    const node = hooksOf(container({ hooks: [ok, failed] }))!;
    assert.equal(node.description, '2 ran · 1 failed');
    assert.equal(node.collapsible, 'expanded');
    const [a, b] = node.children!;
    assert.deepEqual([a.label, a.description, a.icon?.id], ['createRuntime[0]', '/usr/libexec/cni-add · ok', 'pass']);
    assert.deepEqual([b.label, b.description, b.icon?.id], ['poststart[0]', '/usr/bin/announce · failed: exit 3', 'error']);
    assert.match(b.tooltip!, /exit status 3/);
    assert.match(b.tooltip!, /stderr:\n\n```\nno route to host\n/);
    assert.match(b.tooltip!, /100 earlier bytes not kept/);
    assert.deepEqual(b.command?.args, ['web-1'], 'clicking shows the container’s output channel');
  });
});

describe('containers an engine runs with bindery', () => {
  const podmanId = 'f38d5b0d66ab633142d1981602ff199566d6c52d86ed6d3dc2d9a3228188cd2e';
  const engine = (name: string, runtimeId: string, namespace?: string) => ({
    name,
    runtimeId,
    root: '/run/bindery-runtime',
    ociStatus: 'running' as const,
    ...(namespace ? { namespace } : {}),
  });
  const roots = buildRoots({
    bundles: [],
    containers: [
      container({ id: 'mine', owner: 0 }),
      container({ id: `podman:${podmanId}`, owner: 0, engine: engine('podman', podmanId) }),
      container({
        id: 'containerd.k8s.io:web',
        owner: 0,
        status: 'stopped',
        pid: undefined,
        engine: { ...engine('containerd', 'web', 'k8s.io'), ociStatus: 'stopped' },
      }),
      container({
        id: 'podman:gone',
        owner: 0,
        status: 'failed',
        pid: undefined,
        engine: { ...engine('podman', 'gone'), ociStatus: 'failed' },
        failure: { message: 'bindery create failed: …', findings: [] },
      }),
    ],
  });

  it('groups them by engine (and containerd namespace), apart from the helper’s own', () => {
    assert.deepEqual(
      roots.map((r) => r.id),
      ['group:bundles', 'group:running', 'group:engine:containerd · k8s.io', 'group:engine:podman'],
    );
    assert.deepEqual(
      roots[1].children?.map((c) => c.label),
      ['mine'],
    );
    const podman = roots[3];
    assert.equal(podman.description, '1 running, 1 failed');
    // podman's 64-hex ids are shown as podman shows them; the failed create says so.
    assert.deepEqual(
      podman.children?.map((c) => [c.label, c.description, c.contextValue]),
      [
        [podmanId.slice(0, 12), 'running', 'engine-container.running'],
        ['gone', 'create failed', 'engine-container.failed'],
      ],
    );
  });

  it('opens the engine’s spec from the row, and says where the output went', () => {
    const row = roots[3].children![0];
    assert.deepEqual(row.command, {
      command: 'bindery.openSpec',
      title: 'Open spec (read-only)',
      args: [`podman:${podmanId}`],
    });
    assert.equal(row.children?.[0].description, 'pid 4242 → podman');
    assert.match(row.tooltip ?? '', /engine \| podman, as `f38d5b0d66ab/);
    const failed = roots[3].children![1];
    assert.equal(failed.children?.[0].label, 'Create failed');
  });
});
