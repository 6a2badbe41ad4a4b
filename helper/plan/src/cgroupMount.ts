// A `type: "cgroup"` mount, the way runc performs it on the host at hand.
//
// On a cgroup v2 host runc mounts cgroup2. On a v1 or hybrid host a single `cgroup` mount
// would ask for every controller at once, which the kernel refuses (EBUSY) when the host
// mounts them separately, so runc builds /sys/fs/cgroup by hand: a tmpfs, then one
// hierarchy per host hierarchy (a cgroup mount of the same controllers inside a cgroup
// namespace, a bind of the host's hierarchy otherwise), the host's controller symlinks
// (cpu → cpu,cpuacct), and a read-only remount of the tmpfs when the spec asks for `ro`.
// Without a cgroup namespace each bind is of the container's own cgroup directory (runc's
// bind of its cgroup path), so the container sees its cgroup and nothing above it. The
// tmpfs stays writable with `ro` (runc makes only the hierarchies read-only), and the
// hierarchies come in the kernel's order (by hierarchy id, as runc reads them).
import { withMountLabel } from './execLabelPlan';
import { bindRemount } from './bindRemount';
import { statFollow } from './hostLookup';
import { mkdirOp, mountOp, propagationOp, symlinkOp } from './operationConstructors';
import type { CgroupHierarchy } from './cgroupPlan';
import type { HostView, MsFlag, NormalizedMount, Operation } from './types';

/** Where the host's cgroup hierarchies are mounted. */
export const HOST_CGROUP = '/sys/fs/cgroup';
const DEFAULT_FLAGS: MsFlag[] = ['MS_NOSUID', 'MS_NODEV', 'MS_NOEXEC'];

export type CgroupLayout =
  | { kind: 'unified' }
  | { kind: 'v1'; hierarchies: string[]; links: { name: string; target: string }[] }
  | { kind: 'unknown' };

/** How the host mounts cgroups, as far as its /sys/fs/cgroup tells. */
export function cgroupLayout(host: HostView): CgroupLayout {
  if (statFollow(host, `${HOST_CGROUP}/cgroup.controllers`)?.type === 'file')
    return { kind: 'unified' };
  let names: string[] | null;
  try {
    names = host.readdir(HOST_CGROUP);
  } catch {
    names = null;
  }
  if (!names || names.length === 0) return { kind: 'unknown' };
  const hierarchies: string[] = [];
  const links: { name: string; target: string }[] = [];
  for (const name of [...names].sort()) {
    const e = host.lstat(`${HOST_CGROUP}/${name}`);
    if (e?.type === 'symlink' && e.linkTarget) links.push({ name, target: e.linkTarget });
    // `unified` is the cgroup2 part of a hybrid host; runc leaves it out of a v1 container.
    else if (e?.type === 'directory' && name !== 'unified') hierarchies.push(name);
  }
  return hierarchies.length ? { kind: 'v1', hierarchies, links } : { kind: 'unknown' };
}

/**
 * The operations of one cgroup mount, or undefined to mount it as written (cgroup2 hosts
 * get the type replaced; an unknown host, such as an editor on another OS, gets it literally).
 */
export function planCgroupMount(
  m: NormalizedMount,
  layout: CgroupLayout,
  cgroupns: boolean,
  own?: CgroupHierarchy[],
  mountLabel?: string,
): Operation[] | undefined {
  const origin = m.origin;
  const dest = m.destination;
  if (layout.kind === 'unknown') return undefined;
  if (layout.kind === 'unified') {
    return [
      mkdirOp(dest, 0o755, origin),
      mountOp(
        {
          source: m.source || 'cgroup2',
          target: dest,
          fstype: 'cgroup2',
          flags: m.flagsSet,
          data: m.data.join(','),
        },
        origin,
      ),
      ...propagation(m),
    ];
  }

  const readonly = m.flagsSet.includes('MS_RDONLY');
  const ops: Operation[] = [
    mkdirOp(dest, 0o755, origin),
    mountOp(
      {
        source: 'tmpfs',
        target: dest,
        fstype: 'tmpfs',
        flags: DEFAULT_FLAGS,
        // runc mounts this tmpfs as any other, linux.mountLabel included.
        data: withMountLabel('tmpfs', ['mode=755'], mountLabel).join(','),
      },
      origin,
    ),
    ...propagation(m),
  ];
  // The container's cgroups in the kernel's order; without them (an editor on another host) the names.
  const order =
    own?.filter((c) => !c.v2) ?? layout.hierarchies.map((name) => ({ name, path: '/' }));
  for (const { name: h, path: cgPath } of order) {
    const target = `${dest}/${h}`;
    ops.push(mkdirOp(target, 0o755, origin));
    if (cgroupns) {
      const named = h === 'systemd';
      ops.push(
        mountOp(
          {
            source: named ? 'systemd' : 'cgroup',
            target,
            fstype: 'cgroup',
            flags: readonly ? ['MS_RDONLY', ...DEFAULT_FLAGS] : DEFAULT_FLAGS,
            // The directory name lists the controllers (cpu,cpuacct); a named hierarchy says name=.
            data: named ? 'name=systemd' : h,
          },
          origin,
        ),
      );
    } else {
      ops.push(
        mountOp(
          {
            source: `${HOST_CGROUP}/${h}${cgPath === '/' ? '' : cgPath}`,
            target,
            flags: ['MS_BIND', 'MS_REC'],
          },
          origin,
        ),
      );
      const remount = bindRemount(m, target, origin);
      if (remount) ops.push(remount);
    }
  }
  for (const l of layout.links) {
    ops.push(symlinkOp(l.target, `${dest}/${l.name}`, origin));
  }
  return ops;
}

function propagation(m: NormalizedMount): Operation[] {
  return m.propagation.map((flags) => propagationOp(m.destination, flags, m.origin));
}
