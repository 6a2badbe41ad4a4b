// The last steps before the container's process runs, in runc's order (standard_init):
// session, rlimits, scheduler, I/O priority and personality (runc 1.2), capability bounding set, groups and ids, capabilities,
// noNewPrivileges, umask, cwd, stdio, signals, fds, the AppArmor/SELinux exec label, execve.
//
// Runs in the init after pivot_root. Returns only on failure (execve replaced the process
// otherwise).
import * as path from 'node:path';
import { isExecLabel, type ExecLabelOp, type ProcessAttrOp, type ProcessSetup, type SeccompOp } from '@bindery/plan';
import { writeExecLabel } from './execLabel';
import { fail, type StepFailure } from './failure';
import { withHome } from './homeFromPasswd';
import { resolveInRoot } from './resolveInRoot';
import { sendListenerFd, type SeccompAgent } from './seccompListener';
import {
  AT_FDCWD,
  CLOSE_RANGE_CLOEXEC,
  MAX_FD,
  O_CLOEXEC,
  O_DIRECTORY,
  O_PATH,
  PR_CAPBSET_DROP,
  PR_CAP_AMBIENT,
  PR_CAP_AMBIENT_RAISE,
  PR_SET_KEEPCAPS,
  PR_SET_NO_NEW_PRIVS,
  PR_SET_PDEATHSIG,
  type Syscalls,
} from './syscalls';

export interface ProcessStdio {
  /** fds (open in the init) that become the process's 0, 1 and 2. */
  stdin: number;
  stdout: number;
  stderr: number;
  /**
   * `stdin` is the slave of the container's terminal (process.terminal): it becomes the
   * session's controlling terminal and is given to the process's uid, as runc does.
   */
  terminal?: boolean;
}

const LAST_CAP = 40;
const NO_CAPABILITIES = {
  bounding: [],
  effective: [],
  permitted: [],
  inheritable: [],
  ambient: [],
};
const mask = (caps: number[]) => caps.reduce((m, c) => m | (1n << BigInt(c)), 0n);

function loadSeccomp(sys: Syscalls, op: SeccompOp, agent?: SeccompAgent): StepFailure | undefined {
  const r = sys.seccompLoad(op.filter);
  if (!r.ok)
    return fail(
      r.errno,
      `cannot load the seccomp filter (${r.call})`,
      r.errno === 'ENOSYS'
        ? 'install libseccomp (Debian: apt-get install libseccomp2) on the host'
        : 'check linux.seccomp: its architectures and syscalls',
    );
  if (r.value === undefined) return undefined;
  if (!agent) {
    sys.close(r.value);
    return undefined;
  }
  // The notified calls wait until the agent has the fd: it goes now, before anything else.
  const sent = sendListenerFd(sys, agent, r.value);
  if (sent.ok) return undefined;
  return fail(
    sent.errno,
    `cannot send the seccomp listener fd to the agent (${sent.call})`,
    'the agent at linux.seccomp.listenerPath must keep its connection open until it has received the fd',
  );
}

/** The kernel's refusal of a process attribute, in the spec's words. */
function setAttr(sys: Syscalls, op: ProcessAttrOp): StepFailure | undefined {
  switch (op.op) {
    case 'scheduler': {
      const r = sys.schedSetattr(op.attr);
      if (r.ok) return undefined;
      return fail(
        r.errno,
        `cannot set the scheduling policy ${op.attr.policy}`,
        r.errno === 'EINVAL'
          ? 'check process.scheduler: nice is for SCHED_OTHER/SCHED_BATCH, priority 1-99 for SCHED_FIFO/SCHED_RR, runtime ≤ deadline ≤ period for SCHED_DEADLINE'
          : 'a real-time policy needs CAP_SYS_NICE and, in a cgroup v1 cpu hierarchy, cpu.rt_runtime_us for the container',
      );
    }
    case 'ioprio': {
      const r = sys.ioprioSet(op.ioprio);
      if (r.ok) return undefined;
      return fail(
        r.errno,
        `cannot set the I/O priority ${op.ioClass} ${op.priority}`,
        'check process.ioPriority: priority 0-7; IOPRIO_CLASS_RT needs CAP_SYS_ADMIN',
      );
    }
    case 'personality': {
      const r = sys.personality(op.persona);
      if (r.ok) return undefined;
      return fail(
        r.errno,
        `cannot set the execution domain ${op.domain}`,
        'check linux.personality.domain (LINUX or LINUX32)',
      );
    }
  }
}

/** `args[0]` as execve needs it: a path, found through the spec's PATH when it has no slash. */
export function findExecutable(sys: Syscalls, arg0: string, env: string[]): string | undefined {
  if (arg0.includes('/')) return sys.isExecutable(arg0) ? arg0 : undefined;
  const pathVar =
    env.find((e) => e.startsWith('PATH='))?.slice(5) ??
    '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';
  for (const dir of pathVar.split(':')) {
    if (!dir.startsWith('/')) continue; // relative PATH entries would depend on the cwd
    const candidate = path.posix.join(dir, arg0);
    if (sys.isExecutable(candidate)) return candidate;
  }
  return undefined;
}

export function execProcess(
  sys: Syscalls,
  p: ProcessSetup,
  stdio: ProcessStdio,
  setUmask: (m: number) => void,
  beforeExec: () => StepFailure | void,
  seccomp?: SeccompOp,
  attrs: readonly (ProcessAttrOp | ExecLabelOp)[] = [],
  agent?: SeccompAgent,
): StepFailure {
  const labels = attrs.filter(isExecLabel);
  // The exec labels take effect at execve only: written as late as possible, but before any
  // seccomp filter (runc's place), so a profile need not allow the writes.
  const writeLabels = (): StepFailure | undefined => {
    for (const op of labels) {
      const f = writeExecLabel(sys, op);
      if (f) return f;
    }
    return undefined;
  };
  const sid = sys.setsid();
  if (!sid.ok)
    return fail(
      sid.errno,
      'setsid failed',
      'report this: the init should be able to start a session',
    );

  if (stdio.terminal) {
    const t = sys.setControllingTerminal(stdio.stdin);
    if (!t.ok)
      return fail(t.errno, 'cannot make the terminal the controlling terminal', 'report this');
    // runc's fixStdioPermissions: the uid only (the devpts gid, tty, stays), while still root.
    const st = sys.fstat(stdio.stdin);
    if (!st.ok) return fail(st.errno, 'cannot stat the terminal', 'report this');
    if (st.value.uid !== p.uid) {
      const c = sys.fchown(stdio.stdin, p.uid, st.value.gid);
      if (!c.ok)
        return fail(c.errno, `cannot give the terminal to uid ${p.uid}`, 'check process.user.uid');
    }
  }

  for (const r of p.rlimits) {
    const res = sys.setrlimit(r.resource, r.soft, r.hard);
    if (!res.ok)
      return fail(
        res.errno,
        `cannot set ${r.name} to ${r.soft}/${r.hard}`,
        `lower process.rlimits ${r.name}; a hard limit above the helper's own needs CAP_SYS_RESOURCE`,
      );
  }

  // As root, before the capabilities drop and any seccomp filter (runc 1.2's place).
  for (const op of attrs) {
    const f = isExecLabel(op) ? undefined : setAttr(sys, op);
    if (f) return f;
  }

  // No capabilities in the spec means none at all, as runc (every set empty).
  const caps = p.capabilities ?? NO_CAPABILITIES;
  const env = withHome(sys, p.env, p.uid);
  // The cwd is resolved inside the container's root with magic links refused, so a
  // /proc/self/fd/N that still pointed at a host directory cannot be reached (CVE-2024-21626).
  // Resolved now, as root and before a seccomp filter is loaded (runc 1.1 also enters the cwd
  // before the user is set up): a profile need not allow openat2. Entered after the ids
  // changed, so the user's search permission is still what counts.
  const rootFd = sys.openat(AT_FDCWD, '/', O_PATH | O_DIRECTORY | O_CLOEXEC, 0);
  if (!rootFd.ok) return fail(rootFd.errno, 'cannot open the container root', 'report this');
  // A missing cwd was made by the plan (root-owned, 0755, as runc), before the ids changed.
  const cwd = resolveInRoot(sys, rootFd.value, p.cwd, { flags: O_PATH | O_DIRECTORY });
  sys.close(rootFd.value);
  if (!cwd.ok) {
    if (cwd.errno === 'ELOOP' || cwd.errno === 'EXDEV')
      return fail(
        cwd.errno,
        `process.cwd ${p.cwd} goes through /proc magic links or out of the container`,
        'use a directory inside the container (CVE-2024-21626)',
      );
    return fail(
      cwd.errno,
      `process.cwd ${p.cwd} is not a directory in the container`,
      'create it in the rootfs or fix process.cwd',
    );
  }
  // Nothing of the init's may reach the process: every fd from 3 up closes at execve (what
  // is opened from here on is close-on-exec anyway). Done before a filter is loaded: an older
  // profile does not allow close_range.
  const cr = sys.closeRange(3, MAX_FD, CLOSE_RANGE_CLOEXEC);
  if (!cr.ok) return fail(cr.errno, 'close_range failed', 'close_range needs Linux 5.11+');
  // Without no_new_privs, loading a filter needs CAP_SYS_ADMIN: before the drop (runc).
  if (seccomp && !seccomp.beforeExecve) {
    const f = writeLabels() ?? loadSeccomp(sys, seccomp, agent);
    if (f) return f;
  }
  {
    const keep = new Set(caps.bounding);
    for (let cap = 0; cap <= LAST_CAP; cap++) {
      if (keep.has(cap)) continue;
      const r = sys.prctl(PR_CAPBSET_DROP, cap);
      // EINVAL: the kernel does not know this capability; nothing to drop.
      if (!r.ok && r.errno !== 'EINVAL')
        return fail(
          r.errno,
          `cannot drop capability ${cap} from the bounding set`,
          'check process.capabilities.bounding',
        );
    }
    if (p.uid !== 0) {
      const r = sys.prctl(PR_SET_KEEPCAPS, 1);
      if (!r.ok)
        return fail(
          r.errno,
          'cannot keep capabilities across the uid change',
          'check process.capabilities',
        );
    }
  }

  const groups = sys.setgroups(p.additionalGids);
  if (!groups.ok)
    return fail(
      groups.errno,
      `cannot set supplementary groups ${p.additionalGids.join(',') || '(none)'}`,
      'check process.user.additionalGids',
    );
  const g = sys.setresgid(p.gid);
  if (!g.ok) return fail(g.errno, `cannot switch to gid ${p.gid}`, 'check process.user.gid');
  const u = sys.setresuid(p.uid);
  if (!u.ok) return fail(u.errno, `cannot switch to uid ${p.uid}`, 'check process.user.uid');

  {
    const keep = p.uid !== 0 ? sys.prctl(PR_SET_KEEPCAPS, 0) : undefined;
    if (keep && !keep.ok) return fail(keep.errno, 'cannot clear keep-capabilities', 'report this');
    const r = sys.capset(mask(caps.effective), mask(caps.permitted), mask(caps.inheritable));
    if (!r.ok)
      return fail(
        r.errno,
        'cannot set the capability sets',
        'effective must be a subset of permitted, and both of bounding, in process.capabilities',
      );
    for (const cap of caps.ambient) {
      const a = sys.prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap);
      // EPERM: not both permitted and inheritable. runc goes on without it (its capability
      // library drops the error), and so does Bindery; the plan warns about the spec.
      if (!a.ok && a.errno !== 'EPERM')
        return fail(
          a.errno,
          `cannot raise ambient capability ${cap}`,
          'an ambient capability must also be permitted and inheritable',
        );
    }
  }

  if (p.noNewPrivileges) {
    const r = sys.prctl(PR_SET_NO_NEW_PRIVS, 1);
    if (!r.ok)
      return fail(
        r.errno,
        'cannot set no_new_privs',
        'report this: every kernel since 3.5 supports it',
      );
  }
  setUmask(p.umask);

  const cd = sys.fchdir(cwd.value);
  sys.close(cwd.value);
  if (!cd.ok)
    return fail(
      cd.errno,
      `cannot enter process.cwd ${p.cwd}`,
      `user ${p.uid}:${p.gid} needs search permission on ${p.cwd}`,
    );

  const exe = findExecutable(sys, p.args[0], env);
  if (!exe)
    return fail(
      'ENOENT',
      `${p.args[0]} not found${p.args[0].includes('/') ? '' : ' in the PATH'} in the container, or not executable`,
      'check process.args[0] and PATH in process.env against the rootfs',
    );

  for (const [from, to] of [
    [stdio.stdin, 0],
    [stdio.stdout, 1],
    [stdio.stderr, 2],
  ] as const) {
    const r = sys.dup3(from, to, 0);
    if (!r.ok) return fail(r.errno, `cannot set up fd ${to} of the process`, 'report this');
  }
  const sig = sys.resetSignals();
  if (!sig.ok) return fail(sig.errno, 'cannot reset signal dispositions', 'report this');

  const before = beforeExec();
  if (before) return before;
  // From here the process must outlive a helper crash (it is re-adopted from state.json).
  const pd = sys.prctl(PR_SET_PDEATHSIG, 0);
  if (!pd.ok) return fail(pd.errno, 'cannot clear the parent-death signal', 'report this');
  if (!seccomp || seccomp.beforeExecve) {
    const f = writeLabels();
    if (f) return f;
  }
  // As close to execve as runc loads it, so the profile need not allow the set-up's calls.
  if (seccomp?.beforeExecve) {
    const f = loadSeccomp(sys, seccomp, agent);
    if (f) return f;
  }
  const r = sys.execve(exe, p.args, env);
  const what = r.ok ? 'execve returned' : `cannot execute ${exe}`;
  const errno = r.ok ? 'EIO' : r.errno;
  const hint =
    errno === 'ENOEXEC'
      ? `${exe} is not a binary this kernel can run (wrong architecture, or a script without #!)`
      : errno === 'ENOENT'
        ? `${exe} exists but its interpreter or dynamic loader is missing in the rootfs`
        : errno === 'EACCES'
          ? `${exe} is not executable for ${p.uid}:${p.gid}, or its mount is noexec`
          : 'check process.args[0]';
  return fail(errno, what, hint);
}
