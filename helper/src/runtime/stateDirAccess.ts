// How an init opens the files of its state directory (exec fifo, event FIFO, output pipes).
//
// A user-namespaced init is the namespace's root from its first instruction: a host uid
// that may have no way to the state directory by its path — runc's own `--root` is 0700,
// and so may be any folder above a caller's `--root` (a test's temporary folder). So the
// launcher opens the directory (O_PATH) and the first stage hands that fd down; the init
// opens the files relative to it, which needs search permission on that one directory
// (0711) only. runc passes its exec fifo down as an fd for the same reason.
import * as path from 'node:path';
import { AT_FDCWD, O_NOFOLLOW, type SysResult, type Syscalls } from './syscalls';

export interface StateDirAccess {
  /** Host path of the state directory. */
  stateDir: string;
  /** The init's fd of it, when the launcher passed one (firstStage.ts). */
  stateDirFd?: number;
}

function inStateDir(access: StateDirAccess, file: string): access is Required<StateDirAccess> {
  return access.stateDirFd !== undefined && path.dirname(file) === path.resolve(access.stateDir);
}

/** `file` (a host path) opened with `flags`; through the state directory's fd when it is in it. */
export function openStateFile(
  sys: Pick<Syscalls, 'openat'>,
  access: StateDirAccess,
  file: string,
  flags: number,
): SysResult<number> {
  if (inStateDir(access, file))
    return sys.openat(access.stateDirFd, path.basename(file), flags | O_NOFOLLOW, 0);
  return sys.openat(AT_FDCWD, file, flags, 0);
}

/**
 * A path to `file` for a call with no *at form (connect(2) of the launcher's console
 * socket): through the fd's magic link when the file is in the state directory.
 */
export function stateFilePath(access: StateDirAccess, file: string): string {
  return inStateDir(access, file)
    ? `/proc/self/fd/${access.stateDirFd}/${path.basename(file)}`
    : file;
}
