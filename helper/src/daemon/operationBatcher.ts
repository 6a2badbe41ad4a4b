// A launch's operation events, gathered per container until the current turn of the event
// loop ends, then handed on as one batch (`container/operations`, protocol 1.3). The init's
// event lines that arrive in one read are handled in one turn, so each read becomes one
// notification per client instead of one per operation: framing, writing and parsing a
// message cost about the same whatever its size here, and a launch has three per bind.
import type { OperationEvent, OperationsEvent } from '../protocol';

export class OperationBatcher {
  private readonly pending = new Map<string, { owner: number; operations: OperationEvent[] }>();
  private scheduled = false;

  constructor(private readonly deliver: (owner: number, batch: OperationsEvent) => void) {}

  add(owner: number, e: OperationEvent): void {
    const batch = this.pending.get(e.id);
    if (batch) batch.operations.push(e);
    else this.pending.set(e.id, { owner, operations: [e] });
    if (this.scheduled) return;
    this.scheduled = true;
    queueMicrotask(() => {
      this.scheduled = false;
      for (const id of [...this.pending.keys()]) this.flush(id);
    });
  }

  /**
   * Hands on what waits for container `id` now: before any other event of it, so a client
   * sees every step before the container's start, its failure or its summary.
   */
  flush(id: string): void {
    const batch = this.pending.get(id);
    if (!batch) return;
    this.pending.delete(id);
    this.deliver(batch.owner, { id, operations: batch.operations });
  }
}
