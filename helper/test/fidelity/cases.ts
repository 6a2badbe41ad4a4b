// The fidelity cases: one bundle each, run under runc and under Bindery with the probe
// (probe.sh) as its process. Each starts from what `runc spec` writes (so runc, which adds
// nothing, and Bindery see the same mounts) and changes one thing a user might write.
// `differences` names the rows of the documented-differences table this case shows; the
// suite fails when a case differs anywhere else, or no longer differs where it says.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { engineSpec } from '../engineSpecs';
import {
  RUNC_MASKED_PATHS,
  RUNC_READONLY_PATHS,
  runcMounts,
  SYSTEM_MOUNT_POINTS,
} from '../baseSpec';

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- cases reshape the spec freely
export type Spec = any;

export interface FidelityCase {
  name: string;
  /** Changes the spec (a fresh copy of `runcSpec()`) in place; `bundleDir` is where it will be. */
  change?: (spec: Spec, bundleDir: string) => void;
  /** More probe lines, read from the bundle after the run (what hooks recorded). */
  collect?: (bundleDir: string, id: string) => string;
  /** Adds files to the rootfs (a fresh copy for each runtime) before the run. */
  prepare?: (rootfs: string) => void;
  /** Extra paths the probe stats. */
  paths?: string[];
  /** Ids of documented differences this case shows (see differences.ts). */
  differences: string[];
  /** Probe lines Bindery's run must show besides agreeing with runc (what a user checks first). */
  expect?: Record<string, string>;
}

/** Bindery writes the network files; runc leaves the rootfs's (see the table). */
const NET = 'network-files';
/**
 * runc 1.1.5 chmods a tmpfs over an existing directory back to the directory's mode (a bug
 * later runc fixed): the /sys/fs/cgroup tmpfs of runc's default spec shows it in every case.
 */
const CG = 'tmpfs-mode-existing-dir';

export const CAPS = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

/** Where a user-namespaced case's root is on the host. */
const USERNS_ROOT = 100000;

function chownTree(dir: string, id: number): void {
  const r = spawnSync('chown', ['-R', '--no-dereference', `${id}:${id}`, dir]);
  if (r.status !== 0) throw new Error(`chown -R ${dir}: ${String(r.stderr)}`);
}

const holders: ChildProcess[] = [];
process.on('exit', () => {
  for (const h of holders) if (h.exitCode === null && h.signalCode === null) h.kill('SIGKILL');
});

/**
 * A namespace of a process of its own (`unshare --net` or `--mount` running `sleep`), for a
 * case that joins one by path: one per run, killed when the suite exits.
 */
function heldNamespace(kind: 'net' | 'mnt'): string {
  const h = spawn('unshare', [kind === 'net' ? '--net' : '--mount', '--', 'sleep', '600'], {
    stdio: 'ignore',
  });
  holders.push(h);
  h.unref(); // killed when the suite exits, not waited for
  const own = fs.readlinkSync(`/proc/self/ns/${kind}`);
  // The namespace exists once unshare has exec'd sleep.
  for (let i = 0; i < 500; i++) {
    try {
      if (fs.readlinkSync(`/proc/${h.pid}/ns/${kind}`) !== own) return `/proc/${h.pid}/ns/${kind}`;
    } catch {
      // not started yet
    }
    spawnSync('sleep', ['0.01']);
  }
  throw new Error(`unshare --${kind} did not start`);
}

/** `runc spec` (1.1.5) with the probe as the process and no terminal. */
export function runcSpec(): Spec {
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: false,
      user: { uid: 0, gid: 0 },
      args: ['/bin/sh', '/probe'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: { bounding: CAPS, effective: CAPS, permitted: CAPS },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'runc',
    mounts: runcMounts(...SYSTEM_MOUNT_POINTS, '/sys/fs/cgroup'),
    linux: {
      namespaces: ['pid', 'network', 'ipc', 'uts', 'mount'].map((type) => ({ type })),
      maskedPaths: [...RUNC_MASKED_PATHS, '/proc/asound', '/proc/timer_stats'],
      readonlyPaths: [...RUNC_READONLY_PATHS],
    },
  };
}

const tmpfs = (destination: string, options: string[]) => ({
  destination,
  type: 'tmpfs',
  source: 'tmpfs',
  options,
});
const bind = (destination: string, source: string, options: string[]) => ({
  destination,
  type: 'bind',
  source,
  options,
});
const write = (rootfs: string, file: string, text: string) => {
  fs.mkdirSync(path.dirname(path.join(rootfs, file)), { recursive: true });
  fs.writeFileSync(path.join(rootfs, file), text);
};
/** The block device holding the root filesystem, for per-device limits. */
function rootDisk(): { major: number; minor: number } {
  const dev = fs.statSync('/').dev;
  const byNumber = `/sys/dev/block/${Math.floor(dev / 256) & 0xfff}:${dev % 256}`;
  // An overlay root has no block device: any disk of the host will do.
  const sys = fs.existsSync(byNumber)
    ? fs.realpathSync(byNumber)
    : path.join('/sys/block', fs.readdirSync('/sys/block').sort()[0]);
  // The kernel takes limits on a whole disk, not on a partition.
  const disk = fs.existsSync(path.join(sys, 'partition')) ? path.dirname(sys) : sys;
  const [major, minor] = fs.readFileSync(path.join(disk, 'dev'), 'utf8').trim().split(':');
  return { major: Number(major), minor: Number(minor) };
}

/** The bundle directory of a rootfs (bind sources live beside the rootfs). */
const bundleOf = (rootfs: string) => path.dirname(rootfs);

export const CASES: FidelityCase[] = [
  {
    name: 'runc spec as written (ambient capabilities, device rules)',
    change: (s) => {
      s.process.capabilities.ambient = CAPS;
      s.linux.resources = { devices: [{ allow: false, access: 'rwm' }] };
    },
    differences: [NET, CG],
  },
  { name: 'runc spec without ambient capabilities', differences: [NET, CG] },
  {
    name: 'a cgroup namespace, the network files and no cgroup mount: the same container',
    prepare: (rootfs) => {
      for (const f of ['hosts', 'hostname', 'resolv.conf'])
        fs.writeFileSync(path.join(bundleOf(rootfs), f), `# ${f}\n`);
    },
    change: (s) => {
      s.mounts = s.mounts.filter((m: Spec) => m.type !== 'cgroup');
      s.linux.namespaces.push({ type: 'cgroup' });
      s.process.user = { uid: 1000, gid: 1000, additionalGids: [5] };
      for (const f of ['hosts', 'hostname', 'resolv.conf'])
        s.mounts.push(bind(`/etc/${f}`, f, ['rbind', 'ro', 'nosuid', 'nodev']));
    },
    differences: [],
  },
  {
    name: 'writable root',
    change: (s) => (s.root.readonly = false),
    differences: [NET, CG],
  },
  {
    name: 'no HOME in env: root takes /root from /etc/passwd',
    differences: [NET, CG],
  },
  {
    name: 'no HOME in env: uid 1000 takes /home/app from /etc/passwd',
    change: (s) => (s.process.user = { uid: 1000, gid: 1000 }),
    differences: [NET, CG],
  },
  {
    name: 'HOME in env is kept',
    change: (s) => s.process.env.push('HOME=/data'),
    differences: [NET, CG],
  },
  {
    name: 'user 1000:1000 with additional groups and umask 077',
    change: (s) => {
      s.process.user = { uid: 1000, gid: 1000, additionalGids: [5, 100], umask: 0o077 };
      s.process.env.push('HOME=/home/app');
      s.root.readonly = false;
    },
    differences: [NET, CG],
  },
  {
    name: 'missing cwd is created root-owned 0755',
    change: (s) => {
      s.process.user = { uid: 1000, gid: 1000, umask: 0o077 };
      s.process.env.push('HOME=/home/app');
      s.process.cwd = '/work/deep';
      s.root.readonly = false;
    },
    paths: ['/work'],
    differences: [NET, CG],
  },
  {
    name: 'capabilities with inheritable and ambient',
    change: (s) => {
      const caps = ['CAP_CHOWN', 'CAP_NET_RAW', 'CAP_SETUID'];
      s.process.capabilities = {
        bounding: [...caps, 'CAP_SYS_ADMIN'],
        effective: caps,
        permitted: caps,
        inheritable: caps,
        ambient: ['CAP_NET_RAW'],
      };
    },
    differences: [NET, CG],
  },
  {
    name: 'no capabilities listed, noNewPrivileges false',
    change: (s) => {
      delete s.process.capabilities;
      s.process.noNewPrivileges = false;
    },
    differences: [NET, CG],
  },
  {
    name: 'rlimits',
    change: (s) =>
      s.process.rlimits.push(
        { type: 'RLIMIT_NPROC', soft: 512, hard: 1024 },
        { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
        { type: 'RLIMIT_STACK', soft: 4194304, hard: 8388608 },
      ),
    differences: [NET, CG],
  },
  {
    name: 'hostname and domainname',
    change: (s) => {
      s.hostname = 'fidelity';
      s.domainname = 'example.test';
    },
    differences: [NET, CG, 'domainname'],
  },
  {
    name: 'the spec mounts the network files itself, no cgroup mount',
    prepare: (rootfs) => {
      for (const f of ['hosts', 'hostname', 'resolv.conf'])
        fs.writeFileSync(path.join(bundleOf(rootfs), f), `# ${f} from the bundle\n`);
    },
    change: (s) => {
      // Without runc's cgroup mount too: nothing left that differs.
      s.mounts = s.mounts.filter((m: Spec) => m.type !== 'cgroup');
      for (const f of ['hosts', 'hostname', 'resolv.conf'])
        s.mounts.push(bind(`/etc/${f}`, f, ['rbind', 'ro']));
    },
    differences: [],
  },
  {
    name: 'tmpfs with mode= over an existing directory',
    prepare: (rootfs) => fs.chmodSync(path.join(rootfs, 'data'), 0o711),
    change: (s) => s.mounts.push(tmpfs('/data', ['nosuid', 'mode=1770', 'size=1m'])),
    differences: [NET, CG],
  },
  {
    name: 'tmpfs with mode= on a new directory',
    change: (s) => s.mounts.push(tmpfs('/new/tmp', ['nodev', 'mode=700', 'uid=1000', 'gid=1000'])),
    paths: ['/new'],
    differences: [NET, CG],
  },
  {
    name: 'read-only tmpfs',
    change: (s) => s.mounts.push(tmpfs('/data', ['ro', 'nosuid', 'nodev', 'noexec', 'size=1m'])),
    differences: [NET, CG],
  },
  {
    name: 'tmpcopyup over /etc',
    change: (s) => s.mounts.push(tmpfs('/etc', ['tmpcopyup', 'mode=755'])),
    differences: [NET, CG],
  },
  {
    name: 'destination through a dangling symlink in the rootfs',
    prepare: (rootfs) => fs.symlinkSync('/var/missing/cache', path.join(rootfs, 'cache')),
    change: (s) => s.mounts.push(tmpfs('/cache', ['size=1m'])),
    paths: ['/var/missing', '/var/missing/cache'],
    differences: [NET, CG],
  },
  {
    name: 'destination through an absolute symlink stays in the rootfs',
    prepare: (rootfs) => {
      fs.mkdirSync(path.join(rootfs, 'srv'));
      fs.symlinkSync('/srv', path.join(rootfs, 'link'));
    },
    change: (s) => s.mounts.push(tmpfs('/link/inner', ['size=1m'])),
    paths: ['/srv/inner'],
    differences: [NET, CG],
  },
  {
    name: 'read-only bind of a bundle directory with nosuid,nodev',
    prepare: (rootfs) => write(bundleOf(rootfs), 'shared/file', 'data\n'),
    change: (s) => s.mounts.push(bind('/mnt/shared', 'shared', ['rbind', 'ro', 'nosuid', 'nodev'])),
    paths: ['/mnt/shared/file'],
    differences: [NET, CG],
  },
  {
    name: 'bind of a file, and rro over a bind with a submount',
    prepare: (rootfs) => {
      write(bundleOf(rootfs), 'one.conf', 'one\n');
      write(bundleOf(rootfs), 'tree/a', 'a\n');
    },
    change: (s) =>
      s.mounts.push(
        bind('/etc/one.conf', 'one.conf', ['bind', 'ro']),
        bind('/tree', 'tree', ['rbind', 'rro']),
      ),
    paths: ['/etc/one.conf'],
    differences: [NET, CG],
  },
  {
    name: 'propagation options on a bind',
    prepare: (rootfs) => fs.mkdirSync(path.join(bundleOf(rootfs), 'prop')),
    change: (s) => {
      s.mounts.push(bind('/prop', 'prop', ['rbind', 'rshared']));
      s.linux.rootfsPropagation = 'rslave';
    },
    differences: [NET, CG],
  },
  {
    name: 'masked and read-only paths in the rootfs',
    prepare: (rootfs) => {
      write(rootfs, 'secret/key', 'k\n');
      write(rootfs, 'etc/token', 't\n');
      fs.mkdirSync(path.join(rootfs, 'opt/ro'), { recursive: true });
    },
    change: (s) => {
      s.root.readonly = false;
      s.linux.maskedPaths.push('/secret', '/etc/token', '/not/there');
      s.linux.readonlyPaths.push('/opt/ro', '/not/there/either');
    },
    differences: [NET, CG],
  },
  {
    name: 'devices from linux.devices',
    change: (s) =>
      (s.linux.devices = [
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 },
        {
          path: '/dev/custom/null2',
          type: 'c',
          major: 1,
          minor: 3,
          fileMode: 0o640,
          uid: 1000,
          gid: 5,
        },
      ]),
    paths: ['/dev/custom/null2'],
    differences: [NET, CG],
  },
  {
    name: 'cgroup mount read-write',
    change: (s) =>
      (s.mounts.find((m: Spec) => m.type === 'cgroup').options = ['nosuid', 'noexec', 'nodev']),
    differences: [NET, CG],
  },
  {
    name: 'cgroup namespace',
    change: (s) => s.linux.namespaces.push({ type: 'cgroup' }),
    differences: [NET, CG],
  },
  {
    name: 'host network namespace',
    change: (s) =>
      (s.linux.namespaces = s.linux.namespaces.filter((n: Spec) => n.type !== 'network')),
    differences: [NET, CG],
  },
  {
    name: 'sysctls',
    change: (s) =>
      (s.linux.sysctl = {
        'kernel.shm_rmid_forced': '1',
        'kernel.msgmax': '4096',
        'net.ipv4.ip_forward': '1',
        'net.core.somaxconn': '256',
        'fs.mqueue.msg_max': '20',
      }),
    differences: [NET, CG],
  },
  {
    name: 'sysctls in the IPC and UTS namespaces, without a network namespace',
    change: (s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: Spec) => n.type !== 'network');
      s.linux.sysctl = { 'fs.mqueue.msg_max': '32', 'kernel.sem': '250 32000 100 128' };
    },
    differences: [NET, CG],
  },
  {
    name: 'oomScoreAdj',
    change: (s) => (s.process.oomScoreAdj = 500),
    differences: [NET, CG],
  },
  {
    name: 'linux.resources: memory, pids, cpu',
    change: (s) =>
      (s.linux.resources = {
        memory: { limit: 64 * 1024 * 1024, reservation: 32 * 1024 * 1024, swappiness: 10 },
        pids: { limit: 64 },
        cpu: { shares: 512, quota: 50000, period: 100000 },
      }),
    differences: [NET, CG],
  },
  {
    name: 'linux.resources: blockIO weight and throttles (BFQ on this kernel)',
    change: (s) =>
      (s.linux.resources = {
        blockIO: {
          weight: 500,
          throttleReadBpsDevice: [{ ...rootDisk(), rate: 1048576 }],
          throttleWriteBpsDevice: [{ ...rootDisk(), rate: 2097152 }],
          throttleReadIOPSDevice: [{ ...rootDisk(), rate: 200 }],
          throttleWriteIOPSDevice: [{ ...rootDisk(), rate: 100 }],
        },
      }),
    differences: [NET, CG],
  },
  {
    name: 'linux.resources: memory and swap, kernel limits ignored as runc 1.1 ignores them',
    change: (s) =>
      (s.linux.resources = {
        memory: {
          limit: 64 * 1024 * 1024,
          swap: 128 * 1024 * 1024,
          kernel: 32 * 1024 * 1024,
          kernelTCP: 16 * 1024 * 1024,
        },
      }),
    differences: [NET, CG],
  },
  {
    name: 'linux.resources: cpu realtime runtime and period, burst and idle ignored as runc 1.1',
    change: (s) =>
      (s.linux.resources = {
        cpu: { realtimePeriod: 1000000, realtimeRuntime: 10000, burst: 1000, idle: 1 },
      }),
    differences: [NET, CG],
  },
  {
    name: 'process attributes: scheduler, ioPriority, personality (runc 1.1.5 ignores them)',
    change: (s) => {
      s.process.scheduler = { policy: 'SCHED_BATCH', nice: 5 };
      s.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 6 };
      s.linux.personality = { domain: 'LINUX32' };
    },
    differences: [NET, CG, 'process-attributes'],
  },
  {
    name: 'process attributes: SCHED_RR and the real-time I/O class, set before the capabilities drop',
    change: (s) => {
      // A real-time task in a v1 cpu cgroup needs real-time runtime there.
      s.linux.resources = { cpu: { realtimePeriod: 1000000, realtimeRuntime: 10000 } };
      s.process.scheduler = { policy: 'SCHED_RR', priority: 10 };
      s.process.ioPriority = { class: 'IOPRIO_CLASS_RT', priority: 3 };
    },
    differences: [NET, CG, 'process-attributes'],
  },
  {
    name: "podman's seccomp profile",
    change: (s) => (s.linux.seccomp = podmanSeccomp()),
    differences: [NET, CG],
  },
  {
    name: "podman's seccomp profile without noNewPrivileges (loaded before the capabilities drop)",
    change: (s) => {
      s.linux.seccomp = podmanSeccomp();
      s.process.noNewPrivileges = false;
    },
    differences: [NET, CG],
  },
  {
    name: 'seccomp: errnoRet, argument conditions, architectures (runc 1.1.5 refuses flags)',
    change: (s) =>
      (s.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_AARCH64'],
        syscalls: [
          { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 18 },
          {
            names: ['personality'],
            action: 'SCMP_ACT_ERRNO',
            args: [
              { index: 0, value: 8, op: 'SCMP_CMP_EQ' },
              { index: 0, value: 131072, op: 'SCMP_CMP_EQ' },
            ],
          },
          { names: ['no_such_syscall'], action: 'SCMP_ACT_KILL_PROCESS' },
          { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
        ],
      }),
    differences: [NET, CG],
  },
];

/** The seccomp profile podman generates. */
export function podmanSeccomp(): unknown {
  return engineSpec('podman').linux.seccomp;
}

/**
 * The spec an engine generated (../engineSpecs.ts), made
 * runnable here: the busybox rootfs, bind sources of the engine's run directory as files of
 * the bundle, its cgroup at a name of this run. Everything else — seccomp profile, limits,
 * capabilities, masked paths — as the engine wrote it.
 */
function asEngineWrote(engine: 'podman' | 'containerd'): (s: Spec) => void {
  return (s) => {
    const e = engineSpec(engine);
    for (const k of Object.keys(s)) delete s[k];
    Object.assign(s, e);
    s.root = { path: 'rootfs', readonly: false };
    s.process.terminal = false;
    for (const m of s.mounts)
      if (m.source?.startsWith('/') && (m.options ?? []).some((o: string) => /^r?bind$/.test(o)))
        m.source = `engine-${path.basename(m.source)}`;
    s.linux.cgroupsPath = `/fidelity-${engine}-${process.pid}`;
  };
}

/** Files and directories a bind of an engine spec reads from the bundle (see engineSpec). */
function engineFiles(engine: 'podman' | 'containerd'): (rootfs: string) => void {
  return (rootfs) => {
    const e = engineSpec(engine);
    for (const m of e.mounts)
      if (m.source?.startsWith('/') && (m.options ?? []).some((o: string) => /^r?bind$/.test(o))) {
        const p = path.join(bundleOf(rootfs), `engine-${path.basename(m.source)}`);
        if (m.destination === '/dev/shm') fs.mkdirSync(p, { mode: 0o1777 });
        else fs.writeFileSync(p, `# ${m.destination} from the engine\n`);
      }
  };
}

export const ENGINE_CASES: FidelityCase[] = [
  {
    name: "podman's generated spec: its seccomp profile, pids limit and device rules",
    prepare: engineFiles('podman'),
    change: asEngineWrote('podman'),
    // podman binds /etc/hosts and /etc/hostname itself; Bindery adds /etc/resolv.conf.
    differences: [NET, CG],
    expect: {
      'status Seccomp': '2',
      'status Seccomp_filters': '1',
      'cgroup file pids/pids.max': '2048 ',
      'status NoNewPrivs': '0',
    },
  },
  {
    name: "containerd's generated spec: cpu shares, device rules",
    change: asEngineWrote('containerd'),
    differences: [NET],
    expect: { 'status NoNewPrivs': '1', 'status Seccomp': '0' },
  },
  {
    name: 'user namespace with maps: ids inside, /proc mounted, what the runtime makes owned by the mapped root',
    change: (s) => {
      s.linux.namespaces.push({ type: 'user' });
      s.linux.uidMappings = [{ containerID: 0, hostID: USERNS_ROOT, size: 65536 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: USERNS_ROOT, size: 65536 }];
      s.mounts.push({
        destination: '/made/by',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid'],
      });
    },
    // The container's root must own its rootfs to create mount points in it, and reach it
    // through the suite's temporary directory (runc alike).
    prepare: (rootfs) => {
      chownTree(rootfs, USERNS_ROOT);
      fs.chmodSync(path.dirname(path.dirname(rootfs)), 0o711);
    },
    paths: ['/made', '/made/by'],
    // No network files in a user namespace: the rootfs's own, as under runc.
    differences: [CG, 'userns-mqueue-group'],
  },
  {
    name: 'user namespace with an idmap bind: host files shown with the container’s mapping',
    change: (s, bundleDir) => {
      s.linux.namespaces.push({ type: 'user' });
      s.linux.uidMappings = [{ containerID: 0, hostID: USERNS_ROOT, size: 65536 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: USERNS_ROOT, size: 65536 }];
      const src = path.join(bundleDir, 'idmap-src');
      fs.mkdirSync(src, { recursive: true });
      fs.writeFileSync(path.join(src, 'f'), 'owned by host uid 1000\n');
      fs.chownSync(path.join(src, 'f'), 1000, 1000);
      s.mounts.push({ destination: '/idmapped', type: 'bind', source: src, options: ['rbind', 'idmap'] });
    },
    prepare: (rootfs) => {
      chownTree(rootfs, USERNS_ROOT);
      fs.chmodSync(path.dirname(path.dirname(rootfs)), 0o711);
    },
    paths: ['/idmapped/f'],
    differences: [CG, 'userns-mqueue-group', 'idmapped-mounts'],
    expect: { 'stat /idmapped/f': 'regular file 644 1000:1000' },
  },
  {
    name: 'joined network namespace (of another process)',
    change: (s) =>
      (s.linux.namespaces.find((n: Spec) => n.type === 'network').path = heldNamespace('net')),
    differences: [NET, CG],
  },
  {
    name: 'joined mount namespace (of another process): the rootfs is set up in it, as runc does',
    change: (s) =>
      (s.linux.namespaces.find((n: Spec) => n.type === 'mount').path = heldNamespace('mnt')),
    differences: [NET, CG],
  },
];

/** Specs runc refuses to run, and Bindery must too (nothing starts, nothing is left). */
export const REFUSED: { name: string; change: (spec: Spec) => void }[] = [
  {
    name: 'hugepageLimits where no hugetlb controller is mounted (cgroup v1)',
    change: (s) => (s.linux.resources = { hugepageLimits: [{ pageSize: '2MB', limit: 0 }] }),
  },
  {
    name: 'a network class where no net_cls controller is mounted (cgroup v1)',
    change: (s) => (s.linux.resources = { network: { classID: 1048577 } }),
  },
  {
    name: 'unified on a host whose controllers are in cgroup v1 hierarchies',
    change: (s) => (s.linux.resources = { unified: { 'memory.high': '100000000' } }),
  },
  {
    name: 'an SELinux label on a host without SELinux',
    change: (s) => (s.process.selinuxLabel = 'system_u:system_r:container_t:s0'),
  },
  {
    name: 'an AppArmor profile on a host without AppArmor',
    change: (s) => (s.process.apparmorProfile = 'docker-default'),
  },
  {
    name: 'a sysctl outside any namespace of the container',
    change: (s) => (s.linux.sysctl = { 'vm.overcommit_memory': '1' }),
  },
  {
    name: 'a net.* sysctl without a network namespace',
    change: (s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: Spec) => n.type !== 'network');
      s.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
    },
  },
  {
    name: 'an IPC sysctl without an IPC namespace',
    change: (s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: Spec) => n.type !== 'ipc');
      s.linux.sysctl = { 'kernel.shm_rmid_forced': '1' };
    },
  },
];

/**
 * process.terminal, run the way engines run it: `create --console-socket` (the test holds
 * the socket and reads the pty master it receives), then `start`, under runc and Bindery.
 */
export const TERMINAL_CASES: FidelityCase[] = [
  {
    name: 'terminal: tty on stdio, /dev/console, consoleSize',
    change: (s) => {
      s.process.terminal = true;
      s.process.consoleSize = { height: 33, width: 111 };
    },
    differences: [NET, CG],
  },
  {
    name: 'terminal as a non-root user (the tty is given to the user)',
    change: (s) => {
      s.process.terminal = true;
      s.process.user = { uid: 1000, gid: 1000 };
    },
    differences: [NET, CG],
  },
];
