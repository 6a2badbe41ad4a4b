// process.terminal (the plan's 'console' operation), as runc's setupConsole: after
// pivot_root, a pty from the container's own /dev/ptmx (so it lives in the container's
// devpts and its name is what the process sees), sized by consoleSize, its slave bound onto
// /dev/console. The master leaves through `deliver` (to the helper, or an engine's console
// socket) and is closed here; the slave stays open for the process set-up, which makes it
// fds 0–2 and the controlling terminal.
import { MS, type ConsoleOp } from '@bindery/plan';
import { DONE, fail, type StepOutcome } from './failure';
import { mkfileInRoot, resolveInRoot } from './resolveInRoot';
import type { RootContext } from './rootContext';
import { O_CLOEXEC, O_PATH, type SysResult, type Syscalls } from './syscalls';

/** Where the master goes; it is closed after `deliver` returns, whatever it returns. */
export type DeliverMaster = (master: number) => SysResult;

/** A pty for the process: the master delivered, the slave's fd kept for stdio. */
export function openTerminal(
  sys: Syscalls,
  op: Pick<ConsoleOp, 'ptmx' | 'size'>,
  deliver: DeliverMaster,
): { ok: true; slave: number } | (StepOutcome & { ok: false }) {
  const pty = sys.openPty(op.ptmx);
  if (!pty.ok)
    return fail(
      pty.errno,
      `cannot open a terminal through ${op.ptmx} in the container`,
      pty.errno === 'ENOENT'
        ? 'process.terminal needs devpts at /dev/pts and /dev/ptmx (runc’s default spec mounts it with newinstance,ptmxmode=0666)'
        : pty.errno === 'ENOTTY'
          ? `${op.ptmx} in the rootfs is not the pty multiplexer: make it a link to pts/ptmx`
          : 'check the devpts mount (/dev/pts) in the spec',
    );
  const { master, slave } = pty.value;
  let outcome: StepOutcome = DONE;
  if (op.size) {
    const r = sys.setWindowSize(master, op.size.rows, op.size.cols);
    if (!r.ok) outcome = fail(r.errno, 'cannot set the terminal size', 'check process.consoleSize');
  }
  if (outcome.ok) {
    const d = deliver(master);
    if (!d.ok)
      outcome = fail(
        d.errno,
        `cannot hand the terminal over (${d.call})`,
        'the console socket must be a listening unix socket of whoever started the container',
      );
  }
  sys.close(master);
  if (!outcome.ok) {
    sys.close(slave);
    return outcome;
  }
  return { ok: true, slave };
}

/** The 'console' operation: the terminal, and /dev/console bound to its slave. */
export function performConsole(
  ctx: RootContext,
  op: ConsoleOp,
  deliver: DeliverMaster | undefined,
  keepSlave: (fd: number) => void,
): StepOutcome {
  const { sys } = ctx;
  if (!ctx.pivoted)
    return fail('EINVAL', 'the terminal is opened after pivot_root', 'report this: the plan is out of order');
  if (!deliver)
    return fail('EINVAL', 'nobody receives this container’s terminal', 'report this: the launcher gave no console socket');
  const root = ctx.root();
  if (!root.ok) return fail(root.errno, 'cannot open the container root', 'report this');
  const t = openTerminal(sys, op, deliver);
  if (!t.ok) return t;
  keepSlave(t.slave);
  // /dev/console: created like any mount point (inside the root, with the owner's guard),
  // then the slave bound onto the very inode that was resolved.
  const made = mkfileInRoot(sys, root.value, op.path, 0o666, {
    mayCreateIn: (fd: number) => ctx.mayCreateIn(fd),
    made: (fd: number) => ctx.made(fd),
  });
  if (!made.ok)
    return fail(made.errno, `cannot create ${op.path}`, 'the container’s /dev must be writable (a tmpfs, as runc’s default spec mounts)');
  const target = resolveInRoot(sys, root.value, op.path, { flags: O_PATH | O_CLOEXEC });
  if (!target.ok) return fail(target.errno, `cannot open ${op.path}`, 'check /dev in the rootfs');
  try {
    const r = sys.mount(`/proc/self/fd/${t.slave}`, `/proc/self/fd/${target.value}`, null, MS.MS_BIND, null);
    return r.ok
      ? DONE
      : fail(r.errno, `cannot bind the terminal onto ${op.path}`, 'process.terminal needs /proc mounted in the container (runc’s default spec mounts it)');
  } finally {
    sys.close(target.value);
  }
}
