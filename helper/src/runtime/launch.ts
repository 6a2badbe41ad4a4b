// Launch: check what the plan asks for, make the state directory and the output pipes,
// hand the plan to a warm init (initLauncher.ts) through the init channel (initChannel.ts),
// and return the container's handle once its process runs. Nothing of a failed launch is
// left behind.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLONE_NEWUTS, launchRefusals, type LaunchSpec, type Plan } from '@bindery/plan';
import { DEFAULT_SOCKET_PATH, ErrorCodes, type HookEvent, type OperationEvent } from '../protocol';
import { createCgroups, removeCgroups } from './cgroups';
import { recordHostMounts, releaseHostMounts } from './hostMounts';
import { isContainerId } from './containerId';
import { ContainerHandle, type Container } from './containerHandle';
import { CONSOLE_SOCKET, runLaunch } from './initChannel';
import {
  FirstStageError,
  initPidOf,
  needsFirstStage,
  openEventPipe,
  prepareFirstStage,
  type FirstStage,
} from './firstStage';
import { DAEMON_INIT_STDIO, initPool, spawnInit, spawnInitFor } from './initLauncher';
import { isLaunchError, launchError, type LaunchError } from './launchError';
import { makeOutputPipe } from './logFollower';
import {
  processStartTime,
  STDERR_PIPE,
  STDOUT_PIPE,
  writeState,
  type ContainerState,
} from './stateFile';
import type { DaemonSyscalls } from './syscalls';

/** The daemon's default too: its socket's directory. */
export const DEFAULT_STATE_ROOT = path.dirname(DEFAULT_SOCKET_PATH);

export interface LaunchOptions {
  id: string;
  bundleDir: string;
  /**
   * planBundle()'s result for this bundle, planned with stateDir = `<stateRoot>/<id>`. The
   * launch runs from it alone (`plan.launch` for the process and namespaces): config.json
   * is not read again, so a file swapped in after planning is never the one that runs.
   */
  plan: Plan;
  /** Who launches it; groups: the supplementary groups its bind sources are opened with. */
  owner: { uid: number; gid: number; groups?: readonly number[] };
  /** Default /run/bindery. */
  stateRoot?: string;
  /**
   * Called for each operation as the init performs it, during the launch (before the
   * promise settles, so before a listener could be put on the Container).
   */
  onOperation?: (event: OperationEvent) => void;
  /** Called for each hook that ran during the launch (prestart … startContainer), like onOperation. */
  onHook?: (event: HookEvent) => void;
}

/** Check what the plan and spec ask for before any process is started. */
export function prepare(opts: LaunchOptions, stateDir: string): { spec: LaunchSpec } | LaunchError {
  if (!isContainerId(opts.id))
    return launchError(
      ErrorCodes.InvalidParams,
      'invalid-id',
      `container id "${opts.id}" must be 1–64 of A–Z a–z 0–9 _ . -`,
    );
  const errors = launchRefusals(opts.plan);
  if (errors.length)
    return launchError(
      ErrorCodes.PlanHasErrors,
      'plan-has-errors',
      `the helper refuses this spec (${errors.length} finding${errors.length > 1 ? 's' : ''}); first: ${errors[0].message}`,
    );
  if (!opts.plan.rootfs || opts.plan.operations.length === 0)
    return launchError(
      ErrorCodes.PlanHasErrors,
      'plan-has-errors',
      'the plan has no rootfs or no operations',
    );
  for (const op of opts.plan.operations) {
    if (
      op.op === 'write-network-file' &&
      path.resolve(op.hostPath) !== path.join(stateDir, op.file)
    )
      return launchError(
        ErrorCodes.InvalidParams,
        'wrong-state-dir',
        `the plan writes ${op.hostPath}; plan the bundle with stateDir ${stateDir}`,
      );
  }
  // A cgroup placed or limited by the spec writes into the host's cgroup tree (an existing
  // cgroup may be named): root's alone, whatever the peer policy let through. The runtime's
  // own writes (runc's default device whitelist) only restrict, and stay.
  const cgroup = opts.plan.operations.find((o) => o.op === 'cgroup');
  if (
    opts.owner.uid !== 0 &&
    cgroup &&
    (cgroup.writes.some((w) => w.origin.kind === 'spec') || cgroup.origin.kind === 'spec')
  )
    return launchError(
      ErrorCodes.PermissionDenied,
      'cgroup-needs-root',
      'linux.resources limits and linux.cgroupsPath change the host’s cgroups: only root may set them',
    );
  // What the helper refuses is said once, as plan findings (checked above). From here on
  // only asserts that a plan not made by planBundle could trip.
  const spec = opts.plan.launch;
  if (!spec)
    return launchError(
      ErrorCodes.PlanHasErrors,
      'plan-has-errors',
      'the plan has no launch settings; make it with planBundle()',
    );
  const ownUts =
    (spec.namespaces.unshare & CLONE_NEWUTS) !== 0 ||
    spec.namespaces.join.some((j) => j.type === 'uts');
  if (
    !ownUts &&
    opts.plan.operations.some((o) => o.op === 'sethostname' || o.op === 'setdomainname')
  )
    return launchError(
      ErrorCodes.PlanHasErrors,
      'plan-has-errors',
      'the plan sets hostname or domainname without a uts namespace; that would rename the host',
    );
  return { spec };
}

export async function launchContainer(
  opts: LaunchOptions,
  sys: DaemonSyscalls,
): Promise<Container> {
  const stateRoot = path.resolve(opts.stateRoot ?? DEFAULT_STATE_ROOT);
  const stateDir = path.join(stateRoot, opts.id);
  const prepared = prepare(opts, stateDir);
  if ('code' in prepared) throw prepared;
  const spec = prepared.spec;

  try {
    fs.mkdirSync(stateRoot, { recursive: true, mode: 0o711 });
    fs.mkdirSync(stateDir, { mode: 0o711 });
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST')
      throw launchError(
        ErrorCodes.AlreadyExists,
        'already-exists',
        `a container named ${opts.id} already exists in ${stateRoot}`,
      );
    throw launchError(
      ErrorCodes.LaunchFailed,
      'state-dir',
      `cannot create the state directory ${stateDir}: ${code}`,
    );
  }

  const state: ContainerState = {
    version: 1,
    id: opts.id,
    bundle: path.resolve(opts.bundleDir),
    owner: opts.owner,
    createdAt: new Date().toISOString(),
    status: 'creating',
    args: spec.process.args,
    plan: opts.plan,
  };
  const hostMounts = opts.plan.rootfs ? recordHostMounts(opts.plan, opts.plan.rootfs) : undefined;
  if (hostMounts) state.hostMounts = hostMounts;
  const container = new ContainerHandle(sys, state, stateDir);
  let child: ChildProcess | undefined;
  let consoleListener: number | undefined;
  let pidfd: number | undefined;
  try {
    // process.terminal: the init sends the pty master here (SCM_RIGHTS), before execve.
    if (opts.plan.operations.some((o) => o.op === 'console')) {
      const l = sys.listenUnix(path.join(stateDir, CONSOLE_SOCKET));
      if (!l.ok)
        throw launchError(
          ErrorCodes.LaunchFailed,
          'state-dir',
          `cannot listen for the terminal on ${path.join(stateDir, CONSOLE_SOCKET)}: ${l.errno}`,
        );
      consoleListener = l.value;
    }
    for (const name of [STDOUT_PIPE, STDERR_PIPE]) {
      const made = makeOutputPipe(sys, path.join(stateDir, name));
      if (!made.ok)
        throw launchError(
          ErrorCodes.LaunchFailed,
          'state-dir',
          `cannot create the output pipe ${path.join(stateDir, name)}: ${made.errno}`,
        );
    }
    container.openOutput();
    const ns = spec.namespaces;
    let stage: FirstStage | undefined;
    if (needsFirstStage(ns)) {
      stage = await prepareFirstStage(ns, DAEMON_INIT_STDIO.length, stateDir);
      if (stage.root) ownForNamespaceRoot(stateDir, stage.root);
    }
    try {
      // Warm inits fit a new PID namespace made here; anything else starts cold.
      child =
        stage || ns.pidPath
          ? spawnInitFor(ns, sys, { firstStage: stage })
          : ns.newPid
            ? initPool.take(sys)
            : spawnInit(false, sys);
    } finally {
      stage?.close();
    }
    // The init becomes the process: its pid and start time are the container's. Written
    // before the launch, so a helper that dies mid-launch leaves enough to re-adopt it.
    const pid = await initPidOf(child, stage);
    if (pid !== undefined && stage?.forks) {
      const fd = sys.pidfdOpen(pid);
      if (!fd.ok)
        throw launchError(
          ErrorCodes.LaunchFailed,
          'init-died',
          `pidfd_open(${pid}) failed: ${fd.errno}`,
        );
      pidfd = fd.value;
    }
    if (pid === undefined)
      throw launchError(
        ErrorCodes.LaunchFailed,
        'init-died',
        'the container init could not be started (is node still installed where the helper runs from?)',
      );
    container.state.pid = pid;
    container.state.startTime = processStartTime(pid);
    // Its cgroup, with the init in it before the init unshares its cgroup namespace. The
    // state is written once both are known (createCgroups is synchronous: no helper exit
    // can fall between the pid and the cgroups, and until execve the init dies with us).
    // Both of the launch's state writes carry the same plan: serialised once, for this
    // launch only (kept per container it raised the helper's RSS with 100 containers by 20 MiB).
    const planJson = JSON.stringify(container.state.plan);
    const cgroup = opts.plan.operations.find((o) => o.op === 'cgroup');
    if (!cgroup) writeState(stateDir, container.state, planJson);
    else {
      const made = createCgroups(cgroup, pid, sys);
      container.state.cgroups = made.made;
      writeState(stateDir, container.state, planJson);
      if (!made.ok)
        throw launchError(ErrorCodes.LaunchFailed, 'cgroup-failed', made.message, {
          stage: { stage: 'namespaces', errno: made.errno, message: made.message, hint: made.hint },
        });
    }
    const events = stage?.forks ? openEventPipe(sys, stateDir, stage.root) : undefined;
    if (events) child.once('exit', events.release);
    const result = await runLaunch(
      child,
      container,
      opts,
      spec,
      stateDir,
      consoleListener !== undefined,
      events,
      stage?.stateDirFd,
      { pid, sys },
    );
    if (result) throw result;
    if (consoleListener !== undefined) {
      const got = sys.receiveFd(consoleListener);
      // Only this launch's init may hand over the terminal (the socket is 0600: root's, or
      // the user namespace's root's when the init runs as that).
      if (!got.ok || got.value.peer.pid !== pid) {
        if (got.ok) sys.close(got.value.fd);
        throw launchError(
          ErrorCodes.LaunchFailed,
          'init-died',
          `the container's terminal did not arrive from its init (${got.ok ? `sent by pid ${got.value.peer.pid}` : got.errno})`,
        );
      }
      container.attachTerminal(got.value.fd);
      closeConsoleListener(sys, consoleListener, stateDir);
      consoleListener = undefined;
    }
    container.state.status = 'running';
    // After the answer: a helper restarted before this write finds 'creating' with the
    // process alive (pid and start time), which adopt.ts takes back as running all the same.
    setImmediate(() => {
      try {
        writeState(stateDir, container.state, planJson);
      } catch {
        // torn down meanwhile
      }
    });
    container.markStarted(pid, { child, pidfd });
    container.startPoststart(pid);
    initPool.scheduleRefill(sys);
    return container;
  } catch (e) {
    if (consoleListener !== undefined) closeConsoleListener(sys, consoleListener, stateDir);
    consoleListener = undefined;
    if (pidfd !== undefined) sys.close(pidfd);
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await new Promise((resolve) => child!.once('exit', resolve));
    }
    container.closeOutput();
    const mounts = hostMounts && releaseHostMounts(hostMounts, sys);
    if (mounts) container.emit('warning', mounts);
    await removeCgroups(container.state.cgroups ?? []);
    // As runc, whose failed create destroys the container: poststop runs for it too.
    if (child) await container.runPoststop();
    fs.rmSync(stateDir, { recursive: true, force: true });
    initPool.scheduleRefill(sys);
    if (e instanceof FirstStageError)
      throw launchError(ErrorCodes.LaunchFailed, 'namespace-failed', e.message, {
        stage: {
          stage: 'namespaces',
          errno: e.errno,
          message: `${e.errno}: ${e.message}`,
          hint: e.hint,
        },
      });
    if (isLaunchError(e)) throw e;
    throw launchError(
      ErrorCodes.LaunchFailed,
      'internal',
      `launch failed: ${e instanceof Error ? e.message : String(e)}`,
    );
  }
}

function closeConsoleListener(sys: DaemonSyscalls, fd: number, stateDir: string): void {
  sys.close(fd);
  fs.rmSync(path.join(stateDir, CONSOLE_SOCKET), { force: true });
}

/**
 * The output pipes and the terminal's socket the init opens must be the user namespace's
 * root's: the init's credentials are that root's from its first instruction.
 */
export function ownForNamespaceRoot(stateDir: string, root: { uid: number; gid: number }): void {
  for (const name of [STDOUT_PIPE, STDERR_PIPE, CONSOLE_SOCKET]) {
    const p = path.join(stateDir, name);
    if (fs.existsSync(p)) fs.chownSync(p, root.uid, root.gid);
  }
}
