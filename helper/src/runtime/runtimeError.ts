// An error of a runtime command (`bindery create`, `state`, …), worded as runc words it, with
// the exit status runc gives it.
export class RuntimeError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
