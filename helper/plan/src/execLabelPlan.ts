// process.apparmorProfile and process.selinuxLabel as the write that sets them: the label the
// kernel gives the process at its execve, written by the init into its own thread's
// /proc/thread-self/attr file (runc 1.1: libcontainer/apparmor's changeOnExec, go-selinux's
// SetExecLabel). Per thread: the init writes it from the thread that calls execve.
import { get } from './json';
import type { JsonPath, Origin } from './types';

export interface ExecLabelOp {
  op: 'exec-label';
  lsm: 'AppArmor' | 'SELinux';
  /** The label as the spec names it. */
  label: string;
  /** Where to write, the first that exists (AppArmor's own directory, then the shared file). */
  paths: string[];
  /** The exact bytes written, in one write(2). */
  content: string;
  origin: Origin;
}

export function isExecLabel<T extends { op: string }>(op: T): op is T & ExecLabelOp {
  return op.op === 'exec-label';
}

/** aa_change_onexec's request: the profile the next execve enters. */
const apparmorExec = (profile: string) => `exec ${profile}`;

/**
 * The writes for the spec's process labels, AppArmor first. An empty or non-string value
 * writes nothing (runc: no profile, no label); a host without the module refuses the spec
 * before this runs (rules/securityLabels.ts).
 */
export function planExecLabels(
  spec: unknown,
  specOrigin: (p: JsonPath) => Origin,
): ExecLabelOp[] {
  const ops: ExecLabelOp[] = [];
  const profile = get(spec, 'process', 'apparmorProfile');
  if (typeof profile === 'string' && profile !== '')
    ops.push({
      op: 'exec-label',
      lsm: 'AppArmor',
      label: profile,
      // Linux 5.8+ gives AppArmor its own attr directory; older kernels have only the shared file.
      paths: ['/proc/thread-self/attr/apparmor/exec', '/proc/thread-self/attr/exec'],
      content: apparmorExec(profile),
      origin: specOrigin(['process', 'apparmorProfile']),
    });
  const label = get(spec, 'process', 'selinuxLabel');
  if (typeof label === 'string' && label !== '')
    ops.push({
      op: 'exec-label',
      lsm: 'SELinux',
      label,
      paths: ['/proc/thread-self/attr/exec'],
      content: label,
      origin: specOrigin(['process', 'selinuxLabel']),
    });
  return ops;
}

/**
 * linux.mountLabel as the mount data runc adds (go-selinux's FormatMountLabel): every mount
 * that takes data but procfs, sysfs, mqueue and cgroup (runc mounts those without it).
 */
export function withMountLabel(fstype: string, data: string[], mountLabel: string | undefined): string[] {
  if (!mountLabel || UNLABELLED_FSTYPES.has(fstype)) return data;
  return [...data, `context="${mountLabel}"`];
}

const UNLABELLED_FSTYPES = new Set(['proc', 'sysfs', 'mqueue', 'cgroup', 'cgroup2']);

/** The write, for the plan's text and hover. */
export function renderExecLabel(op: ExecLabelOp): string {
  return `write(${JSON.stringify(op.paths[0])}${op.paths.length > 1 ? ` or ${JSON.stringify(op.paths[1])}` : ''}, ${JSON.stringify(op.content)}) right before execve: the process runs under ${op.lsm} ${op.lsm === 'AppArmor' ? 'profile' : 'label'} "${op.label}"`;
}
