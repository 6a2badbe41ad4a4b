// The plan's writes into /proc: process.oomScoreAdj for the init itself (before anything
// else, on the host's /proc), and linux.sysctl after pivot_root, in the container's
// namespaces, through its own /proc/sys — never through a symlink, so a rootfs cannot turn
// the write into one on a file of its choosing.
import { type OomScoreAdjOp, type SysctlOp, sysctlPath } from '@bindery/plan';
import { DONE, fail, type StepOutcome } from './failure';
import { resolveInRoot } from './resolveInRoot';
import {
  AT_FDCWD,
  O_CLOEXEC,
  O_DIRECTORY,
  O_NOFOLLOW,
  O_PATH,
  O_WRONLY,
  type Syscalls,
} from './syscalls';

export function writeOomScoreAdj(sys: Syscalls, op: OomScoreAdjOp): StepOutcome {
  const fd = sys.openat(AT_FDCWD, '/proc/self/oom_score_adj', O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
  if (!fd.ok)
    return fail(
      fd.errno,
      'cannot open /proc/self/oom_score_adj',
      'mount procfs on /proc on the host',
    );
  const w = sys.writeFd(fd.value, String(op.value));
  sys.close(fd.value);
  if (!w.ok)
    return fail(
      w.errno,
      `cannot set oom_score_adj to ${op.value}`,
      w.errno === 'EACCES' || w.errno === 'EPERM'
        ? 'lowering it needs CAP_SYS_RESOURCE'
        : 'process.oomScoreAdj must be between -1000 and 1000',
    );
  return DONE;
}

export function writeSysctl(sys: Syscalls, op: SysctlOp): StepOutcome {
  const file = sysctlPath(op.key);
  const root = sys.openat(AT_FDCWD, '/', O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (!root.ok) return fail(root.errno, 'cannot open the container root', 'report this');
  const fd = resolveInRoot(sys, root.value, file, { flags: O_WRONLY, noSymlinks: true });
  sys.close(root.value);
  if (!fd.ok)
    return fail(
      fd.errno,
      fd.errno === 'ENOENT'
        ? `this kernel has no sysctl ${op.key} (${file})`
        : `cannot open ${file}`,
      fd.errno === 'ENOENT'
        ? `check the name in linux.sysctl, and that /proc is mounted in the container`
        : `${file} must be procfs's, reached without symlinks`,
    );
  const w = sys.writeFd(fd.value, op.value);
  sys.close(fd.value);
  if (!w.ok)
    return fail(
      w.errno,
      `the kernel refused ${op.key} = "${op.value}"`,
      'check the value in linux.sysctl (see sysctl(8) and the kernel documentation for the parameter)',
    );
  return DONE;
}
