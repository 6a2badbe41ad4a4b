// Operations as the C calls they are, for the CLI, hover and the helper's events.
import { renderExecLabel } from './execLabelPlan';
import { renderProcessAttr } from './processAttrPlan';
import { renderAction } from './seccompPlan';
import { renderDeviceException } from './cgroupPlan';
import { sysctlPath } from './sysctlPlan';
import type { HookOp, MountAttr, MountIdmap, MountOp, MsFlag, Operation, Origin } from './types';
import { sortMountAttrs, sortMsFlags } from './flags';

/** `MS_NOSUID|MS_NODEV`, or `0` when none. */
export function renderFlags(flags: readonly MsFlag[]): string {
  const sorted = sortMsFlags(flags);
  return sorted.length ? sorted.join('|') : '0';
}

export function renderAttrs(attrs: readonly MountAttr[]): string {
  const sorted = sortMountAttrs(attrs);
  return sorted.length ? sorted.join('|') : '0';
}

function str(s: string | null): string {
  return s === null ? 'NULL' : JSON.stringify(s);
}

function octal(mode: number): string {
  return '0' + mode.toString(8).padStart(3, '0');
}

/** The three calls of an id-mapped bind, with the mapping its user namespace carries. */
function renderIdmapBind(op: MountOp, idmap: MountIdmap): string {
  const rec = op.flags.includes('MS_REC') ? '|AT_RECURSIVE' : '';
  const ns =
    'usernsPath' in idmap
      ? `<user namespace ${idmap.usernsPath}>`
      : `<user namespace uid ${renderMaps(idmap.uidMappings)}, gid ${renderMaps(idmap.gidMappings)}>`;
  return (
    `open_tree(${str(op.source)}, OPEN_TREE_CLONE${rec}); ` +
    `mount_setattr(<tree>, ${idmap.recursive ? 'AT_RECURSIVE' : '0'}, {attr_set: MOUNT_ATTR_IDMAP, userns_fd: ${ns}}); ` +
    `move_mount(<tree>, ${str(op.target)})`
  );
}

function renderMaps(maps: readonly { containerID: number; hostID: number; size: number }[]): string {
  return maps.map((m) => `${m.containerID}:${m.hostID}:${m.size}`).join(',');
}

export function renderOperation(op: Operation): string {
  switch (op.op) {
    case 'mount': {
      if (op.idmap) return renderIdmapBind(op, op.idmap);
      const data = op.keepTargetMode
        ? `mode=<of ${op.target}>${op.data ? `,${op.data}` : ''}`
        : op.data;
      return `mount(${str(op.source)}, ${str(op.target)}, ${str(op.fstype)}, ${renderFlags(op.flags)}, ${data === '' ? 'NULL' : str(data)})`;
    }
    case 'rootfs-parent-private':
      return `mount(NULL, <mount holding ${str(op.rootfs)}>, NULL, MS_PRIVATE, NULL) when it is shared`;
    case 'readonly-path':
      return `mount(${str(op.source)}, ${str(op.target)}, NULL, ${renderFlags(op.flags)}, NULL)`;
    case 'mask':
      return op.cover === 'dev-null'
        ? `mount("/dev/null", ${str(op.target)}, NULL, MS_BIND, NULL)`
        : `mount("tmpfs", ${str(op.target)}, "tmpfs", ${renderFlags(op.tmpfsFlags)}, NULL)`;
    case 'setattr': {
      const parts = [];
      if (op.attrSet.length) parts.push(`attr_set: ${renderAttrs(op.attrSet)}`);
      if (op.attrClr.length) parts.push(`attr_clr: ${renderAttrs(op.attrClr)}`);
      if (op.attrSet.includes('MOUNT_ATTR_IDMAP'))
        parts.push('userns_fd: <container user namespace>');
      return `mount_setattr(${str(op.target)}, ${op.recursive ? 'AT_RECURSIVE' : '0'}, {${parts.join(', ')}})`;
    }
    case 'mkdir':
      return `mkdir(${str(op.path)}, ${octal(op.mode)})`;
    case 'mkfile':
      return `open(${str(op.path)}, O_CREAT|O_CLOEXEC, ${octal(op.mode)})`;
    case 'symlink':
      return `symlink(${str(op.linkTarget)}, ${str(op.path)})`;
    case 'copyup':
      return `copy_up(${str(op.path)})`;
    case 'mknod': {
      const kind =
        op.deviceType === 'b' ? 'S_IFBLK' : op.deviceType === 'p' ? 'S_IFIFO' : 'S_IFCHR';
      const owner =
        op.uid !== 0 || op.gid !== 0 ? `; chown(${str(op.path)}, ${op.uid}, ${op.gid})` : '';
      return `mknod(${str(op.path)}, ${kind}|${octal(op.fileMode)}, makedev(${op.major}, ${op.minor}))${owner}`;
    }
    case 'write-network-file':
      return `write_file(${str(op.hostPath)})`;
    case 'sethostname':
    case 'setdomainname':
      return `${op.op}(${str(op.name)})`;
    case 'pivot-root':
      return `chdir(${str(op.rootfs)}); pivot_root(".", "."); umount2(".", MNT_DETACH)`;
    case 'chroot':
      return `chdir(${str(op.rootfs)}); chroot("."); chdir("/")`;
    case 'cgroup': {
      const name = (h: (typeof op.hierarchies)[number]) => h.name || 'cgroup2';
      const paths = new Set(op.hierarchies.map((h) => h.path));
      const where =
        paths.size === 1
          ? `${op.hierarchies[0].path} in ${op.hierarchies.map(name).join(',')}`
          : op.hierarchies.map((h) => `${name(h)}:${h.path}`).join(', ');
      const writes = op.writes.map((w) => {
        const h = op.hierarchies.find((x) => w.file.startsWith(`${x.mount}${x.path}/`));
        return `${h ? `${name(h)}/` : ''}${w.file.slice(w.file.lastIndexOf('/') + 1)}=${str(w.value)}`;
      });
      const devices = op.devices
        ? `; bpf(BPF_PROG_ATTACH, BPF_CGROUP_DEVICE: default ${op.devices.defaultAllow ? 'allow' : 'deny'}${op.devices.exceptions.length ? `, ${op.devices.defaultAllow ? 'deny' : 'allow'} ${op.devices.exceptions.map(renderDeviceException).join(', ')}` : ''})`
        : '';
      return `cgroup_create_and_join(${where})${writes.length ? `; write ${writes.join(', ')}` : ''}${devices}`;
    }
    case 'sysctl':
      return `write(${str(sysctlPath(op.key))}, ${str(op.value)})`;
    case 'oom-score-adj':
      return `write("/proc/self/oom_score_adj", "${op.value}")`;
    case 'seccomp': {
      const f = op.filter;
      const when = op.beforeExecve ? 'right before execve' : 'before the capabilities drop';
      const listener = op.listener
        ? `; the listener fd and the container state sent to ${str(op.listener.path)} (SCM_RIGHTS)`
        : '';
      return `seccomp_load(${f.rules.length} rule${f.rules.length === 1 ? '' : 's'}, default ${renderAction(f.defaultAction)}, arch ${f.architectures.join('|') || 'native'}${f.flags.length ? `, ${f.flags.join('|')}` : ''}) ${when}${listener}`;
    }
    case 'console':
      return `open(${str(op.ptmx)}) → pty; ${op.size ? `ioctl(TIOCSWINSZ, ${op.size.rows}×${op.size.cols}); ` : ''}mount(pty slave, ${str(op.path)}, MS_BIND); the process's stdio and controlling terminal`;
    case 'personality':
    case 'ioprio':
    case 'scheduler':
      return `${renderProcessAttr(op)} before the capabilities drop`;
    case 'exec-label':
      return renderExecLabel(op);
    case 'hook':
      return renderHook(op);
    case 'check-mount-flags':
      return `check /proc/self/mountinfo: every mount nosuid,nodev${op.devAllowed.length ? ` (dev allowed on ${op.devAllowed.join(', ')})` : ''}`;
  }
}

const HOOK_PLACE: Readonly<Record<HookOp['kind'], string>> = {
  prestart: 'by the runtime on the host, before pivot_root',
  createRuntime: 'by the runtime on the host, before pivot_root',
  createContainer: "in the container's namespaces, before pivot_root",
  startContainer: 'in the container, as the process user, right before execve',
  poststart: 'by the runtime on the host, once the process runs',
  poststop: 'by the runtime on the host, when the container is deleted',
};

function renderHook(op: HookOp): string {
  const argv = op.args.length ? op.args : [op.path];
  const limits = [
    op.timeoutSeconds !== undefined ? `timeout ${op.timeoutSeconds} s` : 'no timeout',
    op.env ? `env ${op.env.length} var${op.env.length === 1 ? '' : 's'}` : "the runtime's env",
    op.fatal ? 'failure aborts the launch' : 'failure warns',
  ];
  return `run ${op.kind} hook ${str(op.path)} argv [${argv.map(str).join(', ')}] with the state on stdin, ${HOOK_PLACE[op.kind]} (${limits.join(', ')})`;
}

/** Where an operation came from, in a few words: `mounts[2] /data`, `linux.maskedPaths[0]`, `added: …`. */
export function renderOrigin(origin: Origin, destination?: string): string {
  if (origin.kind === 'added') return `added: ${origin.reason}`;
  let s = '';
  for (const seg of origin.path)
    s += typeof seg === 'number' ? `[${seg}]` : s === '' ? seg : `.${seg}`;
  return destination && origin.mountIndex !== undefined ? `${s} ${destination}` : s;
}

/** The path an operation acts on, for labelling it with its mount's destination. */
export function operationTarget(op: Operation): string | undefined {
  switch (op.op) {
    case 'mount':
    case 'readonly-path':
    case 'mask':
    case 'setattr':
      return op.target;
    case 'mkdir':
    case 'mkfile':
    case 'symlink':
    case 'copyup':
    case 'mknod':
      return op.path;
    default:
      return undefined;
  }
}
