// The init's first stage: how a container's init gets into a user namespace (new or joined)
// and into a joined time namespace, which a Node process cannot do itself — unshare(2) of
// CLONE_NEWUSER and setns(2) into a user or time namespace need a single-threaded caller,
// and Node runs threads from its first instruction.
//
// So the init is exec'd through util-linux's nsenter (Debian's util-linux, on every host),
// single-threaded, which joins the namespaces and becomes root in the user namespace before
// it execs Node:
//   - a new user namespace is made by a holder, `unshare --user` running `sh` that waits on
//     its stdin; the launcher, privileged in the parent namespace, writes uid_map and gid_map
//     (runc's privileged side does the same), keeps an fd of the namespace, and lets the
//     holder go; nsenter then joins the namespace through that fd. setgroups stays "allow",
//     as runc leaves it for a root launcher.
//   - the PID namespace must be owned by the user namespace, or /proc could not be mounted in
//     it: after nsenter, `unshare --pid --fork --kill-child` creates it from inside and forks
//     the init as its PID 1. That unshare stays as the init's parent and exits with its
//     status; the launcher signals the init itself, through a pidfd (`initPidOf`).
//   - a new time namespace needs none of this: the init unshares CLONE_NEWTIME (which, like
//     CLONE_NEWPID, only applies to children and execve), writes the offsets, and its execve
//     enters it (init.ts).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { PassThrough } from 'node:stream';
import type { IdMapping, NamespaceSetup } from '@bindery/plan';
import { makeOutputPipe } from './logFollower';
import type { DaemonSyscalls } from './syscalls';

/** util-linux's tools, where Debian installs them. */
export const NSENTER = '/usr/bin/nsenter';
export const UNSHARE = '/usr/bin/unshare';

export interface FirstStage {
  /** Put before the init's command line. */
  prefix: string[];
  /** fds the first stage needs, in this order after the init's other stdio (see `prefix`). */
  fds: number[];
  /** The init is a child of `unshare --fork`, not of the launcher (see initPidOf). */
  forks: boolean;
  /** Host uid and gid of root in the user namespace: who owns what the runtime makes for the init. */
  root?: { uid: number; gid: number };
  /** Close the launcher's copies of `fds` once the init has been spawned. */
  close(): void;
}

/** A first stage refused or failed: what and why, for the launch error. */
export class FirstStageError extends Error {
  constructor(
    readonly errno: string,
    message: string,
    readonly hint: string,
  ) {
    super(message);
  }
}

/** Whether the init needs a first stage at all. */
export function needsFirstStage(ns: NamespaceSetup): boolean {
  return ns.user !== undefined || ns.timePath !== undefined;
}

/**
 * Opens (or, for a new user namespace, makes) the namespaces the first stage joins.
 * `stdioCount`: how many fds the init's stdio already has, so the ones added here land
 * right after them.
 */
export async function prepareFirstStage(
  ns: NamespaceSetup,
  stdioCount: number,
): Promise<FirstStage> {
  const fds: number[] = [];
  const close = () => {
    for (const fd of fds.splice(0)) fs.closeSync(fd);
  };
  try {
    const args: string[] = [NSENTER];
    let root: FirstStage['root'];
    if (ns.user) {
      const user = ns.user;
      const fd = 'path' in user ? openNamespace(user.path, 'user') : await newUserNamespace(user);
      fds.push(fd);
      const maps = 'path' in user ? await mapsSeenInside(fd) : user;
      root = hostRoot(maps.uidMappings, maps.gidMappings);
      // nsenter makes the process root (uid and gid 0) in the namespace it joins: its execve
      // of the init then gives it the namespace's full capabilities.
      args.push(`--user=/proc/self/fd/${stdioCount + fds.length - 1}`);
    }
    if (ns.timePath) {
      fds.push(openNamespace(ns.timePath, 'time'));
      args.push(`--time=/proc/self/fd/${stdioCount + fds.length - 1}`);
    }
    args.push('--');
    // Only a PID namespace made inside the user namespace lets the container mount /proc.
    const forks = ns.user !== undefined && ns.newPid;
    if (forks) args.push(UNSHARE, '--pid', '--fork', '--kill-child', '--');
    return { prefix: args, fds: [...fds], forks, close, ...(root ? { root } : {}) };
  } catch (e) {
    close();
    throw e;
  }
}

/** The kernel's name for each type in /proc/PID/ns (and in readlink of an fd on one). */
const NS_FILE_NAME: Record<string, string> = {
  user: 'user',
  time: 'time',
  pid: 'pid',
  mount: 'mnt',
  network: 'net',
  ipc: 'ipc',
  uts: 'uts',
  cgroup: 'cgroup',
};

/**
 * Open a namespace file and check that it is a namespace of `type` (runc checks the same);
 * throws a FirstStageError saying which path is wrong otherwise.
 */
export function openNamespace(nsPath: string, type: string): number {
  let fd: number;
  try {
    fd = fs.openSync(nsPath, fs.constants.O_RDONLY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
    throw new FirstStageError(
      code,
      `cannot open the ${type} namespace ${nsPath}`,
      `check linux.namespaces (${type}).path`,
    );
  }
  const kind = namespaceKind(fd);
  if (kind !== NS_FILE_NAME[type]) {
    fs.closeSync(fd);
    throw new FirstStageError(
      'EINVAL',
      `${nsPath} is not a ${type} namespace (it is ${kind ? `a ${kind} namespace` : 'not a namespace file'})`,
      `linux.namespaces (${type}).path must name a ${type} namespace, e.g. /proc/PID/ns/${NS_FILE_NAME[type]}`,
    );
  }
  return fd;
}

/** `net` for an fd on a network namespace file, undefined for anything else. */
export function namespaceKind(fd: number): string | undefined {
  try {
    return /^([a-z_]+):\[\d+\]$/.exec(fs.readlinkSync(`/proc/self/fd/${fd}`))?.[1];
  } catch {
    return undefined;
  }
}

/** One write each, as the kernel requires: every line of the map at once. */
export function mapText(maps: readonly IdMapping[]): string {
  return maps.map((m) => `${m.containerID} ${m.hostID} ${m.size}\n`).join('');
}

/**
 * A new user namespace with the spec's maps, as an fd. Made by a holder process (a user
 * namespace needs a process to create it), which leaves as soon as the fd is open.
 */
export async function newUserNamespace(maps: {
  uidMappings: IdMapping[];
  gidMappings: IdMapping[];
}): Promise<number> {
  const holder = spawn(UNSHARE, ['--user', '--', '/bin/sh', '-c', 'echo ready; read _'], {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: {},
  });
  let stderr = '';
  holder.stderr!.on('data', (d: Buffer) => (stderr += d.toString('utf8').slice(0, 2000)));
  try {
    const ready = await new Promise<boolean>((resolve) => {
      holder.stdout!.once('data', () => resolve(true));
      holder.once('error', () => resolve(false));
      holder.once('exit', () => resolve(false));
    });
    if (!ready || holder.pid === undefined)
      throw new FirstStageError(
        'ENOSYS',
        `cannot create a user namespace with ${UNSHARE}${stderr ? `: ${stderr.trim()}` : ''}`,
        'install util-linux; check /proc/sys/user/max_user_namespaces',
      );
    const dir = `/proc/${holder.pid}`;
    for (const [file, m] of [
      ['uid_map', maps.uidMappings],
      ['gid_map', maps.gidMappings],
    ] as const) {
      try {
        fs.writeFileSync(`${dir}/${file}`, mapText(m));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code ?? 'EIO';
        throw new FirstStageError(
          code,
          `cannot write ${file} of the new user namespace (${mapText(m).trim().replace(/\n/g, '; ')})`,
          'ranges must not overlap, and at most 340 lines are allowed (user_namespaces(7))',
        );
      }
    }
    return openNamespace(`${dir}/ns/user`, 'user');
  } finally {
    holder.stdin!.end();
    if (holder.exitCode === null && holder.signalCode === null)
      await new Promise((resolve) => holder.once('exit', resolve));
  }
}

function hostRoot(uids: readonly IdMapping[], gids: readonly IdMapping[]) {
  const host = (maps: readonly IdMapping[]) => {
    const m = maps.find((x) => x.containerID === 0);
    return m?.hostID;
  };
  const uid = host(uids);
  const gid = host(gids);
  return uid === undefined || gid === undefined ? undefined : { uid, gid };
}

/** A joined namespace's maps, read from inside it (a reader inside sees the parent's ids). */
async function mapsSeenInside(
  fd: number,
): Promise<{ uidMappings: IdMapping[]; gidMappings: IdMapping[] }> {
  const reader = spawn(
    NSENTER,
    [
      '--user=/proc/self/fd/3',
      '--preserve-credentials',
      '--',
      '/bin/sh',
      '-c',
      'cat /proc/self/uid_map; echo --; cat /proc/self/gid_map',
    ],
    { stdio: ['ignore', 'pipe', 'ignore', fd], env: {} },
  );
  let out = '';
  reader.stdout!.on('data', (d: Buffer) => (out += d.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => {
    reader.once('error', () => resolve(null));
    reader.once('close', (c) => resolve(c));
  });
  const parse = (text: string | undefined) =>
    (text ?? '')
      .trim()
      .split('\n')
      .filter((l) => l.trim() !== '')
      .map((l) => l.trim().split(/\s+/).map(Number))
      .map((l): IdMapping | undefined =>
        l.length === 3 && l.every((n) => Number.isInteger(n))
          ? { containerID: l[0], hostID: l[1], size: l[2] }
          : undefined,
      );
  const [uids, gids] = out.split('--\n').map(parse);
  if (code !== 0 || !uids?.length || !gids?.length || [...uids, ...gids].includes(undefined))
    throw new FirstStageError(
      'EIO',
      'cannot read the id maps of the joined user namespace',
      'the namespace must have its uid_map and gid_map written',
    );
  return { uidMappings: uids as IdMapping[], gidMappings: gids as IdMapping[] };
}

/**
 * The init's pid: the launcher's own child, or — when a first stage forked it — the only
 * child of `unshare --fork`, waited for (a few ms: two execs and a fork). Undefined when
 * the first stage exited before forking.
 */
export async function initPidOf(
  child: ChildProcess,
  stage: FirstStage | undefined,
): Promise<number | undefined> {
  const pid = child.pid;
  if (pid === undefined || !stage?.forks) return pid;
  for (let waited = 0; waited < 10_000; waited += 5) {
    if (child.exitCode !== null || child.signalCode !== null) return undefined;
    let kids: string[] = [];
    try {
      kids = fs.readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/);
    } catch {
      return undefined;
    }
    if (kids.length === 1 && /^\d+$/.test(kids[0])) return Number(kids[0]);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  return undefined;
}

/** The FIFO a forked init sends its messages through (initProtocol.ts: `eventPipe`). */
export const EVENT_PIPE = 'events.pipe';

/**
 * A forked init's messages cannot come through fd 3: `unshare --fork`, its parent, holds a
 * copy of that pipe until the container exits, so the end of file that says "execve
 * succeeded" would never come. The init opens this FIFO instead (made here, owned by the
 * namespace's root) and moves it onto fd 3, close-on-exec; only it holds the writing end.
 * The returned stream ends when that end closes; `release()` ends it when the init died
 * before opening it.
 */
export function openEventPipe(
  sys: Pick<DaemonSyscalls, 'mknodat'>,
  stateDir: string,
  root: { uid: number; gid: number } | undefined,
): { path: string; stream: NodeJS.ReadableStream; release(): void } {
  const file = path.join(stateDir, EVENT_PIPE);
  const made = makeOutputPipe(sys, file);
  if (!made.ok)
    throw new FirstStageError(made.errno, `cannot create ${file}`, 'check the state directory');
  if (root) fs.chownSync(file, root.uid, root.gid);
  const stream = new PassThrough();
  let opened = false;
  // Opening for reading blocks until the init opens the other end: a pool thread waits.
  void fs.promises.open(file, 'r').then(
    (handle) => {
      opened = true;
      handle.createReadStream().pipe(stream);
    },
    () => stream.end(),
  );
  return {
    path: file,
    stream,
    release: () => {
      if (opened) return;
      try {
        // A writer that opens and closes at once: the pending reader gets its end of file.
        fs.closeSync(fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_NONBLOCK));
      } catch {
        stream.end();
      }
    },
  };
}
