// Exit codes from sysexits.h. Its own module, without imports, so the command line's entry
// can use it without loading the runtime or the plan.

/** An internal error: the exit code of a process that cannot go on. */
export const EX_SOFTWARE = 70;
