// A plan is made for whoever asks for it. Root may run any valid spec. Anyone else reached
// the helper through the socket's group, and that membership must not be worth more than
// the account itself (the docker.sock mistake): their plan gives their process nothing
// their own uid could not do.
//
// This file says what a non-root requester's plan looks like; `rules/requesterPolicy.ts`
// says what such a requester may not ask for (findings), and `requesterInvariant.ts` is the
// check the runtime makes right before it runs a non-root requester's plan.
//   - Every mount is nosuid and nodev: after the last step that can change mount flags, one
//     recursive mount_setattr sets both on the whole tree, and a check step reads the mount
//     table back. Only the runtime's own /dev tmpfs and devpts keep dev, for the device nodes
//     the runtime itself made there.
//   - Bind sources and the rootfs are opened with the requester's credentials
//     (`sourceAccess: 'requester'`), so the kernel decides what they may bind.
//   - The process always gets no_new_privs, and capability sets no larger than runc's
//     rootless default.
import { CAPABILITIES, type LaunchSpec } from './launchSpec';
import type { CheckMountFlagsOp, NormalizedMount, Operation, Origin, Requester, SetattrOp } from './types';

export const ROOT_REQUESTER: Requester = Object.freeze({ uid: 0, gid: 0, groups: [] });

export function isRootRequester(r: Requester | undefined): boolean {
  return r === undefined || r.uid === 0;
}

/** runc's `spec --rootless` capabilities, each with the namespace that keeps it local. */
export const ROOTLESS_CAPABILITIES: Readonly<Record<string, string | undefined>> = {
  CAP_AUDIT_WRITE: undefined,
  CAP_KILL: 'pid',
  CAP_NET_BIND_SERVICE: 'network',
};

/** The capabilities a non-root requester's process may hold, given its new namespaces. */
export function allowedCapabilities(newNamespaces: ReadonlySet<string>): Set<string> {
  const out = new Set<string>();
  for (const [cap, ns] of Object.entries(ROOTLESS_CAPABILITIES)) if (!ns || newNamespaces.has(ns)) out.add(cap);
  return out;
}

/**
 * The launch settings a non-root requester gets: no_new_privs always, every capability set
 * cut down to `allowed` (and the bounding set to at most that when the spec lists none, so
 * a setuid file could not give more). The rule reports each change as a finding.
 */
export function launchForRequester(launch: LaunchSpec, requester: Requester, allowed: ReadonlySet<string>): LaunchSpec {
  if (isRootRequester(requester)) return launch;
  const keep = (caps: readonly number[]) => caps.filter((c) => allowed.has(CAPABILITIES[c]));
  const allowedNumbers = [...allowed].map((c) => CAPABILITIES.indexOf(c)).filter((c) => c >= 0).sort((a, b) => a - b);
  const caps = launch.process.capabilities;
  return {
    ...launch,
    process: {
      ...launch.process,
      noNewPrivileges: true,
      capabilities: caps
        ? {
            bounding: keep(caps.bounding),
            effective: keep(caps.effective),
            permitted: keep(caps.permitted),
            inheritable: keep(caps.inheritable),
            ambient: keep(caps.ambient),
          }
        : { bounding: allowedNumbers, effective: [], permitted: [], inheritable: [], ambient: [] },
    },
  };
}

const LOCK_ORIGIN: Origin = {
  kind: 'added',
  reason:
    'the container is launched by a non-root user: every mount is made nosuid and nodev, so no setuid file or device node reachable in it is worth more than outside',
};

/**
 * Mounts that may keep `dev` in a non-root requester's container: they hold only nodes the
 * runtime made. Only where such a mount is the last one at its destination, since the
 * re-opening acts on whatever is mounted there on top.
 */
export function devCapableTargets(mounts: readonly NormalizedMount[]): string[] {
  const last = new Map<string, NormalizedMount>();
  for (const m of mounts) last.set(m.destination, m);
  return [...last.values()].filter(isDevCapable).map((m) => m.destination);
}

/**
 * devpts, and the /dev tmpfs that gets the runtime's default device nodes (a copy-up would
 * bring the rootfs's own nodes in, so that one stays nodev).
 */
function isDevCapable(m: NormalizedMount): boolean {
  // A `remount` option makes the step change whatever is mounted there already.
  if (m.bind || m.flagsSet.includes('MS_REMOUNT')) return false;
  return m.type === 'devpts' || (m.type === 'tmpfs' && m.destination === '/dev' && !m.tmpcopyup);
}

/**
 * The steps that seal a non-root requester's mount tree, run after every step that can
 * change mount flags (pivot_root, the read-only remounts and readonlyPaths) and before the
 * masks, which only bind /dev/null or mount empty read-only tmpfs.
 */
export function requesterLockOperations(mounts: readonly NormalizedMount[]): Operation[] {
  const devAllowed = devCapableTargets(mounts);
  const lock: SetattrOp = {
    op: 'setattr',
    target: '/',
    targetScope: 'container',
    attrSet: ['MOUNT_ATTR_NOSUID', 'MOUNT_ATTR_NODEV'],
    attrClr: [],
    recursive: true,
    origin: LOCK_ORIGIN,
  };
  const reopen: SetattrOp[] = devAllowed.map((target) => ({
    op: 'setattr',
    target,
    targetScope: 'container',
    attrSet: [],
    attrClr: ['MOUNT_ATTR_NODEV'],
    recursive: false,
    origin: {
      kind: 'added',
      reason: `${target} holds only the device nodes the runtime created, which must open`,
    },
  }));
  const check: CheckMountFlagsOp = { op: 'check-mount-flags', devAllowed, origin: LOCK_ORIGIN };
  return [lock, ...reopen, check];
}
