// The launcher's side of the init channel: the request the warm init is handed on stdin,
// and the messages it sends back on fd 3 (operations, failures, exec), relayed to the
// container handle until the process is started.
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { LaunchSpec } from '@bindery/plan';
import { ErrorCodes } from '../protocol';
import type { ContainerHandle } from './containerHandle';
import type { InitMessage, InitRequest } from './initProtocol';
import { readInitMessages } from './initMessages';
import type { LaunchOptions } from './launch';
import { launchError, type LaunchError } from './launchError';
import { applyOperationEvent } from './mountSummary';
import { STDERR_PIPE, STDOUT_PIPE } from './stateFile';

let launcherMountNamespace: string | undefined;

/** What the init is asked to do for this launch; `output`: the files its stdout and stderr go to. */
export function initRequest(
  opts: Pick<LaunchOptions, 'id' | 'plan' | 'owner'>,
  spec: LaunchSpec,
  stateDir: string,
  output: { stdout: string; stderr: string },
): InitRequest {
  return {
    id: opts.id,
    plan: opts.plan,
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
  };
}

/** Send the request, relay the init's messages; undefined when the process was started. */
export function runLaunch(
  child: ChildProcess,
  container: ContainerHandle,
  opts: LaunchOptions,
  spec: LaunchSpec,
  stateDir: string,
): Promise<LaunchError | undefined> {
  const req = initRequest(opts, spec, stateDir, {
    stdout: path.join(stateDir, STDOUT_PIPE),
    stderr: path.join(stateDir, STDERR_PIPE),
  });
  return new Promise((resolve) => {
    let execSeen = false;
    let outcome: LaunchError | undefined;
    let stderr = '';
    const events = child.stdio[3] as NodeJS.ReadableStream;
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
        case 'operation':
          applyOperationEvent(opts.plan, container.mounts, msg.event);
          opts.onOperation?.(msg.event);
          container.emit('operation', msg.event);
          break;
        case 'operation-failure':
          outcome = launchError(ErrorCodes.LaunchFailed, 'mount-failed', msg.failure.message, {
            failure: msg.failure,
          });
          break;
        case 'stage-failure':
          outcome = launchError(
            ErrorCodes.LaunchFailed,
            msg.failure.stage === 'namespaces' ? 'namespace-failed' : 'process-failed',
            msg.failure.message,
            { stage: msg.failure },
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
      void wait.then(() =>
        resolve(
          launchError(
            ErrorCodes.LaunchFailed,
            'init-died',
            `the container's init exited before starting the process${stderr ? `: ${stderr.trim().split('\n').slice(0, 6).join(' | ')}` : ''}`,
          ),
        ),
      );
    });
    child.stdin!.on('error', () => {}); // the init died: reported through 'end' above
    child.stdin!.end(JSON.stringify(req) + '\n');
  });
}
