import * as assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostEntry, HostView } from '@bindery/plan';
import { CachedHost } from '../src/cachedHost';

/** A host whose files say how often they were read. */
function countingHost(): HostView & { reads: Map<string, number> } {
  const reads = new Map<string, number>();
  return {
    reads,
    kernelRelease: '6.1.0',
    lstat: (): HostEntry | null => null,
    readdir: () => null,
    readFile: (p: string) => {
      reads.set(p, (reads.get(p) ?? 0) + 1);
      return `read ${reads.get(p)} of ${p}`;
    },
  };
}

describe('CachedHost.readFile', () => {
  it('keeps its own /proc/self files (the cgroups every plan asks for) until they are older than maxAge', () => {
    const host = countingHost();
    let now = 0;
    const cached = new CachedHost(host, 2000, () => now);
    assert.equal(cached.readFile('/proc/self/cgroup', 65536), 'read 1 of /proc/self/cgroup');
    now = 1999;
    assert.equal(cached.readFile('/proc/self/cgroup', 65536), 'read 1 of /proc/self/cgroup');
    now = 2000;
    assert.equal(cached.readFile('/proc/self/cgroup', 65536), 'read 2 of /proc/self/cgroup');
    cached.clear();
    assert.equal(cached.readFile('/proc/self/cgroup', 65536), 'read 3 of /proc/self/cgroup');
  });

  it('reads any other file every time: its content may change in place', () => {
    const host = countingHost();
    const cached = new CachedHost(host, 2000, () => 0);
    cached.readFile('/srv/hostname', 256);
    assert.equal(cached.readFile('/srv/hostname', 256), 'read 2 of /srv/hostname');
  });
});
