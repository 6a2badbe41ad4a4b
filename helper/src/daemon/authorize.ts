// Who may do what with containers that exist, and who the peer is. What a peer may launch
// is not decided here: the plan is made for the peer (plan/requester.ts and
// plan/rules/requesterPolicy.ts) and checked once more by the runtime before it runs
// (plan/requesterInvariant.ts).
export interface Peer {
  pid: number;
  uid: number;
  gid: number;
  /** Supplementary groups at connect() time. */
  groups: number[];
}

export const isRoot = (peer: Peer): boolean => peer.uid === 0;

/** Only the owner and root may see, inspect, stop, tear down or read the logs of a container. */
export function maySee(peer: Peer, owner: number): boolean {
  return isRoot(peer) || peer.uid === owner;
}

/** Resource names as in the spec → the row of /proc/PID/limits. */
export const RLIMIT_ROWS: Record<string, string> = {
  RLIMIT_CPU: 'Max cpu time',
  RLIMIT_FSIZE: 'Max file size',
  RLIMIT_DATA: 'Max data size',
  RLIMIT_STACK: 'Max stack size',
  RLIMIT_CORE: 'Max core file size',
  RLIMIT_RSS: 'Max resident set',
  RLIMIT_NPROC: 'Max processes',
  RLIMIT_NOFILE: 'Max open files',
  RLIMIT_MEMLOCK: 'Max locked memory',
  RLIMIT_AS: 'Max address space',
  RLIMIT_LOCKS: 'Max file locks',
  RLIMIT_SIGPENDING: 'Max pending signals',
  RLIMIT_MSGQUEUE: 'Max msgqueue size',
  RLIMIT_NICE: 'Max nice priority',
  RLIMIT_RTPRIO: 'Max realtime priority',
  RLIMIT_RTTIME: 'Max realtime timeout',
};

/** Hard limits of the peer process (from /proc/PID/limits); Infinity for unlimited. */
export type PeerLimits = Record<string, number>;

/** Parses /proc/PID/limits into hard limits by resource name. */
export function parseLimits(text: string): PeerLimits {
  const out: PeerLimits = {};
  const rows = text.split('\n');
  for (const [name, row] of Object.entries(RLIMIT_ROWS)) {
    const line = rows.find((l) => l.startsWith(row + ' '));
    if (!line) continue;
    const fields = line.slice(row.length).trim().split(/\s+/);
    const hard = fields[1];
    if (hard === 'unlimited') out[name] = Infinity;
    else if (hard !== undefined && /^[0-9]+$/.test(hard)) out[name] = Number(hard);
  }
  return out;
}
