// Path arithmetic the way runc does it (Go's filepath.Clean), with no file system access.
import * as posix from 'node:path/posix';

/**
 * A mount destination as runc uses it: cleaned, and made absolute by prefixing `/` (runc
 * reads a relative destination, deprecated by the spec, as relative to the container's root).
 */
export function cleanDestination(dest: string): string {
  if (dest === '') return '';
  const abs = dest.startsWith('/') ? dest : '/' + dest;
  const n = posix.normalize(abs);
  return n.length > 1 && n.endsWith('/') ? n.slice(0, -1) : n;
}

/** A host path: relative paths resolve against `base` (the bundle directory). */
export function resolveHostPath(base: string, p: string): string {
  return posix.resolve(base || '/', p);
}

/** True when `child` is `parent` or lies below it (both cleaned absolute paths). */
export function isAtOrBelow(child: string, parent: string): boolean {
  if (parent === '/') return child.startsWith('/');
  return child === parent || child.startsWith(parent + '/');
}

export function joinInRoot(rootfs: string, containerPath: string): string {
  return posix.join(rootfs, containerPath);
}
