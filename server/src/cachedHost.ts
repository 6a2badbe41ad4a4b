// The real host, remembered between keystrokes. A 1,000-mount spec asks lstat about every bind
// source on every change; the answers rarely change while the user types. The cache forgets a
// path when the client reports a change at, above or below it (didChangeWatchedFiles), and
// forgets everything after `maxAgeMs` in case the editor does not watch that part of the disk.
import * as path from 'node:path';
import type { HostEntry, HostView } from '@bindery/plan';

interface Cached<T> {
  value: T;
  at: number;
}

export class CachedHost implements HostView {
  private readonly stats = new Map<string, Cached<HostEntry | null>>();
  private readonly dirs = new Map<string, Cached<string[] | null>>();
  private readonly files = new Map<string, Cached<string | null>>();

  constructor(
    private readonly host: HostView,
    private readonly maxAgeMs = 2000,
    private readonly now: () => number = Date.now,
  ) {}

  get kernelRelease(): string | undefined {
    return this.host.kernelRelease;
  }

  lstat(p: string): HostEntry | null {
    return this.remember(this.stats, p, () => this.host.lstat(p));
  }

  readdir(p: string): string[] | null {
    return this.remember(this.dirs, p, () => this.host.readdir(p));
  }

  /**
   * The server's own /proc/self files (its cgroups, asked by the resources rule and the cgroup
   * plan on every change) are kept like the rest: they change only if the editor is moved to
   * another cgroup. Anything else is read each time: rule 23 asks about one small file whose
   * content may change in place.
   */
  readFile(p: string, maxBytes: number): string | null {
    const read = () => this.host.readFile?.(p, maxBytes) ?? null;
    return p.startsWith('/proc/self/') ? this.remember(this.files, `${maxBytes}:${p}`, read) : read();
  }

  /** Not cached: asked only for a non-root user's bind sources, whose rights may change in place. */
  readable(p: string): true | string {
    return this.host.readable?.(p) ?? true;
  }

  /** Forget what is known at, below or above each changed path. */
  invalidate(changed: string[]): void {
    for (const c of changed.map((p) => path.resolve(p))) {
      for (const cache of [this.stats, this.dirs] as Map<string, unknown>[]) {
        for (const key of cache.keys()) {
          if (
            key === c ||
            key.startsWith(c + path.sep) ||
            c.startsWith(key + path.sep) ||
            c === path.sep
          )
            cache.delete(key);
        }
      }
    }
  }

  clear(): void {
    this.stats.clear();
    this.dirs.clear();
    this.files.clear();
  }

  private remember<T>(cache: Map<string, Cached<T>>, key: string, load: () => T): T {
    const now = this.now();
    const hit = cache.get(key);
    if (hit && now - hit.at < this.maxAgeMs) return hit.value;
    const value = load();
    cache.set(key, { value, at: now });
    return value;
  }
}
