// What the rootfs steps share while a plan runs: the syscalls, where the root is, and
// whether pivot_root has happened yet.
import { fail, type StepFailure } from './failure';
import type { NetworkIdentity } from './networkFiles';
import { resolveParentInRoot } from './resolveInRoot';
import type { Owner } from './initProtocol';
import {
  AT_FDCWD,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  R_OK,
  S_IFDIR,
  S_IFMT,
  X_OK,
  type SysResult,
  type Syscalls,
} from './syscalls';

export class RootContext {
  private rootFd: number | undefined;
  /** Directory fds opened before a tmpfs covered them, for tmpcopyup. */
  readonly copyUpSources = new Map<string, number>();
  pivoted = false;
  /** st_dev of the tmpfs mounts this init made: nobody's host storage. */
  readonly freshDevs = new Set<number>();
  /** `dev:ino` of the directories this init created (mount points' parents): its own. */
  private readonly madeDirs = new Set<string>();

  constructor(
    readonly sys: Syscalls,
    /** Host path of the rootfs. */
    readonly rootfs: string,
    /** Host path of the container's state directory (network files live here). */
    readonly stateDir: string,
    readonly network: NetworkIdentity,
    /** Who the container is launched for; root when absent. */
    readonly owner: Owner = { uid: 0, gid: 0, groups: [] },
  ) {}

  /** The uid the container is launched for; 0 for root. */
  get ownerUid(): number {
    return this.owner.uid;
  }

  /**
   * Opens a host path (O_PATH) with the owner's credentials, and checks that the owner may
   * read it (a directory: read and search): the kernel judges the very object that will be
   * mounted, so no check-then-use race can swap it. Root's rights are back before this returns.
   */
  openAsOwner(hostPath: string): SysResult<number> {
    const as = this.sys.setFsIdentity(this.owner);
    if (!as.ok) return as;
    let fd: SysResult<number>;
    try {
      fd = this.sys.openat(AT_FDCWD, hostPath, O_PATH | O_CLOEXEC, 0);
      if (fd.ok) {
        const st = this.sys.fstat(fd.value);
        const dir = st.ok && (st.value.mode & S_IFMT) === S_IFDIR;
        const access = st.ok ? this.sys.accessFd(fd.value, dir ? R_OK | X_OK : R_OK) : st;
        if (!access.ok) {
          this.sys.close(fd.value);
          fd = access.errno === 'EACCES' ? { ok: false, errno: 'EACCES', call: 'faccessat2' } : access;
        }
      }
    } finally {
      const back = this.sys.setFsIdentity(null);
      // Acting on as someone else would be wrong either way: stop the init.
      if (!back.ok) throw new Error(`cannot restore the runtime's file access rights: ${back.errno}`);
    }
    return fd;
  }

  /**
   * Whether the runtime may create an entry (mount point, device node, link) in directory
   * `dirFd` for the owner. Root may create anywhere in the rootfs. For anyone else the
   * runtime's root rights must not reach host storage the owner could not write: a bind of a
   * readable host directory (`/etc` → `/x`) followed by a mount on `/x/nologin` would
   * otherwise create `/etc/nologin` as root. So only a directory the owner owns, one this
   * init created, or one on a tmpfs this init mounted takes new entries.
   */
  mayCreateIn(dirFd: number): SysResult {
    if (this.ownerUid === 0) return { ok: true, value: undefined };
    const st = this.sys.fstat(dirFd);
    if (!st.ok) return st;
    const { uid, dev, ino } = st.value;
    if (uid === this.ownerUid || this.freshDevs.has(dev) || this.madeDirs.has(`${dev}:${ino}`))
      return { ok: true, value: undefined };
    return { ok: false, errno: 'EPERM', call: 'create' };
  }

  /** A directory this init just created (allowed by mayCreateIn): entries may go in it too. */
  made(dirFd: number): SysResult {
    if (this.ownerUid === 0) return { ok: true, value: undefined };
    const st = this.sys.fstat(dirFd);
    if (!st.ok) return st;
    this.madeDirs.add(`${st.value.dev}:${st.value.ino}`);
    return { ok: true, value: undefined };
  }

  /**
   * The directory that will hold a new entry at `containerPath` (a device node, a link),
   * resolved inside the root and checked with mayCreateIn, so no creating step can skip the
   * check. The caller closes `fd`.
   */
  openParentForCreate(
    containerPath: string,
    entry: string,
    missingHint: string,
  ): { ok: true; fd: number; name: string } | StepFailure {
    const root = this.root();
    if (!root.ok) return fail(root.errno, 'cannot open the rootfs', 'check root.path in the spec');
    const parent = resolveParentInRoot(this.sys, root.value, containerPath);
    if (!parent.ok)
      return fail(
        parent.errno,
        `the directory holding ${containerPath} is missing in the rootfs`,
        missingHint,
      );
    const allowed = this.mayCreateIn(parent.value.fd);
    if (!allowed.ok) {
      this.sys.close(parent.value.fd);
      return refusedCreate(this, containerPath, entry);
    }
    return { ok: true, ...parent.value };
  }

  /**
   * An O_PATH fd of the root that container paths resolve in: the rootfs before pivot_root,
   * `/` after. Opened lazily so that it is taken after the rootfs was bind-mounted onto
   * itself (an fd taken earlier would point below that mount).
   */
  root(): SysResult<number> {
    if (this.rootFd !== undefined) return { ok: true, value: this.rootFd };
    const r = this.sys.openat(
      AT_FDCWD,
      this.pivoted ? '/' : this.rootfs,
      O_PATH | O_DIRECTORY | O_CLOEXEC,
      0,
    );
    if (r.ok) this.rootFd = r.value;
    return r;
  }

  /**
   * The container's /dev/null once checked to be the null device (maskedPaths): each file
   * mask binds it, and resolving and checking it once per mask cost five calls each.
   */
  nullDevice: number | undefined;

  /** Forget the root fd: the mount it pointed into changed (rootfs bind, pivot_root). */
  resetRoot(): void {
    if (this.rootFd !== undefined) this.sys.close(this.rootFd);
    this.rootFd = undefined;
    if (this.nullDevice !== undefined) this.sys.close(this.nullDevice);
    this.nullDevice = undefined;
  }

  close(): void {
    this.resetRoot();
    for (const fd of this.copyUpSources.values()) this.sys.close(fd);
    this.copyUpSources.clear();
  }
}

/** A non-root owner asked for an entry in a directory it does not own (mayCreateIn). */
export function refusedCreate(ctx: RootContext, containerPath: string, entry: string): StepFailure {
  return fail(
    'EPERM',
    `refusing to create ${containerPath} as root in a directory uid ${ctx.ownerUid} does not own`,
    `it would land in host storage reached through a bind mount or a rootfs you do not own; create ${containerPath} in the bind source yourself, or mount a tmpfs above it (${entry})`,
  );
}
