// What the launch needs beside the mounts: the process (args, env, cwd, user, rlimits,
// capabilities, noNewPrivileges), the namespaces and the names, read from the spec.
//
// Pure. Two kinds of bad input:
// - what the schema already describes (wrong JSON types, an empty args, a relative cwd, an
//   unknown namespace type…): the structure rule reports it; here it only means "no launch";
// - what the spec allows but Bindery cannot run, or the kernel would refuse at exec time:
//   returned as problems, which `rules/launchSupport.ts` turns into error findings — but
//   for what runc skips with a warning and runs without (SKIPPED_WITH_WARNING_CODES).
// So a spec reads as launchable exactly when the plan has no error about it.
import { asArray, asObject } from './json';
import {
  CLONE_NEWCGROUP,
  CLONE_NEWIPC,
  CLONE_NEWNET,
  CLONE_NEWNS,
  CLONE_NEWTIME,
  CLONE_NEWUTS,
} from './namespaces';
import { schemaAt } from './schema';
import type { JsonPath } from './types';

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
  /**
   * process.execCPUAffinity as CPU numbers: `initial` for the exec'd process's set-up before
   * it joins the container's cgroup, `final` once it has. Not applied to the container's own process.
   */
  execCpuAffinity?: { initial?: number[]; final?: number[] };
  /** Capability sets as cap numbers; undefined = the spec lists none, leave them as they are (runc). */
  capabilities?: {
    bounding: number[];
    effective: number[];
    permitted: number[];
    inheritable: number[];
    ambient: number[];
  };
}

/** One line of uid_map/gid_map: `size` ids from `containerID` inside are `hostID` outside. */
export interface IdMapping {
  containerID: number;
  hostID: number;
  size: number;
}

/** A clock offset of a new time namespace, as /proc/PID/timens_offsets takes it. */
export interface ClockOffset {
  clock: 'monotonic' | 'boottime';
  secs: number;
  nanosecs: number;
}

export interface NamespaceSetup {
  /** A new PID namespace (the init is spawned into it by the launcher). */
  newPid: boolean;
  /**
   * Flags for the init's unshare(2); includes CLONE_NEWNS unless the mount namespace is
   * joined, and CLONE_NEWTIME for a new time namespace (its offsets in `timeOffsets`).
   */
  unshare: number;
  /**
   * Namespaces the init joins by path before unsharing, in runc's order (ipc, uts, network,
   * mount, cgroup); user, time and pid are joined before the init runs (`firstStage`).
   */
  join: { type: string; path: string; flag: number }[];
  /**
   * A user namespace: new with the spec's maps, or joined by path. The init is exec'd into
   * it (Node cannot unshare or setns a user namespace once it runs threads).
   */
  user?: { path: string } | { uidMappings: IdMapping[]; gidMappings: IdMapping[] };
  /** A time namespace joined by path (setns(CLONE_NEWTIME) needs a single thread: joined before the init runs). */
  timePath?: string;
  /** Offsets of a new time namespace, written by the init before execve enters it. */
  timeOffsets: ClockOffset[];
  /** A PID namespace joined by path: the launcher spawns the init into it. */
  pidPath?: string;
  /**
   * The mount namespace is joined by path. As runc does, the rootfs is set up in it (the
   * mounts appear to whoever else is in it); the init refuses the launcher's own.
   */
  joinedMount: boolean;
  /**
   * No mount namespace in the spec: the init stays in the launcher's (the host's) and mounts
   * under the rootfs there, then chroots (runc 1.1). Only root may ask for it (the requester
   * policy), and whoever removes the container unmounts what stays under the rootfs.
   */
  hostMount: boolean;
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
  /** The spec's string annotations: the state hooks get on stdin carries them. */
  annotations?: Record<string, string>;
}

/** Codes of what the helper refuses to launch (errors in the plan, see rules/launchSupport.ts). */
export const LAUNCH_PROBLEM_CODES = [
  'process-missing',
  'program-empty',
  'nul-byte',
  'env-not-name-value',
  'umask-out-of-range',
  'unknown-rlimit',
  'duplicate-rlimit',
  'rlimit-soft-above-hard',
  'unknown-capability',
] as const;

/**
 * Problems that are Bindery's limits rather than faults of the spec: runc or crun would run
 * it. They are warnings that block the launch (`Finding.blocksLaunch`), not errors.
 */
export const BINDERY_LIMITATION_CODES: ReadonlySet<string> = new Set(['process-missing']);

/**
 * Problems the launch goes on without, as runc does: warnings, and the offending value is
 * left out (an unknown capability: runc 1.1 logs "ignoring unknown or unavailable
 * capabilities" and runs the process without it).
 */
export const SKIPPED_WITH_WARNING_CODES: ReadonlySet<string> = new Set(['unknown-capability']);

/** Something the spec allows (or the schema does not catch) that Bindery will not run. */
export interface LaunchProblem {
  /** Stable finding code. */
  code: (typeof LAUNCH_PROBLEM_CODES)[number];
  /** The offending node. */
  path: JsonPath;
  message: string;
}

export const RLIMITS: Readonly<Record<string, number>> = {
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

/** Capability names by number, as in <linux/capability.h>. */
export const CAPABILITIES: readonly string[] = [
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

export const CAPABILITY_SETS = [
  'bounding',
  'effective',
  'permitted',
  'inheritable',
  'ambient',
] as const;

const NAMESPACE_FLAGS: Readonly<Record<string, number>> = {
  mount: CLONE_NEWNS,
  uts: CLONE_NEWUTS,
  ipc: CLONE_NEWIPC,
  network: CLONE_NEWNET,
  cgroup: CLONE_NEWCGROUP,
};

/** runc's order for joining namespaces by path (configs.NamespaceTypes; user, pid and time elsewhere). */
const JOIN_ORDER = ['ipc', 'uts', 'network', 'mount', 'cgroup'];

/** The schema's own test for an rlimit name: names it rejects are the structure rule's to report. */
const RLIMIT_PATTERN = schemaAt(['process', 'rlimits', 0, 'type'])?.pattern;

const isUint32 = (v: unknown): v is number =>
  typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff;
const isUint = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0;
const isStringList = (v: unknown): v is string[] =>
  Array.isArray(v) && v.every((x) => typeof x === 'string');

export interface LaunchReading {
  /** Present when every launch setting is usable. */
  launch?: LaunchSpec;
  problems: LaunchProblem[];
}

export function readLaunchSpec(spec: unknown): LaunchReading {
  const s = asObject(spec);
  if (!s) return { problems: [] }; // not an object: the structure rule says so
  const problems: LaunchProblem[] = [];
  const proc = readProcess(s, problems);
  const namespaces = readNamespaces(s);
  if (!proc || !namespaces || problems.some((p) => !SKIPPED_WITH_WARNING_CODES.has(p.code)))
    return { problems };
  const name = (v: unknown) => (typeof v === 'string' && v !== '' ? v : undefined);
  const annotations = Object.entries(asObject(s.annotations) ?? {}).filter(
    (e): e is [string, string] => typeof e[1] === 'string',
  );
  return {
    launch: {
      process: proc,
      namespaces,
      hostname: name(s.hostname),
      domainname: name(s.domainname),
      ...(annotations.length ? { annotations: Object.fromEntries(annotations) } : {}),
    },
    problems,
  };
}

/** The process, or undefined when it is unusable (a problem is added unless the schema covers it). */
function readProcess(
  s: Record<string, unknown>,
  problems: LaunchProblem[],
): ProcessSetup | undefined {
  if (s.process === undefined || s.process === null) {
    problems.push({
      code: 'process-missing',
      path: [],
      message:
        'The spec has no "process": Bindery runs containers, so it needs the program to start (runc would only create the container). Add "process": {"args": ["sh"], "cwd": "/"}.',
    });
    return undefined;
  }
  const p = asObject(s.process);
  if (!p) return undefined;
  let ok = true;
  const problem = (code: LaunchProblem['code'], path: JsonPath, message: string) => {
    problems.push({ code, path, message });
    ok = false;
  };

  // terminal: true is a plan operation (operations.ts, 'console'), not a process setting.

  const args = p.args;
  if (!isStringList(args) || args.length === 0)
    ok = false; // structure: type, required, minItems
  else if (args[0] === '')
    problem(
      'program-empty',
      ['process', 'args', 0],
      'process.args[0] is empty: it names the program to run, e.g. "sh" or "/bin/app".',
    );

  const env = p.env ?? [];
  if (!isStringList(env)) ok = false;
  else
    env.forEach((e, i) => {
      if (!e.includes('='))
        problem(
          'env-not-name-value',
          ['process', 'env', i],
          `process.env[${i}] "${e}" has no "=": write it as NAME=value (runc refuses it too).`,
        );
    });

  const cwd = p.cwd;
  if (typeof cwd !== 'string' || !cwd.startsWith('/')) ok = false; // structure: required, absolute

  const nulIn = (value: unknown, path: JsonPath) => {
    if (typeof value === 'string' && value.includes('\0'))
      problem(
        'nul-byte',
        path,
        `${describe(path)} contains a NUL character (\\u0000); execve(2) would cut the string there. Remove it.`,
      );
  };
  asArray(args).forEach((a, i) => nulIn(a, ['process', 'args', i]));
  asArray(env).forEach((e, i) => nulIn(e, ['process', 'env', i]));
  nulIn(cwd, ['process', 'cwd']);

  const user = asObject(p.user) ?? {};
  if (p.user !== undefined && p.user !== null && !asObject(p.user)) ok = false;
  const uid = user.uid ?? 0;
  const gid = user.gid ?? 0;
  const additionalGids = user.additionalGids ?? [];
  if (!isUint32(uid) || !isUint32(gid)) ok = false;
  if (!Array.isArray(additionalGids) || !additionalGids.every(isUint32)) ok = false;
  const umask = user.umask ?? 0o022;
  if (!isUint32(umask)) ok = false;
  else if (umask > 0o777)
    problem(
      'umask-out-of-range',
      ['process', 'user', 'umask'],
      `process.user.umask ${umask} is more than 0777 (511); it is written in decimal, e.g. 18 for 0022.`,
    );

  const rlimits: ProcessSetup['rlimits'] = [];
  const rl = p.rlimits ?? [];
  if (!Array.isArray(rl)) ok = false;
  const firstIndex = new Map<string, number>();
  asArray(rl).forEach((entry, i) => {
    const r = asObject(entry);
    const name = r?.type;
    const soft = r?.soft;
    const hard = r?.hard;
    if (!r || typeof name !== 'string' || !isUint(soft) || !isUint(hard)) {
      ok = false;
      return;
    }
    if (!(name in RLIMITS)) {
      if (RLIMIT_PATTERN && !RLIMIT_PATTERN.test(name)) ok = false;
      else
        problem(
          'unknown-rlimit',
          ['process', 'rlimits', i, 'type'],
          `process.rlimits[${i}].type: ${name} is not a Linux resource limit; use one of ${Object.keys(RLIMITS).join(', ')}.`,
        );
      return;
    }
    const first = firstIndex.get(name);
    if (first !== undefined) {
      problem(
        'duplicate-rlimit',
        ['process', 'rlimits', i, 'type'],
        `process.rlimits[${i}].type: ${name} is already set by process.rlimits[${first}]; the runtime spec says a runtime MUST refuse the same type twice. Remove one of them.`,
      );
      return;
    }
    firstIndex.set(name, i);
    if (soft > hard) {
      problem(
        'rlimit-soft-above-hard',
        ['process', 'rlimits', i, 'soft'],
        `process.rlimits[${i}]: the soft limit of ${name} (${soft}) is above the hard limit (${hard}); setrlimit(2) refuses that. Lower soft or raise hard.`,
      );
      return;
    }
    // JSON numbers past 2^63 mean "unlimited" (RLIM_INFINITY is 2^64-1).
    const lim = (n: number) => (n >= 2 ** 63 ? Infinity : n);
    rlimits.push({ name, resource: RLIMITS[name], soft: lim(soft), hard: lim(hard) });
  });

  let capabilities: ProcessSetup['capabilities'];
  if (p.capabilities !== undefined && p.capabilities !== null) {
    const caps = asObject(p.capabilities);
    if (!caps) ok = false;
    else {
      const sets: Record<string, number[]> = {};
      for (const set of CAPABILITY_SETS) {
        const names = caps[set] ?? [];
        if (!isStringList(names)) {
          ok = false;
          continue;
        }
        sets[set] = [];
        names.forEach((n, i) => {
          const cap = CAPABILITIES.indexOf(n);
          if (cap >= 0) sets[set].push(cap);
          else
            problems.push({
              code: 'unknown-capability',
              path: ['process', 'capabilities', set, i],
              message: `process.capabilities.${set}[${i}]: ${n} is not a capability Bindery knows: it is skipped, as runc does (with a warning), and the process runs without it. Use a name from capabilities(7), e.g. CAP_NET_BIND_SERVICE.`,
            });
        });
      }
      const { bounding, effective, permitted, inheritable, ambient } = sets;
      if (ok) capabilities = { bounding, effective, permitted, inheritable, ambient };
    }
  }

  if (!ok) return undefined;
  return {
    args: args as string[],
    env: env as string[],
    cwd: cwd as string,
    uid: uid as number,
    gid: gid as number,
    additionalGids: additionalGids as number[],
    umask: umask as number,
    rlimits,
    noNewPrivileges: p.noNewPrivileges === true,
    capabilities,
    ...readExecCpuAffinity(p.execCPUAffinity),
  };
}

/** "0-3,7" → [0, 1, 2, 3, 7]; undefined for an empty or malformed list (the schema says why). */
export function parseCpuList(text: unknown): number[] | undefined {
  if (typeof text !== 'string' || !/^\s*\d+(\s*-\s*\d+)?(\s*,\s*\d+(\s*-\s*\d+)?)*\s*$/.test(text))
    return undefined;
  const cpus = new Set<number>();
  for (const part of text.split(',')) {
    const [a, b = a] = part.split('-').map((x) => Number(x.trim()));
    if (b < a || b - a > 4096) return undefined;
    for (let c = a; c <= b; c++) cpus.add(c);
  }
  return [...cpus].sort((x, y) => x - y);
}

/** process.execCPUAffinity: only a process started by `exec` is pinned (runtime-spec). */
function readExecCpuAffinity(v: unknown): Pick<ProcessSetup, 'execCpuAffinity'> {
  const o = asObject(v);
  if (!o) return {};
  const initial = parseCpuList(o.initial);
  const final = parseCpuList(o.final);
  if (!initial && !final) return {};
  return { execCpuAffinity: { ...(initial ? { initial } : {}), ...(final ? { final } : {}) } };
}

function readNamespaces(s: Record<string, unknown>): NamespaceSetup | undefined {
  const linux = s.linux;
  if (linux !== undefined && linux !== null && !asObject(linux)) return undefined;
  const list = asObject(linux)?.namespaces ?? [];
  if (!Array.isArray(list)) return undefined;
  const out: NamespaceSetup = {
    newPid: false,
    unshare: 0,
    join: [],
    timeOffsets: [],
    joinedMount: false,
    hostMount: false,
    ownNetwork: false,
    newNetwork: false,
  };
  let ok = true;
  let mountSeen = false;
  list.forEach((entry) => {
    const n = asObject(entry);
    const type = n?.type;
    const nsPath = n?.path ?? undefined;
    // Types, paths and duplicates are the structure and namespace rules' to report.
    if (
      typeof type !== 'string' ||
      (nsPath !== undefined && (typeof nsPath !== 'string' || !nsPath.startsWith('/')))
    ) {
      ok = false;
      return;
    }
    switch (type) {
      case 'user': {
        if (nsPath) out.user = { path: nsPath };
        else {
          const uidMappings = readIdMappings(asObject(linux)?.uidMappings);
          const gidMappings = readIdMappings(asObject(linux)?.gidMappings);
          // Missing or malformed maps: the userns rules and the structure rule say so.
          if (!uidMappings?.length || !gidMappings?.length) ok = false;
          else out.user = { uidMappings, gidMappings };
        }
        return;
      }
      case 'time': {
        if (nsPath) out.timePath = nsPath;
        else {
          const offsets = readTimeOffsets(asObject(linux)?.timeOffsets);
          if (!offsets) ok = false;
          else {
            out.unshare |= CLONE_NEWTIME;
            out.timeOffsets = offsets;
          }
        }
        return;
      }
      case 'pid':
        if (nsPath) out.pidPath = nsPath;
        else out.newPid = true;
        return;
    }
    const flag = NAMESPACE_FLAGS[type];
    if (flag === undefined) {
      ok = false;
      return;
    }
    if (type === 'mount') mountSeen = true;
    if (nsPath) out.join.push({ type, path: nsPath, flag });
    else out.unshare |= flag;
    if (type === 'mount') out.joinedMount = !!nsPath;
    if (type === 'network') {
      out.ownNetwork = true;
      out.newNetwork = !nsPath;
    }
  });
  // Without a mount namespace in the spec runc 1.1 mounts into the rootfs in the host's
  // namespace and chroots: so does Bindery (the plan's host-mount mode).
  out.hostMount = !mountSeen;
  out.join.sort((a, b) => JOIN_ORDER.indexOf(a.type) - JOIN_ORDER.indexOf(b.type));
  return ok ? out : undefined;
}

/** uidMappings/gidMappings (linux's or a mount's); undefined when any entry is not three uint32s with a size. */
export function readIdMappings(v: unknown): IdMapping[] | undefined {
  if (!Array.isArray(v)) return undefined;
  const out: IdMapping[] = [];
  for (const e of v) {
    const m = asObject(e);
    if (!m || !isUint32(m.containerID) || !isUint32(m.hostID) || !isUint32(m.size) || m.size === 0)
      return undefined;
    out.push({ containerID: m.containerID, hostID: m.hostID, size: m.size });
  }
  return out;
}

/** linux.timeOffsets; absent means no offsets (the clocks of the host). */
function readTimeOffsets(v: unknown): ClockOffset[] | undefined {
  if (v === undefined || v === null) return [];
  const o = asObject(v);
  if (!o) return undefined;
  const out: ClockOffset[] = [];
  for (const clock of ['monotonic', 'boottime'] as const) {
    if (o[clock] === undefined) continue;
    const c = asObject(o[clock]);
    const secs = c?.secs ?? 0;
    const nanosecs = c?.nanosecs ?? 0;
    if (!c || typeof secs !== 'number' || !Number.isInteger(secs) || !isUint32(nanosecs))
      return undefined;
    if (nanosecs >= 1e9) return undefined;
    out.push({ clock, secs, nanosecs });
  }
  return out;
}

function describe(path: JsonPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out;
}
