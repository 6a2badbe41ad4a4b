// The plan's exec-label writes (process.apparmorProfile, process.selinuxLabel): the bytes the
// op says, into the first of its /proc/thread-self/attr files that exists, from the thread
// that then calls execve. The file must be procfs's: after pivot_root /proc is the
// container's, and a spec could have put something else there (runc's EnsureProcHandle).
import type { ExecLabelOp } from '@bindery/plan';
import { fail, type StepFailure } from './failure';
import { AT_FDCWD, O_CLOEXEC, O_NOFOLLOW, O_WRONLY, PROC_SUPER_MAGIC, type Syscalls } from './syscalls';

export function writeExecLabel(sys: Syscalls, op: ExecLabelOp): StepFailure | undefined {
  const what = `${op.lsm} ${op.lsm === 'AppArmor' ? 'profile' : 'label'} "${op.label}"`;
  let fd: number | undefined;
  let opened = '';
  for (const p of op.paths) {
    const r = sys.openat(AT_FDCWD, p, O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0);
    if (r.ok) {
      fd = r.value;
      opened = p;
      break;
    }
    if (r.errno !== 'ENOENT')
      return fail(r.errno, `cannot open ${p} to set the ${what}`, 'the container needs procfs on /proc');
  }
  if (fd === undefined)
    return fail(
      'ENOENT',
      `none of ${op.paths.join(', ')} exists to set the ${what}`,
      `the container needs procfs on /proc, and the host ${op.lsm}`,
    );
  const type = sys.filesystemType(fd);
  if (!type.ok || type.value !== PROC_SUPER_MAGIC) {
    sys.close(fd);
    return fail(
      type.ok ? 'EXDEV' : type.errno,
      `${opened} is not on procfs; the ${what} was not set`,
      'mount procfs on /proc in the container (mounts), not another filesystem',
    );
  }
  const w = sys.writeFd(fd, op.content);
  const c = sys.close(fd);
  if (!w.ok)
    return fail(
      w.errno,
      `the kernel refused the ${what} (${opened})`,
      op.lsm === 'AppArmor'
        ? 'load the profile on the host first (apparmor_parser), or fix process.apparmorProfile'
        : 'check process.selinuxLabel: it must be a context the host policy knows and the helper may transition to',
    );
  if (!c.ok) return fail(c.errno, `cannot close ${opened}`, 'report this');
  return undefined;
}
