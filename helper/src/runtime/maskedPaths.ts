// linux.maskedPaths: hide a path from the container, as the plan's MaskOp says.
//
// The plan names the cover it expects and the tmpfs flags; like runc (which tries the bind
// and falls back on ENOTDIR), a file is covered by a bind mount of /dev/null, a directory
// by an empty tmpfs with the plan's flags, and a path the rootfs does not have is skipped.
// The /dev/null used is the container's own and must really be the null device
// (CVE-2025-31133: a symlink there once turned a mask into a writable bind of something else).
import { type MaskOp, msFlagsValue } from '@bindery/plan';
import { DONE, entryName, fail, type StepFailure, type StepOutcome } from './failure';
import { openTarget } from './mount';
import { fdPath, resolveInRoot } from './resolveInRoot';
import type { RootContext } from './rootContext';
import { S_IFCHR, S_IFMT, isDir, makedev } from './syscalls';

export function performMask(ctx: RootContext, op: MaskOp): StepOutcome {
  const { sys } = ctx;
  const entry = entryName(op.origin);
  const t = openTarget(ctx, op.target, null, entry);
  if (!t.ok)
    return t.errno === 'ENOENT'
      ? { ok: true, note: `${op.target} is not in the rootfs; nothing to mask` }
      : t;
  try {
    const st = sys.fstat(t.fd);
    if (!st.ok) return fail(st.errno, `cannot inspect ${op.target}`, `check ${entry}`);
    if (isDir(st.value.mode)) {
      const r = sys.mount('tmpfs', fdPath(t.fd), 'tmpfs', msFlagsValue(op.tmpfsFlags), null);
      const planned = op.cover === 'tmpfs' ? '' : ' (the plan expected a file)';
      return r.ok
        ? {
            ok: true,
            note: `${op.target} is a directory: covered with an empty read-only tmpfs${planned}`,
          }
        : fail(r.errno, `cannot mask ${op.target}`, `check ${entry}`);
    }
    const nul = nullDevice(ctx);
    if (!nul.ok) return nul;
    const r = sys.mount(fdPath(nul.fd), fdPath(t.fd), null, msFlagsValue(['MS_BIND']), null);
    if (!r.ok) return fail(r.errno, `cannot mask ${op.target}`, `check ${entry}`);
    return op.cover === 'dev-null'
      ? DONE
      : {
          ok: true,
          note: `${op.target} is not a directory: covered with /dev/null (the plan expected a directory)`,
        };
  } finally {
    sys.close(t.fd);
  }
}

/** The container's /dev/null, reached without symlinks and really the null device; kept in ctx. */
function nullDevice(ctx: RootContext): { ok: true; fd: number } | StepFailure {
  const { sys } = ctx;
  if (ctx.nullDevice !== undefined) return { ok: true, fd: ctx.nullDevice };
  const root = ctx.root();
  if (!root.ok) return fail(root.errno, 'cannot open the root', 'check root.path');
  const nul = resolveInRoot(sys, root.value, '/dev/null', { noSymlinks: true });
  if (!nul.ok)
    return fail(
      nul.errno,
      '/dev/null is missing or a symlink in the container',
      'maskedPaths need the real /dev/null; check the /dev mount',
    );
  const ns = sys.fstat(nul.value);
  if (!ns.ok || (ns.value.mode & S_IFMT) !== S_IFCHR || ns.value.rdev !== makedev(1, 3)) {
    sys.close(nul.value);
    return fail(
      'EPERM',
      '/dev/null in the container is not the null device',
      'refusing to mask with it (CVE-2025-31133); check the rootfs /dev',
    );
  }
  ctx.nullDevice = nul.value;
  return { ok: true, fd: nul.value };
}
