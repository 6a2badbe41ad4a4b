// Who is on the other end of a unix socket, and the socket group's id: the two libc calls
// the daemon needs. Kept apart from the runtime's syscall layer until that layer can carry
// them.
import koffi from 'koffi';

const SOL_SOCKET = 1;
const SO_PEERCRED = 17;
const SO_PEERGROUPS = 59;
const ERANGE = 34;

export interface PeerCred {
  pid: number;
  uid: number;
  gid: number;
  /** Supplementary groups of the peer at connect() time (SO_PEERGROUPS). */
  groups: number[];
}

interface Libc {
  getsockopt(fd: number, level: number, name: number, val: Buffer, len: number[]): number;
  getgrnam(name: string): unknown;
  errno(): number;
  decodeGid(group: unknown): number;
}

let libc: Libc | undefined;

function load(): Libc {
  if (libc) return libc;
  const lib = koffi.load('libc.so.6');
  const group = koffi.struct('bindery_group', {
    gr_name: 'char *',
    gr_passwd: 'char *',
    gr_gid: 'uint32_t',
    gr_mem: 'void *',
  });
  const getsockopt = lib.func('int getsockopt(int fd, int level, int name, _Out_ uint8_t *val, _Inout_ uint32_t *len)');
  const getgrnam = lib.func('void *getgrnam(const char *name)');
  const errnoLocation = lib.func('int *__errno_location()');
  libc = {
    getsockopt: (fd, level, name, val, len) => getsockopt(fd, level, name, val, len) as number,
    getgrnam: (name) => getgrnam(name),
    errno: () => koffi.decode(errnoLocation(), 'int') as number,
    decodeGid: (ptr) => (koffi.decode(ptr, group) as { gr_gid: number }).gr_gid,
  };
  return libc;
}

export class SyscallError extends Error {
  constructor(
    readonly call: string,
    readonly errno: number,
  ) {
    super(`${call} failed: errno ${errno}`);
  }
}

/** SO_PEERCRED and SO_PEERGROUPS of a connected unix socket's file descriptor. */
export function peerCred(fd: number): PeerCred {
  const c = load();
  const cred = Buffer.alloc(12);
  const len = [12];
  if (c.getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, len) !== 0) throw new SyscallError('getsockopt(SO_PEERCRED)', c.errno());
  if (len[0] !== 12) throw new SyscallError('getsockopt(SO_PEERCRED): short ucred', 0);
  let groupsBuf = Buffer.alloc(4 * 64);
  const glen = [groupsBuf.length];
  if (c.getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groupsBuf, glen) !== 0) {
    const errno = c.errno();
    // ERANGE: the peer has more groups than fit; glen now holds the size needed.
    if (errno !== ERANGE) throw new SyscallError('getsockopt(SO_PEERGROUPS)', errno);
    groupsBuf = Buffer.alloc(glen[0]);
    glen[0] = groupsBuf.length;
    if (c.getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groupsBuf, glen) !== 0)
      throw new SyscallError('getsockopt(SO_PEERGROUPS)', c.errno());
  }
  const groups: number[] = [];
  for (let off = 0; off + 4 <= glen[0]; off += 4) groups.push(groupsBuf.readUInt32LE(off));
  return { pid: cred.readInt32LE(0), uid: cred.readUInt32LE(4), gid: cred.readUInt32LE(8), groups };
}

/** The gid of a group by name (NSS, like getent), or undefined when there is none. */
export function groupId(name: string): number | undefined {
  const c = load();
  const ptr = c.getgrnam(name);
  if (ptr === null) return undefined;
  return c.decodeGid(ptr);
}
