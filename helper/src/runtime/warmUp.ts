// Run the launch path once against the recording fake while the init is idle, so that the
// first real launch does not pay for V8 compiling each function on its first call, and
// touch the koffi calls in ways that cannot change anything (they fail with ENOENT/EBADF).
import {
  CAPABILITIES,
  copyUpOp,
  type LaunchSpec,
  maskOp,
  mkdirOp,
  mkfileOp,
  mknodOp,
  mountOp,
  nameOp,
  type Operation,
  pivotRootOp,
  type Plan,
  propagationOp,
  readonlyPathOps,
  RLIMITS,
  rootfsBindOp,
  rootfsParentPrivateOp,
  setattrOp,
  symlinkOp,
  writeNetworkFileOp,
} from '@bindery/plan';
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

const operations: Operation[] = [
  propagationOp('/', ['MS_REC', 'MS_PRIVATE'], added, 'host'),
  rootfsParentPrivateOp(R, added),
  rootfsBindOp(R, added),
  mkdirOp('/proc', 0o755, added),
  mountOp({ source: 'proc', target: '/proc', fstype: 'proc' }, added),
  mkdirOp('/dev/pts', 0o755, added),
  mountOp({ source: 'tmpfs', target: '/dev', fstype: 'tmpfs', data: 'mode=755' }, added),
  copyUpOp('/dev', added),
  mountOp({ source: '/warm/src', target: '/dev/pts', flags: ['MS_BIND'] }, added),
  propagationOp('/dev/pts', ['MS_REC', 'MS_PRIVATE'], added),
  mountOp({ target: '/dev/pts', flags: ['MS_REMOUNT', 'MS_BIND', 'MS_RDONLY'] }, added),
  setattrOp('/dev/pts', { set: ['MOUNT_ATTR_NODEV'], recursive: true }, added),
  writeNetworkFileOp('hosts', '/warm/state/hosts', added),
  writeNetworkFileOp('resolv.conf', '/warm/state/resolv.conf', added),
  mkfileOp('/etc/hosts', 0o755, added),
  mknodOp(
    { path: '/dev/null', deviceType: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 },
    added,
  ),
  symlinkOp('/proc/self/fd', '/dev/fd', added),
  pivotRootOp(R, added),
  mountOp(
    { target: '/', targetScope: 'container', flags: ['MS_RDONLY', 'MS_REMOUNT', 'MS_BIND'] },
    added,
  ),
  nameOp('sethostname', 'warm', added),
  ...readonlyPathOps('/proc/sys', added),
  maskOp('/proc/kcore', 'dev-null', ['MS_RDONLY'], added),
  maskOp('/proc/acpi', 'tmpfs', ['MS_RDONLY'], added),
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
    stateDir: '/warm/state',
    network: { hostname: 'warm', ownNetworkNamespace: true },
    emit: (e) => JSON.stringify(e),
  });
  const KILL = CAPABILITIES.indexOf('CAP_KILL');
  const spec: LaunchSpec['process'] = {
    args: ['true'],
    env: ['PATH=/bin'],
    cwd: '/',
    uid: 0,
    gid: 0,
    additionalGids: [],
    umask: 0o22,
    rlimits: [{ name: 'RLIMIT_NOFILE', resource: RLIMITS.RLIMIT_NOFILE, soft: 1024, hard: 1024 }],
    noNewPrivileges: true,
    capabilities: { bounding: [KILL], effective: [KILL], permitted: [KILL], inheritable: [], ambient: [] },
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
