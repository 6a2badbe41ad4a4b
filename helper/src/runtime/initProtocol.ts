// What the launcher and a container's init say to each other.
//
// launcher → init: one InitRequest as a line of JSON on the init's stdin.
// init → launcher: InitMessages, one JSON line each, on fd 3 (EVENT_FD). The init marks
// fd 3 close-on-exec, so a successful execve closes it: 'exec' followed by end-of-file
// means the container's process is running; 'exec' followed by 'failure' means execve
// failed; end-of-file without 'exec' means the init died (its stderr says why).
// fd 3 is a socket pair: for a hook the runtime runs on the host, the init asks on it and
// the launcher answers on it (HookReply), while the init waits.
import type { LaunchSpec, Plan } from '@bindery/plan';
import type { HookRun, OperationFailure } from '../protocol';
import type { OperationOutcome } from './operationOutcome';
import type { NetworkIdentity } from './networkFiles';

/** uid, gid and supplementary groups of whoever the container is launched for. */
export interface Owner {
  uid: number;
  gid: number;
  groups: number[];
}

export const EVENT_FD = 3;

export interface InitRequest {
  id: string;
  /** The bundle directory, for the state hooks get on stdin. */
  bundle: string;
  /** The plan's operations, rootfs and requester; its mounts and findings are left empty. */
  plan: Plan;
  stateDir: string;
  spec: LaunchSpec;
  network: NetworkIdentity;
  /** Host paths of the files the process's stdout and stderr go to. */
  stdoutPath: string;
  stderrPath: string;
  /** The launcher's mount namespace (readlink of /proc/self/ns/mnt): the init must leave it before mounting. */
  hostMountNamespace: string;
  /**
   * Who the container is launched for: whose rights open its bind sources, what the
   * runtime may create for it (RootContext.mayCreateIn), and who a non-root plan must be
   * made for (requesterInvariantViolations).
   */
  owner: Owner;
  /** The init must be PID 1 of a new PID namespace. */
  expectPid1: boolean;
  /**
   * With a 'console' operation: the unix socket the terminal's master is sent to
   * (SCM_RIGHTS), connected on the host side before anything else — the launcher's own in
   * the state directory, or an engine's `--console-socket`.
   */
  consoleSocket?: string;
  /**
   * The init's fd of a connection to `consoleSocket`, when the launcher made it (a cold
   * OCI init: consoleSocket.ts); the init then sends the master over it and connects to nothing.
   */
  consoleSocketFd?: number;
  /**
   * A FIFO the init moves onto fd 3 before its first message: set when a first stage
   * forked it, whose parent holds the original fd 3 (firstStage.ts, openEventPipe).
   */
  eventPipe?: string;
  /**
   * The init's fd of `stateDir` (O_PATH), when a first stage started it: the files above
   * are opened relative to it (stateDirAccess.ts).
   */
  stateDirFd?: number;
}

/** A failure outside the plan's operations (namespaces, process setup, execve). */
export interface StageFailure {
  stage: 'namespaces' | 'process';
  errno: string;
  message: string;
  hint: string;
}

export type InitMessage =
  /** Sent once at start-up, when Node and koffi are loaded: the init is warm. */
  | { type: 'ready' }
  | { type: 'operation'; outcome: OperationOutcome }
  | { type: 'operation-failure'; failure: OperationFailure }
  | { type: 'stage-failure'; failure: StageFailure }
  | { type: 'exec' }
  /**
   * Run the plan's operation `index`, a hook the runtime runs on the host (prestart,
   * createRuntime): the init then blocks until the launcher writes one HookReply line back
   * on the same fd.
   */
  | { type: 'hook-request'; index: number }
  /**
   * Give the detached mount the init holds as `fd` (open_tree) the id mapping of the plan's
   * mount operation `index`; the init blocks until one IdmapReply line comes back. The
   * launcher takes the mount through a pidfd (pidfd_getfd): a user-namespaced init cannot
   * idmap a host filesystem's mount itself (that needs CAP_SYS_ADMIN over its superblock).
   */
  | { type: 'idmap-request'; index: number; fd: number }
  /** A hook the init ran itself (createContainer, startContainer). */
  | { type: 'hook'; run: HookRun };

/** The launcher's answer to a hook-request, one JSON line on fd 3. */
export interface HookReply {
  ok: boolean;
  /** Why not, in runc's words (the hook's own failure, or why it was not run). */
  message?: string;
}

/** The launcher's answer to an idmap-request, one JSON line on fd 3. */
export interface IdmapReply {
  ok: boolean;
  /** The failed call's errno, and what failed. */
  errno?: string;
  message?: string;
}
