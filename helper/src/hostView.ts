// The real host, as the plan's HostView sees it: lstat and readdir over node:fs, nothing else.
// Errors (missing, no permission) read as "not there"; the plan never sees an exception.
import * as fs from 'node:fs';
import * as os from 'node:os';
import type { HostEntry, HostView } from './plan/types';

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

/** A HostView over this machine's file system. */
export function realHostView(): HostView {
  let release: string | undefined;
  try {
    release = os.release();
  } catch {
    release = undefined;
  }
  return { lstat: entryOf, readdir: namesIn, kernelRelease: release };
}
