// What the plan does not carry and the launch needs: the process (args, env, cwd, user,
// rlimits, capabilities, noNewPrivileges), the namespaces and the names, read from the
// spec and checked. Bad input is a value naming the field, never an exception.
import { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWUTS } from './syscalls';

export interface ProcessSetup {
  args: string[];
  env: string[];
  cwd: string;
  uid: number;
  gid: number;
  additionalGids: number[];
  /** Umask for the process; 0o022 when the spec gives none (runc's default). */
  umask: number;
  rlimits: { name: string; resource: number; soft: number; hard: number }[];
  noNewPrivileges: boolean;
  /** Capability sets as cap numbers; undefined = the spec lists none, leave them as they are (runc). */
  capabilities?: {
    bounding: number[];
    effective: number[];
    permitted: number[];
    inheritable: number[];
    ambient: number[];
  };
}

export interface NamespaceSetup {
  /** A new PID namespace (the init is spawned into it by the launcher). */
  newPid: boolean;
  /** Flags for the init's unshare(2); always includes CLONE_NEWNS. */
  unshare: number;
  /** Namespaces joined by path before unsharing. */
  join: { type: string; path: string; flag: number }[];
  /** A network namespace of its own, new or joined: loopback nameservers are dropped from resolv.conf. */
  ownNetwork: boolean;
  /** A new network namespace: loopback is brought up in it. */
  newNetwork: boolean;
}

export interface LaunchSpec {
  process: ProcessSetup;
  namespaces: NamespaceSetup;
  hostname?: string;
  domainname?: string;
}

export interface LaunchSpecError {
  /** JSON path in the spec, e.g. `process.args`. */
  field: string;
  message: string;
}

const RLIMITS: Record<string, number> = {
  RLIMIT_CPU: 0,
  RLIMIT_FSIZE: 1,
  RLIMIT_DATA: 2,
  RLIMIT_STACK: 3,
  RLIMIT_CORE: 4,
  RLIMIT_RSS: 5,
  RLIMIT_NPROC: 6,
  RLIMIT_NOFILE: 7,
  RLIMIT_MEMLOCK: 8,
  RLIMIT_AS: 9,
  RLIMIT_LOCKS: 10,
  RLIMIT_SIGPENDING: 11,
  RLIMIT_MSGQUEUE: 12,
  RLIMIT_NICE: 13,
  RLIMIT_RTPRIO: 14,
  RLIMIT_RTTIME: 15,
};

export const CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
];

const NAMESPACE_FLAGS: Record<string, number> = {
  mount: CLONE_NEWNS,
  uts: CLONE_NEWUTS,
  ipc: CLONE_NEWIPC,
  network: CLONE_NEWNET,
  cgroup: CLONE_NEWCGROUP,
};

const obj = (v: unknown): Record<string, unknown> | undefined =>
  v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
const isUint = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;

export function readLaunchSpec(spec: unknown): LaunchSpec | LaunchSpecError {
  const s = obj(spec);
  if (!s) return { field: '', message: 'config.json is not a JSON object' };
  const p = obj(s.process);
  if (!p) return { field: 'process', message: 'the spec has no process to run' };
  if (p.terminal === true)
    return {
      field: 'process.terminal',
      message:
        'terminal: true is not supported by Bindery yet; set it to false (output is streamed instead)',
    };
  const args = p.args;
  if (
    !Array.isArray(args) ||
    args.length === 0 ||
    !args.every((a) => typeof a === 'string') ||
    args[0] === ''
  )
    return { field: 'process.args', message: 'process.args must be a non-empty list of strings' };
  const env = p.env ?? [];
  if (!Array.isArray(env) || !env.every((e) => typeof e === 'string' && e.includes('=')))
    return { field: 'process.env', message: 'process.env must be a list of NAME=value strings' };
  const cwd = p.cwd ?? '/';
  if (typeof cwd !== 'string' || !cwd.startsWith('/'))
    return { field: 'process.cwd', message: 'process.cwd must be an absolute path' };
  const strings = [...(args as string[]), ...(env as string[]), cwd];
  if (strings.some((x) => x.includes('\0')))
    return { field: 'process', message: 'process fields must not contain NUL bytes' };

  const user = obj(p.user) ?? {};
  const uid = user.uid ?? 0;
  const gid = user.gid ?? 0;
  if (!isUint(uid))
    return {
      field: 'process.user.uid',
      message: 'process.user.uid must be a non-negative integer',
    };
  if (!isUint(gid))
    return {
      field: 'process.user.gid',
      message: 'process.user.gid must be a non-negative integer',
    };
  const additionalGids = user.additionalGids ?? [];
  if (!Array.isArray(additionalGids) || !additionalGids.every(isUint))
    return {
      field: 'process.user.additionalGids',
      message: 'process.user.additionalGids must be a list of gids',
    };
  const umask = user.umask ?? 0o022;
  if (!isUint(umask) || umask > 0o777)
    return {
      field: 'process.user.umask',
      message: 'process.user.umask must be between 0 and 0777',
    };

  const rlimits: ProcessSetup['rlimits'] = [];
  const rl = p.rlimits ?? [];
  if (!Array.isArray(rl))
    return { field: 'process.rlimits', message: 'process.rlimits must be a list' };
  for (let i = 0; i < rl.length; i++) {
    const r = obj(rl[i]);
    const name = r?.type;
    if (typeof name !== 'string' || !(name in RLIMITS))
      return { field: `process.rlimits[${i}].type`, message: `unknown rlimit ${String(name)}` };
    const soft = r!.soft;
    const hard = r!.hard;
    if (typeof soft !== 'number' || typeof hard !== 'number' || soft < 0 || hard < 0 || soft > hard)
      return {
        field: `process.rlimits[${i}]`,
        message: `${name}: soft and hard must be numbers with soft <= hard`,
      };
    rlimits.push({
      name,
      resource: RLIMITS[name],
      soft: soft >= 2 ** 63 ? Infinity : soft,
      hard: hard >= 2 ** 63 ? Infinity : hard,
    });
  }

  let capabilities: ProcessSetup['capabilities'];
  const caps = obj(p.capabilities);
  if (caps) {
    const set = (k: string): number[] | LaunchSpecError => {
      const v = caps[k] ?? [];
      if (!Array.isArray(v))
        return {
          field: `process.capabilities.${k}`,
          message: 'must be a list of capability names',
        };
      const out: number[] = [];
      for (const name of v) {
        const n = CAPABILITIES.indexOf(String(name));
        if (n < 0)
          return {
            field: `process.capabilities.${k}`,
            message: `unknown capability ${String(name)}`,
          };
        out.push(n);
      }
      return out;
    };
    const sets = ['bounding', 'effective', 'permitted', 'inheritable', 'ambient'].map(set);
    const bad = sets.find((x): x is LaunchSpecError => !Array.isArray(x));
    if (bad) return bad;
    const [bounding, effective, permitted, inheritable, ambient] = sets as number[][];
    capabilities = { bounding, effective, permitted, inheritable, ambient };
  }

  const ns = readNamespaces(s);
  if ('message' in ns) return ns;

  const hostname = typeof s.hostname === 'string' && s.hostname !== '' ? s.hostname : undefined;
  const domainname =
    typeof s.domainname === 'string' && s.domainname !== '' ? s.domainname : undefined;
  return {
    process: {
      args: args as string[],
      env: env as string[],
      cwd,
      uid,
      gid,
      additionalGids,
      umask,
      rlimits,
      noNewPrivileges: p.noNewPrivileges === true,
      capabilities,
    },
    namespaces: ns,
    hostname,
    domainname,
  };
}

function readNamespaces(s: Record<string, unknown>): NamespaceSetup | LaunchSpecError {
  const list = obj(s.linux)?.namespaces ?? [];
  if (!Array.isArray(list))
    return { field: 'linux.namespaces', message: 'linux.namespaces must be a list' };
  const out: NamespaceSetup = {
    newPid: false,
    unshare: CLONE_NEWNS,
    join: [],
    ownNetwork: false,
    newNetwork: false,
  };
  for (let i = 0; i < list.length; i++) {
    const n = obj(list[i]);
    const type = n?.type;
    const nsPath = n?.path;
    const field = `linux.namespaces[${i}]`;
    if (typeof type !== 'string') return { field, message: 'a namespace needs a type' };
    if (nsPath !== undefined && (typeof nsPath !== 'string' || !nsPath.startsWith('/')))
      return { field: `${field}.path`, message: 'path must be absolute' };
    if (type === 'user' || type === 'time')
      return {
        field,
        message: `${type} namespaces are not supported by Bindery yet; remove the entry`,
      };
    if (type === 'pid') {
      if (nsPath)
        return {
          field: `${field}.path`,
          message: 'joining an existing PID namespace is not supported; remove path for a new one',
        };
      out.newPid = true;
      continue;
    }
    if (type === 'mount' && nsPath)
      return {
        field: `${field}.path`,
        message: 'joining an existing mount namespace is not supported; remove path',
      };
    const flag = NAMESPACE_FLAGS[type];
    if (flag === undefined)
      return { field: `${field}.type`, message: `unknown namespace type ${type}` };
    if (nsPath) out.join.push({ type, path: nsPath, flag });
    else out.unshare |= flag;
    if (type === 'network') {
      out.ownNetwork = true;
      out.newNetwork = !nsPath;
    }
  }
  return out;
}
