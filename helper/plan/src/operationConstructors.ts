// The one place operations of the mount tree are built: the plan's steps, the runtime's
// warm-up and the tests use these instead of writing operation objects by hand, so that
// every operation of a kind has the same shape.
import type {
  ConsoleOp,
  MaskOp,
  MkdirOp,
  MkfileOp,
  MknodOp,
  MountAttr,
  MountCall,
  MountOp,
  MsFlag,
  Origin,
  PathScope,
  PivotRootOp,
  ChrootOp,
  ReadonlyPathOp,
  RootfsParentPrivateOp,
  SetattrOp,
  SetHostnameOp,
  SymlinkOp,
  CopyUpOp,
  WriteNetworkFileOp,
} from './types';

type MountExtras = Pick<MountOp, 'keepTargetMode' | 'becomesRoot' | 'sourceAccess' | 'idmap'>;

/** mount(2) with these arguments; unset ones are NULL, 0 or '' and the scope is the rootfs. */
export function mountOp(
  call: Partial<MountCall> & Pick<MountCall, 'target'>,
  origin: Origin,
  extras: MountExtras = {},
): MountOp {
  return {
    op: 'mount',
    source: null,
    targetScope: 'rootfs',
    fstype: null,
    flags: [],
    data: '',
    ...call,
    origin,
    ...extras,
  };
}

/** A propagation change (MS_PRIVATE, MS_REC|MS_SLAVE, …) of the mount at `target`. */
export function propagationOp(
  target: string,
  flags: MsFlag[],
  origin: Origin,
  targetScope: PathScope = 'rootfs',
): MountOp {
  return mountOp({ target, targetScope, flags }, origin);
}

/** A remount of the bind at `target` with `flags` (MS_REMOUNT|MS_BIND added). */
export function bindRemountOp(
  target: string,
  flags: MsFlag[],
  origin: Origin,
  targetScope: PathScope = 'rootfs',
): MountOp {
  return mountOp({ target, targetScope, flags: ['MS_REMOUNT', 'MS_BIND', ...flags] }, origin);
}

export function rootfsParentPrivateOp(rootfs: string, origin: Origin): RootfsParentPrivateOp {
  return { op: 'rootfs-parent-private', rootfs, origin };
}

/** The rootfs bound onto itself: the mount that becomes the container's root. */
export function rootfsBindOp(rootfs: string, origin: Origin, sourceAccess?: 'requester'): MountOp {
  return mountOp(
    { source: rootfs, target: rootfs, targetScope: 'host', flags: ['MS_BIND', 'MS_REC'] },
    origin,
    { becomesRoot: true, ...(sourceAccess ? { sourceAccess } : {}) },
  );
}

/** linux.readonlyPaths[i]: the bind of `target` onto itself, then its read-only remount. */
export function readonlyPathOps(target: string, origin: Origin): [ReadonlyPathOp, ReadonlyPathOp] {
  const call = {
    source: target,
    target,
    targetScope: 'container' as const,
    fstype: null,
    data: '',
  };
  return [
    { op: 'readonly-path', step: 'bind', ...call, flags: ['MS_BIND', 'MS_REC'], origin },
    {
      op: 'readonly-path',
      step: 'remount',
      ...call,
      flags: ['MS_RDONLY', 'MS_REMOUNT', 'MS_BIND'],
      origin,
    },
  ];
}

export function maskOp(
  target: string,
  cover: MaskOp['cover'],
  tmpfsFlags: MsFlag[],
  origin: Origin,
): MaskOp {
  return { op: 'mask', target, targetScope: 'container', cover, tmpfsFlags, origin };
}

export function setattrOp(
  target: string,
  attrs: { set?: MountAttr[]; clear?: MountAttr[]; recursive: boolean },
  origin: Origin,
  targetScope: PathScope = 'rootfs',
): SetattrOp {
  return {
    op: 'setattr',
    target,
    targetScope,
    attrSet: attrs.set ?? [],
    attrClr: attrs.clear ?? [],
    recursive: attrs.recursive,
    origin,
  };
}

export function mkdirOp(path: string, mode: number, origin: Origin): MkdirOp {
  return { op: 'mkdir', path, mode, origin };
}

export function mkfileOp(path: string, mode: number, origin: Origin): MkfileOp {
  return { op: 'mkfile', path, mode, origin };
}

export function symlinkOp(linkTarget: string, path: string, origin: Origin): SymlinkOp {
  return { op: 'symlink', linkTarget, path, origin };
}

export function copyUpOp(path: string, origin: Origin): CopyUpOp {
  return { op: 'copyup', path, origin };
}

export function mknodOp(node: Omit<MknodOp, 'op' | 'origin'>, origin: Origin): MknodOp {
  return { op: 'mknod', ...node, origin };
}

export function writeNetworkFileOp(
  file: WriteNetworkFileOp['file'],
  hostPath: string,
  origin: Origin,
): WriteNetworkFileOp {
  return { op: 'write-network-file', file, hostPath, origin };
}

export function nameOp(
  which: 'sethostname' | 'setdomainname',
  name: string,
  origin: Origin,
): SetHostnameOp {
  return { op: which, name, origin };
}

export function pivotRootOp(rootfs: string, origin: Origin): PivotRootOp {
  return { op: 'pivot-root', rootfs, origin };
}

export function chrootOp(rootfs: string, origin: Origin): ChrootOp {
  return { op: 'chroot', rootfs, origin };
}

/** The container's terminal: a pty from its own /dev/ptmx, the slave bound onto /dev/console. */
export function consoleOp(size: ConsoleOp['size'], origin: Origin): ConsoleOp {
  return { op: 'console', ptmx: '/dev/ptmx', path: '/dev/console', ...(size ? { size } : {}), origin };
}
