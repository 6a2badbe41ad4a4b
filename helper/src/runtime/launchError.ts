// How a launch fails: one error value, with a protocol code, for every stage.
import type { OperationFailure } from '../protocol';
import type { StageFailure } from './initProtocol';

/** What launchContainer rejects with. Nothing of the container is left behind. */
export interface LaunchError {
  /** A protocol ErrorCodes value. */
  code: number;
  /** Machine-readable: 'plan-has-errors', 'already-exists', 'mount-failed', 'namespace-failed', 'process-failed', 'init-died'. */
  reason: string;
  message: string;
  /** The failed operation, when a plan step failed. */
  failure?: OperationFailure;
  /** A failure outside the plan (namespaces, process setup, execve). */
  stage?: StageFailure;
}

export function isLaunchError(e: unknown): e is LaunchError {
  return (
    !!e &&
    typeof e === 'object' &&
    typeof (e as LaunchError).code === 'number' &&
    typeof (e as LaunchError).reason === 'string'
  );
}

export function launchError(
  code: number,
  reason: string,
  message: string,
  extra: Partial<LaunchError> = {},
): LaunchError {
  return { code, reason, message, ...extra };
}
