import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ContainerInfo } from '../../../helper/src/protocol';
import { mountHeading, renderContainerDetails } from '../../src/containerDetails';

const info: ContainerInfo = {
  id: 'web-1',
  bundle: '/srv/bundles/web',
  status: 'stopped',
  owner: 0,
  createdAt: '2026-01-01T10:00:00.000Z',
  exitCode: 0,
  args: ['sh', '-c', 'echo hi'],
  mounts: [
    {
      index: 0,
      destination: '/proc',
      type: 'proc',
      source: 'proc',
      options: 'rw,nosuid',
      state: 'applied',
    },
    {
      index: 1,
      destination: '/scratch',
      type: 'tmpfs',
      source: 'tmpfs',
      options: 'rw,size=lots',
      state: 'failed',
      errno: 'EINVAL',
    },
  ],
  networkFiles: [{ name: 'hostname', path: '/run/b/web-1/hostname' }],
};

describe('renderContainerDetails', () => {
  it('has everything the short rows leave out, failed mounts first, with their spec lines', () => {
    const text = renderContainerDetails(info, new Map([[1, 22]]));
    assert.match(text, /^# web-1 — exit 0$/m);
    assert.match(text, /^- args: `sh -c echo hi`$/m);
    assert.match(text, /^- output: the Output panel, channel “Bindery: web-1”$/m);
    assert.match(text, /^## Mounts \(2, 1 failed\)$/m);
    const failed = text.indexOf(mountHeading(info.mounts[1]));
    assert.ok(failed > 0 && failed < text.indexOf(mountHeading(info.mounts[0])), 'failed first');
    assert.match(text, /^### \/scratch — failed \(EINVAL\)$/m);
    assert.match(text, /^- effective options: `rw,size=lots`$/m);
    assert.match(text, /^- spec entry: mounts\[1\], config.json line 23$/m);
    assert.match(text, /^- spec entry: mounts\[0\]$/m);
    assert.match(text, /^- errno: `EINVAL`$/m);
    assert.match(text, /^- `\/etc\/hostname`: written at `\/run\/b\/web-1\/hostname`$/m);
  });
});
