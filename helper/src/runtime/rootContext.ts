// What the rootfs steps share while a plan runs: the syscalls, where the root is, and
// whether pivot_root has happened yet.
import type { NetworkIdentity } from './networkFiles';
import {
  AT_FDCWD,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  type SysResult,
  type Syscalls,
} from './syscalls';

export class RootContext {
  private rootFd: number | undefined;
  /** Directory fds opened before a tmpfs covered them, for tmpcopyup. */
  readonly copyUpSources = new Map<string, number>();
  pivoted = false;

  constructor(
    readonly sys: Syscalls,
    /** Host path of the rootfs. */
    readonly rootfs: string,
    /** Host path of the container's state directory (network files live here). */
    readonly stateDir: string,
    readonly network: NetworkIdentity,
  ) {}

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

  /** Forget the root fd: the mount it pointed into changed (rootfs bind, pivot_root). */
  resetRoot(): void {
    if (this.rootFd !== undefined) this.sys.close(this.rootFd);
    this.rootFd = undefined;
  }

  close(): void {
    this.resetRoot();
    for (const fd of this.copyUpSources.values()) this.sys.close(fd);
    this.copyUpSources.clear();
  }
}
