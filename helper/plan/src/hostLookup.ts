// Questions the planner asks about the host, answered only through the injected HostView.
import * as posix from 'node:path/posix';
import type { HostEntry, HostView } from './types';

/** Like stat(2): follows symlinks (at most 40 hops, as the kernel). null when missing or a loop. */
export function statFollow(host: HostView, path: string): HostEntry | null {
  let p = path;
  for (let hops = 0; hops < 40; hops++) {
    let e: HostEntry | null;
    try {
      e = host.lstat(p);
    } catch {
      return null;
    }
    if (!e || e.type !== 'symlink') return e;
    if (e.linkTarget === undefined) return null;
    p = posix.resolve(posix.dirname(p), e.linkTarget);
  }
  return null;
}
