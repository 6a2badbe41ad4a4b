// The seccomp agent's end of SCMP_ACT_NOTIFY (linux.seccomp.listenerPath), as runc 1.1 serves
// it: once the filter is loaded, the listener fd goes to the agent's unix socket as
// SCM_RIGHTS, with runc's container process state as the data. runc's parent process sends
// it; here the init does, over a socket it connected while it still saw the host's paths
// (before any namespace or pivot_root), with the owner's file rights — so a non-root
// requester reaches only sockets it could connect to itself.
import type { SeccompOp } from '@bindery/plan';
import { hookState, type HookState, type HookSubject } from './hooks';
import type { Owner } from './initProtocol';
import { OCI_VERSION } from './ociState';
import type { Syscalls, SysResult } from './syscalls';

/** The name runtime-spec gives the listener fd in `fds` (specs.SeccompFdName). */
const SECCOMP_FD_NAME = 'seccompFd';

/** A connected agent socket and the message that goes with the fd. */
export interface SeccompAgent {
  socket: number;
  /** runtime-spec's ContainerProcessState, as JSON. */
  message: string;
}

/** runtime-spec's ContainerProcessState, in Go's field order. */
export function containerProcessState(
  pid: number,
  metadata: string | undefined,
  state: HookState,
): string {
  return JSON.stringify({
    ociVersion: OCI_VERSION,
    fds: [SECCOMP_FD_NAME],
    pid,
    ...(metadata ? { metadata } : {}),
    state,
  });
}

/** This process's pid in the host's PID namespace (NSpid's first field; /proc must still be the host's). */
export function hostPid(sys: Syscalls): SysResult<number> {
  const status = sys.readFile('/proc/self/status', 64 * 1024);
  if (!status.ok) return status;
  const pid = Number(/^NSpid:\s*(\d+)/m.exec(status.value)?.[1]);
  return pid > 0 ? { ok: true, value: pid } : { ok: false, errno: 'EIO', call: 'NSpid' };
}

/**
 * Connects to the op's agent with the owner's file rights and prepares the message: the
 * container's state as `status` with `statePid`, the process's own host pid as `pid`.
 * Undefined when the filter has no listener.
 */
export function connectSeccompAgent(
  sys: Syscalls,
  op: SeccompOp | undefined,
  owner: Owner,
  subject: HookSubject,
  status: HookState['status'],
  statePid: number | 'self',
): SysResult<SeccompAgent | undefined> {
  if (!op?.listener) return { ok: true, value: undefined };
  const self = hostPid(sys);
  if (!self.ok) return self;
  const as = sys.setFsIdentity(owner.uid === 0 ? null : owner);
  if (!as.ok) return as;
  let socket: SysResult<number>;
  try {
    socket = sys.connectUnix(op.listener.path);
  } finally {
    const back = sys.setFsIdentity(null);
    if (!back.ok) throw new Error(`cannot restore the runtime's file access rights: ${back.errno}`);
  }
  if (!socket.ok) return socket;
  const state = hookState(subject, status, statePid === 'self' ? self.value : statePid);
  return {
    ok: true,
    value: {
      socket: socket.value,
      message: containerProcessState(self.value, op.listener.metadata, state),
    },
  };
}

/** Hands the listener fd to the agent and closes both (the process keeps only its filter). */
export function sendListenerFd(sys: Syscalls, agent: SeccompAgent, listenerFd: number): SysResult {
  const sent = sys.sendFd(agent.socket, listenerFd, agent.message);
  sys.close(listenerFd);
  sys.close(agent.socket);
  return sent;
}
