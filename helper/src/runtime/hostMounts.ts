// Host-mount mode (a spec without a mount namespace; the plan's chroot): the init's mounts
// are made in the host's mount namespace, on a bind of the rootfs onto itself. runc 1.1
// leaves them on the host after `delete`; Bindery detaches them when the container is
// removed or its create fails (a documented difference, helper/SECURITY.md).
import * as fs from 'node:fs';
import { parseMountinfo, type Plan } from '@bindery/plan';
import { MNT_DETACH, UMOUNT_NOFOLLOW, type Syscalls } from './syscalls';

/** What removing the container takes off the host: mounts stacked on `rootfs` above `stackedBefore`. */
export interface HostMounts {
  /** The rootfs as the host's mountinfo names it (symlinks resolved). */
  rootfs: string;
  /** How many mounts were stacked on it before the container's: those are not ours. */
  stackedBefore: number;
}

/** Before the launch: what a host-mount plan will stack on its rootfs; undefined for any other plan. */
export function recordHostMounts(plan: Plan, rootfs: string): HostMounts | undefined {
  if (!plan.launch?.namespaces.hostMount) return undefined;
  const real = fs.realpathSync(rootfs);
  return { rootfs: real, stackedBefore: stackedAt(real) };
}

/**
 * Detaches what the container stacked on its rootfs (the bind, and with it everything
 * mounted below it). Undefined when nothing of ours is left, else what failed.
 */
export function releaseHostMounts(
  h: HostMounts,
  sys: Pick<Syscalls, 'umount2'>,
): string | undefined {
  // One detach per mount of ours; the bound keeps a mount that will not go from looping.
  for (let left = stackedAt(h.rootfs) - h.stackedBefore; left > 0; left--) {
    const r = sys.umount2(h.rootfs, MNT_DETACH | UMOUNT_NOFOLLOW);
    if (!r.ok) return `cannot unmount the container's mounts at ${h.rootfs}: ${r.errno}`;
  }
  return undefined;
}

function stackedAt(mountPoint: string): number {
  return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')).filter(
    (m) => m.mountPoint === mountPoint,
  ).length;
}
