// File work done for a peer is done with the peer's own rights, so the kernel answers every
// question as it would answer the peer: permission bits, ACLs, LSMs, the search bit of every
// parent, group membership. The daemon's main thread takes the peer's filesystem identity
// (setfsuid, setfsgid and its groups; Syscalls.setFsIdentity) for one synchronous call:
// reading config.json, and planning, whose HostView then sees only what the peer can see.
import * as fs from 'node:fs';
import { EX_SOFTWARE } from '../exitCodes';
import type { DaemonSyscalls } from '../runtime/syscalls';
import type { Peer } from './authorize';

/** config.json larger than this is refused (a runtime spec is a few KiB). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

/** Runs `fn` synchronously with the peer's file access rights; root peers run as they are. */
export type AsPeer = <T>(peer: Peer, fn: () => T) => T;

export function fsIdentityRunner(sys: Pick<DaemonSyscalls, 'setFsIdentity'>): AsPeer {
  return <T>(peer: Peer, fn: () => T): T => {
    if (peer.uid === 0) return fn();
    const as = sys.setFsIdentity(peer);
    if (!as.ok) throw new Error(`cannot take the file access rights of uid ${peer.uid}: ${as.errno}`);
    try {
      return fn();
    } finally {
      const back = sys.setFsIdentity(null);
      if (!back.ok) {
        // Serving on with a peer's rights (or half of root's) would be wrong for everyone.
        process.stderr.write(`binderyd: cannot restore its own file access rights (${back.errno}); exiting\n`);
        process.exit(EX_SOFTWARE);
      }
    }
  };
}

/** Why a config.json cannot be read, as the fs module names it. */
export class ConfigReadError extends Error {
  constructor(
    readonly code: 'ENOENT' | 'EACCES' | 'EISDIR' | 'EFBIG' | 'EINVAL' | 'EIO',
    message: string,
  ) {
    super(message);
  }
}

/**
 * The text of config.json, read synchronously on the calling thread (so with the rights
 * `AsPeer` gave it). A FIFO, device or socket is refused without blocking; so is a file
 * larger than MAX_CONFIG_BYTES.
 */
export function readConfigFile(path: string): string {
  let fd: number;
  try {
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') throw new ConfigReadError('ENOENT', 'does not exist');
    if (code === 'EACCES' || code === 'EPERM') throw new ConfigReadError('EACCES', 'is not readable');
    if (code === 'ENXIO' || code === 'ENODEV') throw new ConfigReadError('EINVAL', 'is not a regular file');
    throw new ConfigReadError('EIO', `cannot be opened (${code ?? 'error'})`);
  }
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw new ConfigReadError('EISDIR', 'is a directory');
    if (!st.isFile()) throw new ConfigReadError('EINVAL', 'is not a regular file');
    if (st.size > MAX_CONFIG_BYTES) throw new ConfigReadError('EFBIG', `is larger than ${MAX_CONFIG_BYTES} bytes`);
    const buf = Buffer.alloc(Math.min(st.size + 1, MAX_CONFIG_BYTES + 1));
    let n = 0;
    while (n < buf.length) {
      const r = fs.readSync(fd, buf, n, buf.length - n, n);
      if (r === 0) break;
      n += r;
    }
    if (n > MAX_CONFIG_BYTES) throw new ConfigReadError('EFBIG', `is larger than ${MAX_CONFIG_BYTES} bytes`);
    return buf.subarray(0, n).toString('utf8');
  } catch (e) {
    if (e instanceof ConfigReadError) throw e;
    throw new ConfigReadError('EIO', `cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  } finally {
    fs.closeSync(fd);
  }
}
