// Run the launch path once against the recording fake while the init is idle, so that the
// first real launch does not pay for V8 compiling each function on its first call, and
// touch the koffi calls in ways that cannot change anything (they fail with ENOENT/EBADF).
import type { LaunchSpec, MountOp, Operation, Plan } from '@bindery/plan';
import { execProcess } from './processSetup';
import { RecordingSyscalls } from './recordingSyscalls';
import { setupRootfs } from './rootfs';
import {
  AT_FDCWD,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  RESOLVE_IN_ROOT,
  type Syscalls,
} from './syscalls';

const R = '/warm/rootfs';
const added = { kind: 'added' as const, reason: 'warm-up' };
const mount = (p: Partial<MountOp> & { target: string }): MountOp => ({
  op: 'mount',
  source: null,
  targetScope: 'rootfs',
  fstype: null,
  flags: [],
  data: '',
  purpose: 'mount',
  origin: added,
  ...p,
});

const operations: Operation[] = [
  mount({
    target: '/',
    targetScope: 'host',
    flags: ['MS_REC', 'MS_PRIVATE'],
    purpose: 'root-propagation',
  }),
  mount({
    source: R,
    target: R,
    targetScope: 'host',
    flags: ['MS_BIND', 'MS_REC'],
    purpose: 'rootfs-bind',
  }),
  { op: 'mkdir', path: '/proc', mode: 0o755, origin: added },
  mount({ source: 'proc', target: '/proc', fstype: 'proc' }),
  { op: 'mkdir', path: '/dev/pts', mode: 0o755, origin: added },
  mount({ source: 'tmpfs', target: '/dev', fstype: 'tmpfs', data: 'mode=755' }),
  { op: 'copyup', path: '/dev', origin: added },
  mount({ source: '/warm/src', target: '/dev/pts', flags: ['MS_BIND'] }),
  mount({ target: '/dev/pts', flags: ['MS_REC', 'MS_PRIVATE'], purpose: 'propagation' }),
  mount({ target: '/dev/pts', flags: ['MS_REMOUNT', 'MS_BIND', 'MS_RDONLY'], purpose: 'remount' }),
  {
    op: 'setattr',
    target: '/dev/pts',
    targetScope: 'rootfs',
    attrSet: ['MOUNT_ATTR_NODEV'],
    attrClr: [],
    recursive: true,
    origin: added,
  },
  { op: 'write-network-file', file: 'hosts', hostPath: '/warm/state/hosts', origin: added },
  {
    op: 'write-network-file',
    file: 'resolv.conf',
    hostPath: '/warm/state/resolv.conf',
    origin: added,
  },
  { op: 'mkfile', path: '/etc/hosts', mode: 0o755, origin: added },
  {
    op: 'mknod',
    path: '/dev/null',
    deviceType: 'c',
    major: 1,
    minor: 3,
    fileMode: 0o666,
    uid: 0,
    gid: 0,
    origin: added,
  },
  { op: 'symlink', linkTarget: '/proc/self/fd', path: '/dev/fd', origin: added },
  { op: 'pivot-root', rootfs: R, origin: added },
  mount({
    target: '/',
    targetScope: 'container',
    flags: ['MS_RDONLY', 'MS_REMOUNT', 'MS_BIND'],
    purpose: 'readonly-root',
  }),
  { op: 'sethostname', name: 'warm', origin: added },
  mount({
    source: '/proc/sys',
    target: '/proc/sys',
    targetScope: 'container',
    flags: ['MS_BIND', 'MS_REC'],
    purpose: 'readonly-path',
  }),
  mount({
    source: '/proc/sys',
    target: '/proc/sys',
    targetScope: 'container',
    flags: ['MS_BIND', 'MS_REMOUNT', 'MS_RDONLY'],
    purpose: 'readonly-path',
  }),
  mount({
    source: '/dev/null',
    target: '/proc/kcore',
    targetScope: 'container',
    flags: ['MS_BIND'],
    purpose: 'mask',
  }),
  mount({
    source: 'tmpfs',
    target: '/proc/acpi',
    targetScope: 'container',
    fstype: 'tmpfs',
    flags: ['MS_RDONLY'],
    purpose: 'mask',
  }),
];

export function warmUp(real: Syscalls): void {
  const fake = new RecordingSyscalls({
    [`${R}/etc`]: 'dir',
    [`${R}/bin/true`]: 'file',
    [`${R}/proc/sys`]: 'dir',
    [`${R}/proc/kcore`]: 'file',
    [`${R}/proc/acpi`]: 'dir',
    '/warm/src': 'dir',
    '/warm/state': 'dir',
  });
  fake.add(`${R}/dev/null`, { chr: 259 });
  const plan: Plan = { mounts: [], operations, findings: [], rootfs: R };
  const text = JSON.stringify({ type: 'operation', event: { plan } });
  JSON.parse(text);
  setupRootfs(plan, fake, {
    id: 'warm',
    stateDir: '/warm/state',
    network: { hostname: 'warm', ownNetworkNamespace: true },
    emit: (e) => JSON.stringify(e),
  });
  const spec: LaunchSpec['process'] = {
    args: ['true'],
    env: ['PATH=/bin'],
    cwd: '/',
    uid: 0,
    gid: 0,
    additionalGids: [],
    umask: 0o22,
    rlimits: [{ name: 'RLIMIT_NOFILE', resource: 7, soft: 1024, hard: 1024 }],
    noNewPrivileges: true,
    capabilities: { bounding: [5], effective: [5], permitted: [5], inheritable: [], ambient: [] },
  };
  execProcess(
    fake,
    spec,
    { stdin: 0, stdout: 1, stderr: 2 },
    () => {},
    () => {},
  );

  // The real calls, each failing harmlessly.
  const root = real.openat(AT_FDCWD, '/', O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (root.ok) {
    const r = real.openat2(
      root.value,
      'nonexistent-bindery-warm-up',
      O_PATH | O_CLOEXEC,
      0,
      RESOLVE_IN_ROOT,
    );
    if (r.ok) real.close(r.value);
    real.fstat(root.value);
    real.close(root.value);
  }
  real.mount(null, '/nonexistent-bindery-warm-up', null, 0, null);
  real.mkdirat(-1, 'x', 0);
  real.mknodat(-1, 'x', 0, 0);
  real.symlinkat('x', -1, 'x');
}
