// Find a container path under the rootfs without ever leaving it.
//
// A rootfs is untrusted: `/etc` in it may be a symlink to the host's `/etc`, `../../` may
// try to climb out, and a shared volume may swap a symlink in while we mount
// (CVE-2021-30465). So a path is never handed to mount(2) as a string: it is opened with
// openat2(RESOLVE_IN_ROOT), which treats the rootfs fd as `/` for every symlink and `..`
// on the way, and the mount goes onto `/proc/self/fd/N`, the very inode that was checked.
// openat2 exists since Linux 5.6; there is no string-walking fallback: on an older kernel
// the launch fails with ENOSYS rather than resolve paths less safely.
import * as path from 'node:path';
import {
  O_CLOEXEC,
  O_CREAT,
  O_DIRECTORY,
  O_EXCL,
  O_NOFOLLOW,
  O_PATH,
  O_WRONLY,
  RESOLVE_IN_ROOT,
  RESOLVE_NO_MAGICLINKS,
  RESOLVE_NO_SYMLINKS,
  type SysResult,
  type Syscalls,
} from './syscalls';

/** The path mount(2) gets for an fd: the kernel follows it to exactly that inode. */
export function fdPath(fd: number): string {
  return `/proc/self/fd/${fd}`;
}

/** `/a/../b/./c` → `b/c`: relative to the root, `..` clamped at the root as the kernel would. */
export function relativeInRoot(containerPath: string): string {
  return path.posix.normalize(`/${containerPath}`).replace(/^\/+/, '');
}

export interface ResolveOptions {
  /** Extra open flags, e.g. O_DIRECTORY or O_RDONLY instead of O_PATH. */
  flags?: number;
  /** Refuse any symlink on the way (proc and sysfs targets, CVE-2023-27561). */
  noSymlinks?: boolean;
}

/** Open `containerPath` inside the root `rootFd`. The caller closes the fd. */
export function resolveInRoot(
  sys: Syscalls,
  rootFd: number,
  containerPath: string,
  opts: ResolveOptions = {},
): SysResult<number> {
  const rel = relativeInRoot(containerPath) || '.';
  const flags = (opts.flags ?? O_PATH) | O_CLOEXEC;
  const resolve =
    RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS | (opts.noSymlinks ? RESOLVE_NO_SYMLINKS : 0);
  // With RESOLVE_IN_ROOT the kernel answers EAGAIN when a `..` lookup raced with a rename or
  // a mount anywhere on the host (it cannot prove the walk stayed inside): try again, a
  // bounded number of times, as the kernel's documentation asks.
  let r = sys.openat2(rootFd, rel, flags, 0, resolve);
  for (let i = 1; i < OPENAT2_TRIES && !r.ok && r.errno === 'EAGAIN'; i++)
    r = sys.openat2(rootFd, rel, flags, 0, resolve);
  return r;
}

/** How often an openat2 that answered EAGAIN is tried in all. */
export const OPENAT2_TRIES = 32;
/** Symlinks followed while creating a path, as the kernel's own limit (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/** Create `containerPath` and its missing parents inside the root, like `mkdir -p`. */
/** Asked before anything is created in a directory (an error refuses it), told of each directory made. */
export interface CreateGuard {
  mayCreateIn(dirFd: number): SysResult;
  made(dirFd: number): SysResult;
}
const anywhere: CreateGuard = {
  mayCreateIn: () => ({ ok: true, value: undefined }),
  made: () => ({ ok: true, value: undefined }),
};

export function mkdirAllInRoot(
  sys: Syscalls,
  rootFd: number,
  containerPath: string,
  mode: number,
  guard: CreateGuard = anywhere,
  links = 0,
): SysResult {
  const existing = resolveInRoot(sys, rootFd, containerPath, { flags: O_PATH | O_DIRECTORY });
  if (existing.ok) return sys.close(existing.value);
  if (existing.errno !== 'ENOENT') return existing;

  const parts = relativeInRoot(containerPath).split('/').filter(Boolean);
  let parent = resolveInRoot(sys, rootFd, '/', { flags: O_PATH | O_DIRECTORY });
  if (!parent.ok) return parent;
  let prefix = '';
  for (const [i, name] of parts.entries()) {
    const next = `${prefix}/${name}`;
    const there = resolveInRoot(sys, rootFd, next, { flags: O_PATH | O_DIRECTORY });
    if (!there.ok && there.errno !== 'ENOENT') {
      sys.close(parent.value);
      return there;
    }
    let made = false;
    if (!there.ok) {
      const allowed = guard.mayCreateIn(parent.value);
      if (!allowed.ok) {
        sys.close(parent.value);
        return allowed;
      }
      // mkdirat never follows `name` itself; a symlink already there gives EEXIST and is
      // then followed by the open below, which resolves it inside the root, from the root.
      const r = sys.mkdirat(parent.value, name, mode);
      if (!r.ok && r.errno !== 'EEXIST') {
        sys.close(parent.value);
        return r;
      }
      made = r.ok;
      if (!r.ok) {
        // Something is there that does not resolve: a symlink pointing at nothing. Like
        // runc (which joins the path inside the root first), create what it points at, in
        // the root: `/cache -> /var/cache` makes /var/cache.
        // (EINVAL: not a symlink, made by someone else meanwhile; the open below decides.)
        const link = sys.readlinkat(parent.value, name);
        if (link.ok || link.errno !== 'EINVAL') {
          sys.close(parent.value);
          if (!link.ok) return link;
          if (links >= MAX_SYMLINKS) return { ok: false, errno: 'ELOOP', call: 'mkdirat' };
          return mkdirAllInRoot(
            sys,
            rootFd,
            linkedPath(prefix, link.value, parts.slice(i + 1)),
            mode,
            guard,
            links + 1,
          );
        }
      }
    } else sys.close(there.value);
    sys.close(parent.value);
    prefix = next;
    parent = resolveInRoot(sys, rootFd, prefix, { flags: O_PATH | O_DIRECTORY });
    if (!parent.ok) return parent;
    if (made) {
      const noted = guard.made(parent.value);
      if (!noted.ok) {
        sys.close(parent.value);
        return noted;
      }
    }
  }
  return sys.close(parent.value);
}

/** Where a path goes on through the symlink at `dir`/… that points at `target`, in the root. */
function linkedPath(dir: string, target: string, rest: string[]): string {
  return [target.startsWith('/') ? target : `${dir}/${target}`, ...rest].join('/');
}

/** Create an empty file at `containerPath` (parents included) unless something is there. */
export function mkfileInRoot(
  sys: Syscalls,
  rootFd: number,
  containerPath: string,
  mode: number,
  guard: CreateGuard = anywhere,
  links = 0,
): SysResult {
  const existing = resolveInRoot(sys, rootFd, containerPath);
  if (existing.ok) return sys.close(existing.value);
  if (existing.errno !== 'ENOENT') return existing;

  const rel = relativeInRoot(containerPath);
  const dir = path.posix.dirname(`/${rel}`);
  const made = mkdirAllInRoot(sys, rootFd, dir, 0o755, guard, links);
  if (!made.ok) return made;
  const parent = resolveInRoot(sys, rootFd, dir, { flags: O_PATH | O_DIRECTORY });
  if (!parent.ok) return parent;
  const allowed = guard.mayCreateIn(parent.value);
  if (!allowed.ok) {
    sys.close(parent.value);
    return allowed;
  }
  const file = sys.openat(
    parent.value,
    path.posix.basename(rel),
    O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
    mode,
  );
  if (!file.ok && file.errno === 'EEXIST') {
    // There but not resolvable: a symlink pointing at nothing; create its target (runc).
    const link = sys.readlinkat(parent.value, path.posix.basename(rel));
    sys.close(parent.value);
    if (!link.ok) return link.errno === 'EINVAL' ? { ok: true, value: undefined } : link;
    if (links >= MAX_SYMLINKS) return { ok: false, errno: 'ELOOP', call: 'openat' };
    return mkfileInRoot(
      sys,
      rootFd,
      linkedPath(dir === '/' ? '' : dir, link.value, []),
      mode,
      guard,
      links + 1,
    );
  }
  sys.close(parent.value);
  if (!file.ok) return file;
  return sys.close(file.value);
}

/** Open the directory that holds `containerPath`, and give the last component's name. */
export function resolveParentInRoot(
  sys: Syscalls,
  rootFd: number,
  containerPath: string,
): SysResult<{ fd: number; name: string }> {
  const rel = relativeInRoot(containerPath);
  if (!rel) return { ok: false, errno: 'EINVAL', call: 'resolve' };
  const parent = resolveInRoot(sys, rootFd, path.posix.dirname(`/${rel}`), {
    flags: O_PATH | O_DIRECTORY,
  });
  if (!parent.ok) return parent;
  return { ok: true, value: { fd: parent.value, name: path.posix.basename(rel) } };
}
