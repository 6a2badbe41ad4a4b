// The actual mount table of each running container (its /proc/PID/mountinfo, read by the
// helper through `inspect`), fetched once when the container starts running and dropped
// when it stops. Feeds the CodeLens and the "asked ro, mounted rw" diagnostics.
import { type MountinfoEntry, parseMountinfo } from '@bindery/plan';
import * as vscode from 'vscode';
import { type InspectResult, InspectRequest } from '../../helper/src/protocol';
import type { ContainerStore } from './containerStore';
import type { HelperConnection } from './helperConnection';

export interface LiveMounts {
  containerId: string;
  inspect: InspectResult;
  entries: MountinfoEntry[];
}

export class LiveMountTables implements vscode.Disposable {
  private readonly tables = new Map<string, LiveMounts>();
  private readonly inFlight = new Set<string>();
  private readonly emitter = new vscode.EventEmitter<string>();
  /** Fires with the container id whose table appeared or went away. */
  readonly onDidChange = this.emitter.event;
  private readonly subscription: vscode.Disposable;

  constructor(
    private readonly helper: HelperConnection,
    private readonly store: ContainerStore,
    private readonly log: vscode.OutputChannel,
  ) {
    this.subscription = store.onDidChange((ids) => ids.forEach((id) => this.sync(id)));
  }

  get(id: string): LiveMounts | undefined {
    return this.tables.get(id);
  }

  /** Fetch again (the user asked for the mount table; something may have changed inside). */
  async refresh(id: string): Promise<LiveMounts | undefined> {
    this.tables.delete(id);
    await this.fetch(id);
    return this.tables.get(id);
  }

  private sync(id: string): void {
    const c = this.store.get(id);
    if (c?.status === 'running' && c.pid) {
      if (!this.tables.has(id) && !this.inFlight.has(id)) void this.fetch(id);
    } else if (this.tables.delete(id)) {
      this.emitter.fire(id);
    }
  }

  private async fetch(id: string): Promise<void> {
    this.inFlight.add(id);
    try {
      const inspect = await this.helper.request(InspectRequest, { id });
      if (inspect.status === 'running' && inspect.mountinfo !== undefined) {
        this.tables.set(id, {
          containerId: id,
          inspect,
          entries: parseMountinfo(inspect.mountinfo),
        });
        this.emitter.fire(id);
      }
    } catch (e) {
      this.log.appendLine(
        `[helper] inspect ${id} failed: ${e instanceof Error ? e.message : String(e)}`,
      );
    } finally {
      this.inFlight.delete(id);
    }
  }

  dispose(): void {
    this.subscription.dispose();
    this.emitter.dispose();
  }
}
