// A tmpfs over a directory the rootfs has: its mode, as runc gives it.
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { planBundle } from '../src';
import { renderOperation } from '../src/render';
import { baseSpec } from '../../test/baseSpec';
import { fakeHost } from './fakeHost';

function tmpfsLine(options: string[], tree: Record<string, 'dir'>): string | undefined {
  const spec = baseSpec({
    mounts: [{ destination: '/data', type: 'tmpfs', source: 'tmpfs', options }],
  });
  const plan = planBundle({
    text: JSON.stringify(spec),
    bundleDir: '/b',
    host: fakeHost({ '/b/rootfs': 'dir', ...tree }),
  });
  return plan.operations.map(renderOperation).find((l) => l.startsWith('mount("tmpfs", "/data"'));
}

describe('tmpfs mode over an existing directory', () => {
  it("takes the directory's mode without mode=, the spec's mode= otherwise, the tmpfs default on a new directory", () => {
    assert.equal(
      tmpfsLine(['size=1m'], { '/b/rootfs/data': 'dir' }),
      'mount("tmpfs", "/data", "tmpfs", 0, "mode=<of /data>,size=1m")',
    );
    assert.equal(
      tmpfsLine(['mode=700'], { '/b/rootfs/data': 'dir' }),
      'mount("tmpfs", "/data", "tmpfs", 0, "mode=700")',
    );
    assert.equal(tmpfsLine(['size=1m'], {}), 'mount("tmpfs", "/data", "tmpfs", 0, "size=1m")');
  });
});
