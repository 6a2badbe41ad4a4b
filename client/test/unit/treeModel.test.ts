import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerInfo } from '../../../helper/src/protocol';
import { diagnoseConnectError } from '../../src/diagnoseHelper';
import { buildRoots, type TreeNode } from '../../src/treeModel';

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
    assert.equal(roots[3].children?.[0].description, 'stopped · exit 0');
    assert.match(running.tooltip ?? '', /\| pid \| 4242 \|/);
    assert.match(running.tooltip ?? '', /\| owner \| uid 1000 \|/);
  });

  it('gives a container its process, mounts and network files', () => {
    const [, group] = buildRoots({ bundles: [bundle], containers: [container({})] });
    const children = group.children?.[0].children ?? [];
    assert.deepEqual(
      children.map((c) => [c.kind, c.label]),
      [
        ['process', 'sh -c echo hi'],
        ['mount', '/proc'],
        ['mount', '/data'],
        ['mount', '/dev/pts'],
        ['network-file', '/etc/hosts'],
      ],
    );
    assert.equal(children[0].description, 'pid 4242');
    assert.equal(children[1].description, 'proc · nosuid,nodev,noexec · applied');
    assert.equal(children[2].description, 'bind /srv/data · ro,rbind · failed: ENOENT');
    assert.equal(children[2].icon?.id, 'error');
    // A mount from the spec reveals its entry; one the runtime added has nowhere to go.
    assert.deepEqual(children[2].command?.args, ['/srv/bundles/web', 1]);
    assert.equal(children[3].command, undefined);
    assert.deepEqual(children[4].command?.args, ['/run/bindery/state/web-1/hosts']);
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
