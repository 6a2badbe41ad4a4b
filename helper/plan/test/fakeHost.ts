// A host file system described by a table, for tests: paths → entry type (or symlink target).
import * as posix from 'node:path/posix';
import type { HostEntry, HostView } from '../src/types';

export type FakeTree = Record<string, 'file' | 'dir' | 'other' | { symlink: string }>;

export function fakeHost(tree: FakeTree, kernelRelease = '6.1.0'): HostView {
  const entries = new Map<string, HostEntry>();
  const add = (p: string, e: HostEntry) => {
    entries.set(p, e);
    for (let d = posix.dirname(p); !entries.has(d); d = posix.dirname(d)) {
      entries.set(d, { type: 'directory' });
      if (d === '/') break;
    }
  };
  for (const [p, v] of Object.entries(tree)) {
    const clean = posix.normalize(p);
    if (typeof v === 'object') add(clean, { type: 'symlink', linkTarget: v.symlink });
    else add(clean, { type: v === 'dir' ? 'directory' : v });
  }
  return {
    kernelRelease,
    lstat: (p) => entries.get(posix.normalize(p)) ?? null,
    readdir: (p) => {
      const dir = posix.normalize(p);
      if (entries.get(dir)?.type !== 'directory') return null;
      const names = new Set<string>();
      for (const k of entries.keys())
        if (k !== dir && posix.dirname(k) === dir) names.add(posix.basename(k));
      return [...names];
    },
  };
}
