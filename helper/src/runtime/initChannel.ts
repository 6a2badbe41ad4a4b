// The launcher's side of the init channel: the request the warm init is handed on stdin,
// and the messages it sends back on fd 3 (operations, failures, exec), relayed to the
// container handle until the process is started.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LaunchSpec } from '@bindery/plan';
import { ErrorCodes } from '../protocol';
import { memoryOutcome } from './cgroups';
import type { ContainerHandle } from './containerHandle';
import { answerHookRequest } from './hooks';
import { answerIdmapRequest, type IdmapSyscalls } from './idmapLauncher';
import { HOOK_FAILED } from './initHooks';
import type { InitMessage, InitRequest } from './initProtocol';
import { readInitMessages } from './initMessages';
import type { LaunchOptions } from './launch';
import { launchError, type LaunchError } from './launchError';
import { applyOperationEvent } from './mountSummary';
import { operationEvent } from './operationOutcome';
import { STDERR_PIPE, STDOUT_PIPE } from './stateFile';

let launcherMountNamespace: string | undefined;

/** The socket in the state directory a terminal's master arrives on (from the init). */
export const CONSOLE_SOCKET = 'console.sock';

/** What the init is asked to do for this launch; `output`: the files its stdout and stderr go to. */
export function initRequest(
  opts: Pick<LaunchOptions, 'id' | 'plan' | 'owner' | 'bundleDir'>,
  spec: LaunchSpec,
  stateDir: string,
  output: { stdout: string; stderr: string },
  consoleSocket?: string,
): InitRequest {
  // The init runs the operations for the requester in the rootfs; the findings, the mounts'
  // summaries and the launch settings (sent as `spec`) would only lengthen the JSON it parses.
  const { operations, rootfs, requester } = opts.plan;
  return {
    id: opts.id,
    bundle: path.resolve(opts.bundleDir),
    plan: { operations, rootfs, requester, mounts: [], findings: [] },
    stateDir,
    spec,
    network: {
      hostname: spec.hostname ?? os.hostname(),
      domainname: spec.domainname,
      ownNetworkNamespace: spec.namespaces.ownNetwork,
    },
    stdoutPath: output.stdout,
    stderrPath: output.stderr,
    hostMountNamespace: (launcherMountNamespace ??= fs.readlinkSync('/proc/self/ns/mnt')),
    owner: { uid: opts.owner.uid, gid: opts.owner.gid, groups: [...(opts.owner.groups ?? [])] },
    expectPid1: spec.namespaces.newPid,
    ...(consoleSocket ? { consoleSocket } : {}),
  };
}

/** Send the request, relay the init's messages; undefined when the process was started. */
export function runLaunch(
  child: ChildProcess,
  container: ContainerHandle,
  opts: LaunchOptions,
  spec: LaunchSpec,
  stateDir: string,
  terminal: boolean,
  eventPipe: { path: string; stream: NodeJS.ReadableStream } | undefined,
  init: { pid: number; sys: IdmapSyscalls },
): Promise<LaunchError | undefined> {
  const req = {
    ...initRequest(
      opts,
      spec,
      stateDir,
      { stdout: path.join(stateDir, STDOUT_PIPE), stderr: path.join(stateDir, STDERR_PIPE) },
      terminal ? path.join(stateDir, CONSOLE_SOCKET) : undefined,
    ),
    ...(eventPipe ? { eventPipe: eventPipe.path } : {}),
  };
  return new Promise((resolve) => {
    let execSeen = false;
    let outcome: LaunchError | undefined;
    let stderr = '';
    // A forked init (firstStage.ts) sends through a FIFO and still reads hook answers on fd 3.
    const replies = child.stdio[3] as unknown as NodeJS.WritableStream;
    const events = eventPipe?.stream ?? (child.stdio[3] as NodeJS.ReadableStream);
    child.stdio[2]?.on('data', (d: Buffer) => {
      if (stderr.length < 16384) stderr += d.toString('utf8');
    });
    child.once('exit', (code, signal) => {
      const exitCode = code ?? undefined;
      container.noteExit({
        id: opts.id,
        ...(exitCode !== undefined ? { exitCode } : {}),
        ...(signal ? { signal } : {}),
      });
    });
    const handle = (msg: InitMessage) => {
      switch (msg.type) {
        case 'operation': {
          const event = operationEvent(opts.id, opts.plan, msg.outcome);
          if (!event) {
            outcome ??= launchError(
              ErrorCodes.LaunchFailed,
              'init-died',
              `the init reported operation ${String(msg.outcome?.index)}, which the plan does not have`,
            );
            break;
          }
          applyOperationEvent(opts.plan, container.mounts, event);
          opts.onOperation?.(event);
          container.emit('operation', event);
          break;
        }
        case 'operation-failure':
          outcome = launchError(
            ErrorCodes.LaunchFailed,
            msg.failure.operation.op === 'hook' ? 'hook-failed' : 'mount-failed',
            msg.failure.message,
            { failure: msg.failure },
          );
          break;
        case 'stage-failure':
          outcome = launchError(
            ErrorCodes.LaunchFailed,
            msg.failure.errno === HOOK_FAILED
              ? 'hook-failed'
              : msg.failure.stage === 'namespaces'
                ? 'namespace-failed'
                : 'process-failed',
            msg.failure.message,
            { stage: msg.failure },
          );
          break;
        case 'hook':
          opts.onHook?.(container.recordHook(msg.run));
          break;
        case 'hook-request':
          // fd 3 is a socket pair: the answer goes back on it while the init waits.
          void answerHookRequest(
            opts.plan,
            msg.index,
            opts.owner.uid,
            container.hookSubject(),
            child.pid,
            (run) => opts.onHook?.(container.recordHook(run)),
          ).then((reply) => {
            replies.write(JSON.stringify(reply) + '\n');
          });
          break;
        case 'idmap-request':
          void answerIdmapRequest(opts.plan, msg.index, msg.fd, { pid: init.pid, ownerUid: opts.owner.uid }, init.sys).then(
            (reply) => replies.write(JSON.stringify(reply) + '\n'),
          );
          break;
        case 'exec':
          execSeen = true;
          break;
        case 'ready':
          break;
      }
    };
    void readInitMessages(events, (msg, line) => {
      if (msg) handle(msg);
      else
        outcome ??= launchError(
          ErrorCodes.LaunchFailed,
          'init-died',
          `the init sent something unreadable: ${line.slice(0, 200)}`,
        );
    }).then(() => {
      if (outcome) return resolve(outcome);
      if (execSeen) return resolve(undefined);
      // The init died before execve without saying why: its stderr may.
      const wait =
        child.exitCode !== null || child.signalCode !== null
          ? Promise.resolve()
          : new Promise((r) => child.once('exit', r));
      void wait.then(() => {
        // The init is Node, bigger than runc's: a small memory limit kills it first.
        const { oomKills } = memoryOutcome(opts.plan.operations.find((o) => o.op === 'cgroup'));
        const why = oomKills
          ? ': the OOM killer killed it — linux.resources.memory.limit is below what Bindery’s init needs before it becomes the process (about 48 MiB; runc’s init needs less)'
          : stderr
            ? `: ${stderr.trim().split('\n').slice(0, 6).join(' | ')}`
            : '';
        resolve(
          launchError(
            ErrorCodes.LaunchFailed,
            'init-died',
            `the container's init exited before starting the process${why}`,
          ),
        );
      });
    });
    child.stdin!.on('error', () => {}); // the init died: reported through 'end' above
    child.stdin!.end(JSON.stringify(req) + '\n');
  });
}
