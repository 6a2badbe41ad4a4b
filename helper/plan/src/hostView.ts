// The real host, as the plan's HostView sees it: lstat, readdir and the start of a file over
// node:fs, nothing else.
// Errors (missing, no permission) read as "not there"; the plan never sees an exception.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { HostEntry, HostView, Requester } from './types';

function entryOf(path: string): HostEntry | null {
  let st: fs.Stats;
  try {
    st = fs.lstatSync(path);
  } catch {
    return null;
  }
  if (st.isSymbolicLink()) {
    let linkTarget: string | undefined;
    try {
      linkTarget = fs.readlinkSync(path);
    } catch {
      linkTarget = undefined;
    }
    return { type: 'symlink', linkTarget };
  }
  if (st.isDirectory()) return { type: 'directory' };
  if (st.isFile()) return { type: 'file' };
  return { type: 'other' };
}

function namesIn(path: string): string[] | null {
  try {
    return fs.readdirSync(path);
  } catch {
    return null;
  }
}

/** The start of a regular file (open(2) follows symlinks); null when it is anything else. */
function readStart(path: string, maxBytes: number): string | null {
  let fd: number | undefined;
  try {
    // O_NONBLOCK: a FIFO planted where a file was expected must not hang the planner.
    fd = fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
    if (!fs.fstatSync(fd).isFile()) return null;
    const buf = Buffer.alloc(Math.max(0, maxBytes));
    const n = fs.readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString('utf8');
  } catch {
    return null;
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

/**
 * Whether the calling thread's identity may read `path` (a directory: read and search it),
 * asking the kernel by trying. Missing and hidden read the same, so the answer tells no
 * more than the caller could learn itself. Device nodes are refused outright: a container
 * of a non-root user gets them nodev, and opening one to find out could act on the device.
 */
function readableByCaller(path: string): true | string {
  let st: fs.Stats;
  try {
    st = fs.statSync(path);
  } catch {
    return 'does not exist, or a directory on its way is not searchable';
  }
  try {
    if (st.isDirectory()) {
      fs.opendirSync(path).closeSync();
      fs.statSync(path + '/.'); // needs the search bit
      return true;
    }
    if (st.isCharacterDevice() || st.isBlockDevice()) return 'is a device node';
    if (st.isFile()) fs.closeSync(fs.openSync(path, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK | fs.constants.O_NOCTTY));
    return true; // FIFOs and sockets: the kernel checks their use in the container
  } catch {
    return st.isDirectory() ? 'is a directory that is not readable and searchable' : 'is not readable';
  }
}

/** A HostView over this machine's file system, as the calling thread's identity sees it. */
export function realHostView(): HostView {
  let release: string | undefined;
  try {
    release = os.release();
  } catch {
    release = undefined;
  }
  return { lstat: entryOf, readdir: namesIn, kernelRelease: release, readFile: readStart, readable: readableByCaller };
}

/**
 * Whoever runs this process, as a plan requester: the CLI and the language server plan for
 * the user who runs them, so they show what the helper would do for that user.
 */
export function processRequester(): Requester {
  return { uid: process.getuid!(), gid: process.getgid!(), groups: process.getgroups!() };
}
