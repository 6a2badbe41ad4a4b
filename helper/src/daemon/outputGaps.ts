// Output one client was not sent because it did not read fast enough, per container and
// stream. The count travels with the next output that client is sent (`dropped`), or on an
// empty output event of its own, so the client can say what it missed and where.
import type { OutputEvent } from '../protocol';

export class OutputGaps {
  private readonly gaps = new Map<string, OutputEvent & { dropped: number }>();

  /** `e` was not sent. */
  drop(e: OutputEvent): void {
    const key = `${e.stream}:${e.id}`;
    const bytes = Buffer.byteLength(e.data);
    const gap = this.gaps.get(key);
    if (gap) gap.dropped += bytes;
    else this.gaps.set(key, { id: e.id, stream: e.stream, data: '', dropped: bytes });
  }

  get size(): number {
    return this.gaps.size;
  }

  /**
   * What to send now, in order: a marker (empty `data`) for each open gap of container `id`
   * (every container when undefined), then `e` — carrying its own stream's gap — if given.
   * The gaps are closed.
   */
  close(id: string | undefined, e?: OutputEvent): OutputEvent[] {
    const out: OutputEvent[] = [];
    let own: number | undefined;
    for (const [key, gap] of this.gaps) {
      if (id !== undefined && gap.id !== id) continue;
      this.gaps.delete(key);
      if (e && gap.id === e.id && gap.stream === e.stream) own = gap.dropped;
      else out.push(gap);
    }
    if (e) out.push(own === undefined ? e : { ...e, dropped: own });
    return out;
  }
}
