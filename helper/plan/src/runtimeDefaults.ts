// What the runtime mounts that the spec does not ask for.
//
// A deliberate choice: runc itself adds none of /proc, /sys, /dev, /dev/pts, /dev/shm or
// /dev/mqueue when the spec lacks them (`runc spec` writes them into the spec instead), and
// a container without them is broken in ways users rarely recognise. Bindery follows the
// runtimes' seeds (libcontainer's system mounts, gVisor's always-present /proc and /sys,
// crun's per-path defaults): it adds each one that the spec lacks, marked `added` with the
// reason, so the user sees it and can override it by writing the mount in the spec.
// The network files follow Docker: bind mounts of files in the container's state
// directory, writable unless the root is read-only, unless the spec mounts that path itself.
// Not /tmp: only gVisor adds it; that is an information finding with a fix, not a mount.
import { asArray, asBoolean, asObject, asString, get } from './json';
import { normalizeMount } from './normalize';
import { isAtOrBelow } from './paths';
import type { NetworkFile, NormalizedMount } from './types';

/** Where network files go when the caller does not name a state directory (CLI, editor). */
export const DEFAULT_STATE_DIR = '/run/bindery/<container>';

export const NETWORK_FILES: Readonly<Record<string, NetworkFile>> = {
  '/etc/hosts': 'hosts',
  '/etc/hostname': 'hostname',
  '/etc/resolv.conf': 'resolv.conf',
};
/** The network files' names, as written into the container's state directory. */
export const NETWORK_FILE_NAMES: ReadonlySet<string> = new Set(Object.values(NETWORK_FILES));

/** The network file an added mount carries, if it is one. */
export function networkFileOf(m: NormalizedMount): NetworkFile | undefined {
  return m.index === null && Object.prototype.hasOwnProperty.call(NETWORK_FILES, m.destination)
    ? NETWORK_FILES[m.destination]
    : undefined;
}

export interface SystemMount {
  destination: string;
  type: string;
  source: string;
  options: string[];
  reason: string;
}

function namespaceTypes(spec: unknown): Set<string> {
  const types = new Set<string>();
  for (const ns of asArray(get(spec, 'linux', 'namespaces'))) {
    const t = asString(asObject(ns)?.type);
    if (t) types.add(t);
  }
  return types;
}

function mapsGid(spec: unknown, gid: number): boolean {
  return asArray(get(spec, 'linux', 'gidMappings')).some((m) => {
    const o = asObject(m);
    const c = o?.containerID;
    const s = o?.size;
    return typeof c === 'number' && typeof s === 'number' && gid >= c && gid < c + s;
  });
}

export function systemMounts(spec: unknown): SystemMount[] {
  const ns = namespaceTypes(spec);
  const userns = ns.has('user');
  const why = (what: string) =>
    `the spec does not mount ${what}; Bindery adds it with the defaults of runc's own spec, because programs expect it. Write a mount for it to change or drop it.`;
  const sys: SystemMount =
    userns && !ns.has('network')
      ? {
          // The kernel refuses a new sysfs to a user namespace that does not own a network
          // namespace; `runc spec --rootless` binds the host's /sys instead.
          destination: '/sys',
          type: 'none',
          source: '/sys',
          options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'],
          reason: `${why('/sys')} In a user namespace without its own network namespace sysfs cannot be mounted, so the host's /sys is bound read-only (as runc's rootless spec does).`,
        }
      : {
          destination: '/sys',
          type: 'sysfs',
          source: 'sysfs',
          options: ['nosuid', 'noexec', 'nodev', 'ro'],
          reason: why('/sys'),
        };
  // gid=5 (tty) only exists in a user namespace that maps it.
  const ptsGid = !userns || mapsGid(spec, 5) ? ['gid=5'] : [];
  return [
    {
      destination: '/proc',
      type: 'proc',
      source: 'proc',
      options: ['nosuid', 'noexec', 'nodev'],
      reason: why('/proc'),
    },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
      reason: why('/dev'),
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...ptsGid],
      reason: why('/dev/pts (terminals)'),
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
      reason: why('/dev/shm (POSIX shared memory)'),
    },
    {
      destination: '/dev/mqueue',
      type: 'mqueue',
      source: 'mqueue',
      options: ['nosuid', 'noexec', 'nodev'],
      reason: why('/dev/mqueue (POSIX message queues)'),
    },
    sys,
  ];
}

/** True when the spec binds /dev from somewhere: then the runtime leaves /dev alone (runc's needsSetupDev). */
export function devIsBound(specMounts: readonly NormalizedMount[]): boolean {
  return specMounts.some((m) => m.bind && m.destination === '/dev');
}

/**
 * The spec's usable mounts with the runtime's additions placed where a runtime places them:
 * system mounts first (or right after the spec's mount of their parent, e.g. /dev/pts after
 * the spec's /dev), network files after every spec mount.
 */
export function addRuntimeMounts(
  specMounts: readonly NormalizedMount[],
  spec: unknown,
  bundleDir: string,
  stateDir: string = DEFAULT_STATE_DIR,
): NormalizedMount[] {
  const usable = specMounts.filter((m) => m.destination !== '');
  const mounted = new Set(usable.map((m) => m.destination));
  const out: NormalizedMount[] = [...usable];
  const boundDev = devIsBound(usable);

  for (const sm of systemMounts(spec)) {
    if (mounted.has(sm.destination)) continue;
    // A /dev bound from elsewhere brings its own pts, shm and mqueue.
    if (boundDev && sm.destination.startsWith('/dev/')) continue;
    const added = normalizeMount(sm, null, { kind: 'added', reason: sm.reason }, bundleDir);
    let pos = 0;
    for (let i = out.length - 1; i >= 0; i--) {
      const d = out[i].destination;
      if (d !== '/' && d !== sm.destination && isAtOrBelow(sm.destination, d)) {
        pos = i + 1;
        break;
      }
    }
    while (pos < out.length && out[pos].index === null) pos++;
    out.splice(pos, 0, added);
    mounted.add(sm.destination);
  }

  // In a user namespace the container's root, who makes the mount points, rarely owns
  // the rootfs's /etc: the rootfs's own files stay, as under runc.
  if (namespaceTypes(spec).has('user')) return out;
  const readonlyRoot = asBoolean(get(spec, 'root', 'readonly'));
  for (const [dest, file] of Object.entries(NETWORK_FILES)) {
    if (mounted.has(dest)) continue;
    const reason =
      `the spec does not mount ${dest}; like Docker, Bindery writes it into the container's state directory and bind-mounts it, ` +
      `${readonlyRoot ? 'read-only because root.readonly is true' : 'writable'}. Mount ${dest} in the spec to provide your own.`;
    const entry = {
      destination: dest,
      type: 'bind',
      source: `${stateDir.replace(/\/+$/, '')}/${file}`,
      options: ['rbind', 'rprivate', ...(readonlyRoot ? ['ro'] : [])],
    };
    out.push(normalizeMount(entry, null, { kind: 'added', reason }, bundleDir));
  }
  return out;
}
