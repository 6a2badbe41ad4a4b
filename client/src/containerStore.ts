// What we know about the helper's containers: seeded by one `list` when a connection opens,
// then kept current from the helper's notifications only (no polling).
import * as vscode from 'vscode';
import { type ContainerInfo, ListRequest } from '../../helper/src/protocol';
import type { HelperConnection } from './helperConnection';

const STATUS_RANK: Record<ContainerInfo['status'], number> = {
  creating: 0,
  running: 1,
  stopped: 2,
  failed: 2,
};

export class ContainerStore implements vscode.Disposable {
  private readonly containers = new Map<string, ContainerInfo>();
  private readonly emitter = new vscode.EventEmitter<string[]>();
  /** Fires with the ids that changed. */
  readonly onDidChange = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly helper: HelperConnection,
    private readonly log: vscode.OutputChannel,
  ) {
    this.subscriptions.push(
      helper.onDidChangeState((s) => {
        if (s.kind === 'connected') void this.reload();
        // Without a connection we know nothing current: show nothing rather than stale rows.
        else if (s.kind === 'unreachable' && this.containers.size) {
          const ids = [...this.containers.keys()];
          this.containers.clear();
          this.emitter.fire(ids);
        }
      }),
      helper.onChanged((info) => this.put(info)),
      helper.onStarted((e) => this.patch(e.id, { pid: e.pid, status: 'running' })),
      helper.onExited((e) =>
        this.patch(e.id, {
          pid: undefined,
          exitCode: e.exitCode,
          signal: e.signal,
          oomKills: e.oomKills,
          memoryPeak: e.memoryPeak,
          status: 'stopped',
        }),
      ),
      helper.onTornDown((e) => {
        if (this.containers.delete(e.id)) this.emitter.fire([e.id]);
      }),
    );
  }

  all(): ContainerInfo[] {
    return [...this.containers.values()];
  }

  get(id: string): ContainerInfo | undefined {
    return this.containers.get(id);
  }

  /** The newest container launched from this bundle directory. */
  latestForBundle(bundleDir: string): ContainerInfo | undefined {
    let best: ContainerInfo | undefined;
    for (const c of this.containers.values()) {
      if (bundleDirOf(c.bundle) !== bundleDir) continue;
      if (!best || c.createdAt > best.createdAt) best = c;
    }
    return best;
  }

  /**
   * A summary from a reply or a notification. A container only moves forward (creating →
   * running → stopped or failed): a reply that was on its way while the process exited
   * does not bring back "running".
   */
  put(info: ContainerInfo): void {
    const known = this.containers.get(info.id);
    if (known && STATUS_RANK[known.status] > STATUS_RANK[info.status]) return;
    this.containers.set(info.id, info);
    this.emitter.fire([info.id]);
  }

  remove(id: string): void {
    if (this.containers.delete(id)) this.emitter.fire([id]);
  }

  /** Replace everything with the helper's current list (on connect and on explicit refresh). */
  async reload(): Promise<void> {
    try {
      const list = await this.helper.request(ListRequest, undefined);
      const ids = new Set([...this.containers.keys(), ...list.map((c) => c.id)]);
      this.containers.clear();
      for (const c of list) this.containers.set(c.id, c);
      this.emitter.fire([...ids]);
    } catch (e) {
      this.log.appendLine(`[helper] list failed: ${e instanceof Error ? e.message : String(e)}`);
    }
  }

  private patch(id: string, change: Partial<ContainerInfo>): void {
    const c = this.containers.get(id);
    if (!c) return;
    this.containers.set(id, { ...c, ...change });
    this.emitter.fire([id]);
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.emitter.dispose();
  }
}

/** A container's `bundle` may name the directory or its config.json. */
export function bundleDirOf(bundle: string): string {
  return bundle.endsWith('.json')
    ? bundle.slice(0, bundle.lastIndexOf('/')) || '/'
    : bundle.replace(/\/+$/, '');
}

export function specPathOf(bundle: string): string {
  return bundle.endsWith('.json') ? bundle : `${bundle.replace(/\/+$/, '')}/config.json`;
}
