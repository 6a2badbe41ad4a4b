// An error of a runtime command (`bindery create`, `state`, …), worded as runc words it, with
// the exit status runc gives it.
import type { FailureDetail } from './ociFailures';

export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
    /** What in config.json made a create fail, for the editor (ociFailures.ts). */
    readonly detail?: FailureDetail,
  ) {
    super(message);
  }
}
