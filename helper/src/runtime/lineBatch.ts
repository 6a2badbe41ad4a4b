// Lines written together: queued lines leave with the next line written at once, or when
// the oldest has waited `maxAgeMs` or the queue holds `maxBytes`. Only as a new line is added
// is the age checked (the init is synchronous: there is no timer to fire meanwhile).
export class LineBatch {
  private queued = '';
  private since = 0;

  constructor(
    private readonly out: (text: string) => void,
    private readonly limits = { maxAgeMs: 5, maxBytes: 32 * 1024 },
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Queue a line that may wait. */
  add(line: string): void {
    if (!this.queued) this.since = this.now();
    this.queued += line;
    if (this.queued.length >= this.limits.maxBytes || this.now() - this.since >= this.limits.maxAgeMs)
      this.flush();
  }

  /** Write a line now, after whatever is queued, in one write. */
  write(line: string): void {
    const text = this.queued + line;
    this.queued = '';
    this.out(text);
  }

  flush(): void {
    if (!this.queued) return;
    const text = this.queued;
    this.queued = '';
    this.out(text);
  }
}
