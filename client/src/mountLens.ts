// While a container runs from a bundle, each mount entry of its config.json shows what the
// kernel really did: "mounted ro,nosuid,nodev · tmpfs", "failed: EINVAL …".
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import {
  describeMountedFlags,
  mountDrift,
  type MountinfoEntry,
  type NormalizedMount,
  visibleMountAt,
} from '@bindery/plan';
import type { ContainerInfo, MountSummary } from '../../helper/src/protocol';
import type { ContainerStore } from './containerStore';
import type { LiveMounts, LiveMountTables } from './liveMounts';
import { toRange } from './mountDiagnostics';
import { findSpecMounts, isOciSpecText } from './specMounts';

export class MountLensProvider implements vscode.CodeLensProvider, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChangeCodeLenses = this.emitter.event;
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly store: ContainerStore,
    private readonly live: LiveMountTables,
  ) {
    this.subscriptions = [
      store.onDidChange(() => this.emitter.fire()),
      live.onDidChange(() => this.emitter.fire()),
    ];
  }

  provideCodeLenses(doc: vscode.TextDocument): vscode.CodeLens[] {
    if (doc.uri.scheme !== 'file') return [];
    const c = this.store.latestForBundle(dirname(doc.uri.fsPath));
    if (!c || (c.status !== 'running' && c.status !== 'creating' && c.status !== 'failed'))
      return [];
    const text = doc.getText();
    if (!isOciSpecText(text)) return [];
    return mountLenses(c, text, liveView(this.live.get(c.id))).map(
      (l) =>
        new vscode.CodeLens(toRange(l.range), {
          title: l.title,
          tooltip: l.tooltip,
          command: c.status === 'running' ? 'bindery.showMountTable' : 'bindery.showOutput',
          arguments: [c.id],
        }),
    );
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.emitter.dispose();
  }
}

interface LensText {
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  title: string;
  tooltip: string;
}

/** The live mount table and the plan's mounts it is held against. */
export interface LiveView {
  table: readonly MountinfoEntry[];
  planned: readonly NormalizedMount[];
}

function liveView(live: LiveMounts | undefined): LiveView | undefined {
  return live && { table: live.entries, planned: live.inspect.plan.mounts };
}

/** One lens per mount entry, from the live mount table when we have it, else the helper's summary. */
export function mountLenses(
  c: ContainerInfo,
  specText: string,
  live: LiveView | undefined,
): LensText[] {
  const lenses: LensText[] = [];
  for (const entry of findSpecMounts(specText)) {
    const summary: MountSummary | undefined = c.mounts.find((m) => m.index === entry.index);
    const range = { start: entry.range.start, end: entry.range.start };
    if (summary?.state === 'failed') {
      lenses.push({
        range,
        title: `$(error) failed: ${summary.errno ?? 'error'} (${c.id})`,
        tooltip: `The helper could not mount ${summary.destination}`,
      });
      continue;
    }
    if (c.status !== 'running' || !entry.destination) {
      if (summary)
        lenses.push({
          range,
          title: `${summary.state} ${summary.options}`,
          tooltip: `Container ${c.id}`,
        });
      continue;
    }
    const planned = live?.planned.find((m) => m.index === entry.index);
    const actual = live
      ? visibleMountAt(live.table, planned?.destination ?? entry.destination)
      : undefined;
    if (live && actual) {
      // What the entry asked is the plan's reading; an entry added since the launch asked nothing yet.
      const diffs = planned ? mountDrift(planned, actual) : [];
      lenses.push({
        range,
        title: `${!planned ? '$(info)' : diffs.length ? '$(warning)' : '$(check)'} mounted ${describeMountedFlags(actual)} · ${actual.fstype}${diffs.length ? ` — ${diffs.map((d) => d.message).join('; ')}` : ''}`,
        tooltip: `In ${c.id}: ${actual.source} on ${actual.mountPoint} type ${actual.fstype} (${actual.options.join(',')})`,
      });
    } else if (live) {
      lenses.push({
        range,
        title: `$(warning) not in the mount table of ${c.id}`,
        tooltip: 'Hidden by a later mount, or its destination is a symlink in the rootfs.',
      });
    } else if (summary) {
      lenses.push({
        range,
        title: `$(check) ${summary.state} ${summary.options}`,
        tooltip: `Container ${c.id}`,
      });
    }
  }
  return lenses;
}
