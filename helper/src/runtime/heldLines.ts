// The init's operation lines, held and written together: a run of steps leaves in one
// write, so the launcher reads it in one go and the daemon relays it as one notification
// (one read, one turn, one `container/operations`), instead of a read, a turn and a
// notification per step. Whoever sends anything else flushes first, so the launcher still
// sees every step, the failed one last, before the failure that names it, and before any
// request the init then waits on (a hook, an idmap).

/** Held bytes beyond which a line is written at once: well under a pipe's 64 KiB buffer. */
export const MAX_HELD_BYTES = 16 * 1024;
/** A step reported this long after the first one held is written with them: progress keeps moving on a slow mount. */
export const MAX_HELD_MS = 50;

export class HeldLines {
  private held = '';
  private since = 0;

  constructor(
    private readonly write: (text: string) => void,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** `line` ends in a newline. */
  hold(line: string): void {
    if (this.held === '') this.since = this.now();
    this.held += line;
    if (this.held.length >= MAX_HELD_BYTES || this.now() - this.since >= MAX_HELD_MS) this.flush();
  }

  flush(): void {
    if (this.held === '') return;
    const text = this.held;
    this.held = '';
    this.write(text);
  }
}
