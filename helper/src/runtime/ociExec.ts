// `bindery exec`'s launcher: a new process in a running container. It is spawned into the
// container's PID namespace (the same setns-then-spawn step as an init's new namespace,
// initLauncher.ts), joins the others itself (ociInit.ts) and runs the process set-up every
// container process gets (processSetup.ts).
import type { ChildProcess, StdioOptions } from 'node:child_process';
import * as fs from 'node:fs';
import type { ExecLabelOp, ProcessAttrOp, ProcessSetup, SeccompOp } from '@bindery/plan';
import { cgroupOf, joinCgroups } from './ociCgroups';
import { connectConsoleSocket } from './consoleSocket';
import { FirstStageError, NSENTER, openNamespace, type FirstStage } from './firstStage';
import { spawnInitInto } from './initLauncher';
import type { Syscalls } from './syscalls';
import { keepOnlyPreservedFds } from './ociCreate';
import { readInitMessages } from './initMessages';
import { OCI_EXEC_ARG, type OciExecRequest } from './ociInit';
import { RuntimeError, type OciContainerState } from './ociState';
import { processStartTime } from './stateFile';
import { O_CLOEXEC, O_RDONLY, AT_FDCWD } from './syscalls';

/** Namespace files joined, in this order; pid is entered at spawn, mnt must come last. */
const JOINED = ['ipc', 'uts', 'net', 'cgroup', 'mnt'];

/** Whether the container's namespace of `type` is another than this process's. */
function differs(pid: number, type: string): boolean {
  try {
    return fs.readlinkSync(`/proc/${pid}/ns/${type}`) !== fs.readlinkSync(`/proc/self/ns/${type}`);
  } catch {
    return false; // a kernel without that namespace type
  }
}

/** The container's namespaces that differ from this process's (the ones a new process must enter). */
function namespacesToJoin(pid: number): string[] {
  return JOINED.filter((type) => differs(pid, type));
}

/**
 * The container's user and time namespaces, which a Node process cannot join (setns of
 * either needs a single-threaded caller): the exec init is started through nsenter
 * (firstStage.ts), which joins them and becomes root of the user namespace before Node
 * starts, as runc's nsexec joins the user namespace first. `stdioCount`: where its fds go.
 */
function execFirstStage(pid: number, stdioCount: number): FirstStage | undefined {
  const fds: number[] = [];
  const prefix = [NSENTER];
  try {
    for (const type of ['user', 'time'] as const) {
      if (!differs(pid, type)) continue;
      fds.push(openNamespace(`/proc/${pid}/ns/${type}`, type));
      prefix.push(`--${type}=/proc/self/fd/${stdioCount + fds.length - 1}`);
    }
  } catch (e) {
    for (const fd of fds) fs.closeSync(fd);
    if (e instanceof FirstStageError) throw new RuntimeError(`${e.errno}: ${e.message}`);
    throw e;
  }
  if (fds.length === 0) return undefined;
  return {
    prefix: [...prefix, '--'],
    fds: [...fds],
    forks: false,
    close: () => {
      for (const fd of fds.splice(0)) fs.closeSync(fd);
    },
  };
}

/** `exec --tty`: where the master goes (an engine's console socket), and the terminal's size. */
export interface ExecTerminal {
  consoleSocket: string;
  size?: { rows: number; cols: number };
}

/** Start `proc` in the container; resolves with the child once its execve is under way. */
export async function execInContainer(
  state: OciContainerState,
  proc: ProcessSetup,
  attrs: (ProcessAttrOp | ExecLabelOp)[],
  preserveFds: number,
  sys: Syscalls,
  terminal?: ExecTerminal,
): Promise<ChildProcess> {
  const pid = state.pid!;
  const pidNs = sys.openat(AT_FDCWD, `/proc/${pid}/ns/pid`, O_RDONLY | O_CLOEXEC, 0);
  if (!pidNs.ok || processStartTime(pid) !== state.startTime)
    throw new RuntimeError('container not running');
  keepOnlyPreservedFds(sys, preserveFds);
  const preserved = Array.from({ length: preserveFds }, (_, i) => 3 + i);
  const stdio: Exclude<StdioOptions, string> = [0, 1, 2, 'pipe', 'pipe', ...preserved];
  let child: ChildProcess;
  let stage: FirstStage | undefined;
  let connection: number | undefined;
  let execTerminal: OciExecRequest['terminal'];
  try {
    // Connected here, on the host as root: the exec init may be a user namespace's root.
    if (terminal) {
      connection = connectConsoleSocket(sys, terminal.consoleSocket);
      const consoleSocketFd = stdio.push(connection) - 1;
      execTerminal = { consoleSocketFd, ...(terminal.size ? { size: terminal.size } : {}) };
    }
    stage = execFirstStage(pid, stdio.length);
    // Checked again now that the namespace fds are held: they are the container's.
    if (processStartTime(pid) !== state.startTime) throw new RuntimeError('container not running');
    child = spawnInitInto(pidNs.value, { args: [OCI_EXEC_ARG], stdio, firstStage: stage }, sys);
  } finally {
    stage?.close();
    sys.close(pidNs.value);
    if (connection !== undefined) sys.close(connection);
  }
  // Into the container's cgroup before it runs anything (runc does the same), on the CPUs
  // execCPUAffinity.initial names while it moves (a cpuset's own CPUs may all be busy).
  const cgroup = cgroupOf(state.plan);
  try {
    const initial = proc.execCpuAffinity?.initial;
    if (initial && child.pid !== undefined) {
      const r = sys.schedSetaffinity(child.pid, initial);
      if (!r.ok)
        throw new RuntimeError(
          `${r.errno}: cannot set execCPUAffinity.initial ${initial.join(',')} (are those CPUs online?)`,
        );
    }
    if (cgroup && child.pid !== undefined) joinCgroups(cgroup, child.pid);
  } catch (e) {
    child.kill('SIGKILL');
    throw e;
  }
  const seccomp = state.plan.operations.find((o): o is SeccompOp => o.op === 'seccomp');
  const req: OciExecRequest = {
    process: proc,
    pid,
    startTime: state.startTime!,
    namespaces: namespacesToJoin(pid),
    preserveFds,
    attrs,
    container: { id: state.id, bundle: state.bundle, annotations: state.annotations },
    ...(seccomp ? { seccomp } : {}),
    ...(execTerminal ? { terminal: execTerminal } : {}),
  };
  let execSeen = false;
  let failure: string | undefined;
  const done = readInitMessages(child.stdio[3] as NodeJS.ReadableStream, (msg, line) => {
    if (!msg) failure ??= `the exec init sent something unreadable: ${line.slice(0, 200)}`;
    else if (msg.type === 'stage-failure')
      failure = `${msg.failure.message} (hint: ${msg.failure.hint})`;
    else if (msg.type === 'exec') execSeen = true;
  });
  const request = child.stdio[4] as NodeJS.WritableStream;
  request.on('error', () => {});
  request.end(JSON.stringify(req) + '\n');
  await done;
  if (failure || !execSeen) {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    throw new RuntimeError(
      `unable to start container process: ${failure ?? 'the exec init exited before starting the process; its stderr is above'}`,
    );
  }
  return child;
}
