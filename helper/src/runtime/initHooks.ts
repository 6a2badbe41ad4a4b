// The hooks as the container's init sees them. prestart and createRuntime run in the
// runtime's namespaces, so the init, already in the container's, asks its launcher to run
// them and waits for the answer; createContainer and startContainer it runs itself, where it
// is (runc 1.1: both from `runc init`, the state's pid its own getpid()).
import * as fs from 'node:fs';
import type { HookOp } from '@bindery/plan';
import type { HookRun } from '../protocol';
import { fail, type StepFailure, type StepOutcome } from './failure';
import { hookState, hooksOf, runHookSync, type HookState } from './hooks';
import { EVENT_FD, type HookReply, type InitMessage, type InitRequest } from './initProtocol';
import type { Syscalls } from './syscalls';

/** The errno-like code of a failed hook in operation failures and stage failures. */
export const HOOK_FAILED = 'EHOOK';

export interface InitHooks {
  /** For setupRootfs: the hooks due before pivot_root. */
  runHook(op: HookOp): StepOutcome;
  /** startContainer, after the process set-up; the first failure stops the launch. */
  runStartHooks(): StepFailure | undefined;
}

let answerFd = EVENT_FD;

/** Where the launcher's answers come from when fd 3 became a FIFO (a forked init: init.ts). */
export function readHookAnswersFrom(fd: number): void {
  answerFd = fd;
}

/** The launcher's answer to a request (hook-request, idmap-request): one line, blocking. */
export function readLauncherAnswer(): string {
  return readLineSync(answerFd);
}

/** One line from fd, blocking (the launcher answers a hook-request with exactly one). */
function readLineSync(fd: number): string {
  const chunks: Buffer[] = [];
  const buf = Buffer.alloc(4096);
  for (;;) {
    let n: number;
    try {
      n = fs.readSync(fd, buf, 0, buf.length, null);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'EINTR' || (e as NodeJS.ErrnoException).code === 'EAGAIN') continue;
      throw e;
    }
    if (n === 0) break;
    chunks.push(Buffer.from(buf.subarray(0, n)));
    if (buf.subarray(0, n).includes(10)) break;
  }
  return Buffer.concat(chunks).toString('utf8').split('\n')[0];
}

function failed(run: HookRun): StepFailure {
  return { ok: false, errno: HOOK_FAILED, message: run.message, hint: hintFor(run) };
}

function hintFor(run: { kind: string; index: number; path: string }): string {
  return `hooks.${run.kind}[${run.index}] (${run.path}) must exit 0 for the container to start`;
}

export function initHooks(
  req: InitRequest,
  sys: Syscalls,
  send: (msg: InitMessage) => void,
): InitHooks {
  const subject = { id: req.id, bundle: req.bundle, annotations: req.spec.annotations };
  const state = (status: HookState['status']) => hookState(subject, status, sys.getpid());
  // Without an env of its own, a hook in the container gets the process's (runc's init
  // has set its environment to the process's by then).
  const env = req.spec.process.env;
  const runHere = (op: HookOp, s: HookState, cwd?: string): StepOutcome => {
    const run = runHookSync(op, s, { cwd, env });
    send({ type: 'hook', run });
    return run.ok ? { ok: true, note: run.message } : failed(run);
  };
  return {
    runHook(op) {
      if (op.runsIn === 'container')
        // Before pivot_root, in the rootfs: runc enters it right before these hooks.
        return runHere(op, state('creating'), req.plan.rootfs);
      const index = req.plan.operations.indexOf(op);
      send({ type: 'hook-request', index });
      let reply: HookReply;
      try {
        reply = JSON.parse(readLineSync(answerFd)) as HookReply;
      } catch {
        return fail('EIO', `${op.kind} hook ${op.path}: no answer from the launcher`, 'the helper went away during the launch');
      }
      return reply.ok
        ? { ok: true, note: reply.message }
        : { ok: false, errno: HOOK_FAILED, message: reply.message ?? `${op.kind} hook failed`, hint: hintFor(op) };
    },
    runStartHooks() {
      for (const op of hooksOf(req.plan, 'startContainer')) {
        const r = runHere(op, state('created'));
        if (!r.ok) return r;
      }
      return undefined;
    },
  };
}
