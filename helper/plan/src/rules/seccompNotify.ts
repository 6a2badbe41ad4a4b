// SCMP_ACT_NOTIFY hands a call to a seccomp agent: the filter is loaded with a listener whose
// fd the runtime sends to linux.seccomp.listenerPath. What runc 1.1 refuses is refused here,
// and so is the one call Bindery's init itself needs once the filter is loaded.
import { asArray, asObject, asString, get } from '../json';
import type { Rule } from '../rule';
import type { JsonPath } from '../types';

/** Calls made between loading the filter and handing its fd on: notified, nobody could answer them. */
const NEEDED_BEFORE_HANDOFF: Record<string, string> = {
  // runc's init writes the fd number to its parent, which sends it to the agent.
  write: 'runc refuses it too ("SCMP_ACT_NOTIFY cannot be used for the write syscall")',
  // Bindery's init sends the fd to the agent itself, from the filtered thread.
  sendmsg:
    "Bindery's init sends the listener fd to the agent with sendmsg(2) after loading the filter, so that call would wait for an agent that has no fd yet (runc sends it from its parent process; a difference Bindery documents)",
};

export const seccompNotifyRule: Rule = (ctx) => {
  const s = asObject(get(ctx.spec, 'linux', 'seccomp'));
  if (!s) return;
  const refuse = (path: JsonPath, message: string) =>
    ctx.report({
      code: 'seccomp-notify-refused',
      severity: 'error',
      message,
      range: ctx.doc.rangeNear(path),
      path,
    });
  const notifyAt: JsonPath[] = [];
  if (s.defaultAction === 'SCMP_ACT_NOTIFY') {
    notifyAt.push(['linux', 'seccomp', 'defaultAction']);
    refuse(
      ['linux', 'seccomp', 'defaultAction'],
      'linux.seccomp.defaultAction: SCMP_ACT_NOTIFY cannot be the default action (runc refuses it): every call, the runtime’s own included, would wait for the agent before it has the listener fd. Notify only the calls the agent handles.',
    );
  }
  asArray(s.syscalls).forEach((c, i) => {
    const entry = asObject(c);
    if (entry?.action !== 'SCMP_ACT_NOTIFY') return;
    notifyAt.push(['linux', 'seccomp', 'syscalls', i, 'action']);
    asArray(entry.names).forEach((name, j) => {
      const why = typeof name === 'string' ? NEEDED_BEFORE_HANDOFF[name] : undefined;
      if (why)
        refuse(
          ['linux', 'seccomp', 'syscalls', i, 'names', j],
          `linux.seccomp.syscalls[${i}]: SCMP_ACT_NOTIFY cannot be used for ${String(name)}: ${why}.`,
        );
    });
  });
  if (notifyAt.length > 0 && !asString(s.listenerPath))
    refuse(
      notifyAt[0],
      'SCMP_ACT_NOTIFY without linux.seccomp.listenerPath: nobody would answer the notified calls, and runc fails the start ("listenerPath is not set"). Set listenerPath to the unix socket of the seccomp agent.',
    );
};
