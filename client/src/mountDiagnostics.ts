// Mount problems as diagnostics on the entry of config.json that caused them, in our own
// collection (source "bindery") beside the language server's: launch failures with errno
// and hint, the helper's findings when it refused a plan, and differences between the
// running container's mount table and what the spec asked for. Each finding is one
// diagnostic: see diagnosticLayers.ts.
import * as fs from 'node:fs';
import * as vscode from 'vscode';
import type { OperationFailure } from '../../helper/src/protocol';
import type { Finding, Operation, Range } from '@bindery/plan';
import { bundleDirOf, type ContainerStore, specPathOf } from './containerStore';
import type { HelperConnection } from './helperConnection';
import type { LiveMountTables } from './liveMounts';
import { findingKey, type Layer, mergeLayers, notShownBy } from './diagnosticLayers';
import { failedMountIndexes, placeDrift } from './specDrift';
import { findSpecMounts } from './specMounts';

export const DIAGNOSTIC_SOURCE = 'bindery';

export class MountDiagnostics implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('bindery');
  /** Per spec file, per layer: each layer is replaced on its own. */
  private readonly layers = new Map<string, Map<Layer, vscode.Diagnostic[]>>();
  /** The helper's findings behind a layer, filtered again when the language server speaks. */
  private readonly planFindings = new Map<string, Map<Layer, Finding[]>>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    helper: HelperConnection,
    private readonly store: ContainerStore,
    private readonly live: LiveMountTables,
  ) {
    this.subscriptions.push(
      this.collection,
      // A failure of a launch started elsewhere (the CLI) lands in the editor too.
      helper.onOperations(({ id, operations }) => {
        const c = store.get(id);
        if (!c) return;
        for (const e of operations)
          if (!e.ok)
            this.setLaunchFailure(specPathOf(c.bundle), {
              index: e.index,
              operation: e.operation,
              errno: e.errno ?? 'EIO',
              message: e.message ?? e.text,
              hint: e.hint ?? '',
            });
      }),
      live.onDidChange((id) => this.updateMismatches(id)),
      vscode.languages.onDidChangeDiagnostics((e) => {
        for (const uri of e.uris)
          for (const layer of this.planFindings.get(uri.fsPath)?.keys() ?? [])
            this.applyPlanFindings(uri.fsPath, layer);
      }),
      store.onDidChange((ids) =>
        ids.forEach((id) => {
          this.clearMismatchesIfGone(id);
          this.showEngineFailure(id);
        }),
      ),
      vscode.workspace.onDidChangeTextDocument((e) => {
        // Offsets moved: recompute the comparison for this file if a container runs from it.
        if (this.layers.get(e.document.uri.fsPath)?.get('mismatch')?.length)
          this.refreshMismatchesFor(e.document.uri.fsPath);
      }),
    );
  }

  /** Spec of each engine container whose failed create we show, to clear it when it goes. */
  private readonly engineFailures = new Map<string, string>();

  /**
   * An engine's `create` that failed (podman run, ctr run with `bindery`) lands on its entry
   * of config.json just as a launch from the view does; it goes when the user clears it.
   */
  private showEngineFailure(id: string): void {
    const c = this.store.get(id);
    if (!c?.engine || !c.failure) {
      const spec = this.engineFailures.get(id);
      if (spec !== undefined) {
        this.engineFailures.delete(id);
        this.clearLaunch(spec);
      }
      return;
    }
    const spec = specPathOf(c.bundle);
    if (this.engineFailures.get(id) === spec) return;
    this.engineFailures.set(id, spec);
    if (c.failure.operation) this.setLaunchFailure(spec, c.failure.operation);
    else this.setPlanFindings(spec, c.failure.findings ?? []);
  }

  /** Forget what an earlier launch of this bundle reported. */
  clearLaunch(specPath: string): void {
    this.set(specPath, 'launch', []);
  }

  setLaunchFailure(specPath: string, failure: OperationFailure): void {
    const range = rangeOfOperation(specPath, failure.operation);
    const where = describeEntry(failure.operation);
    const d = new vscode.Diagnostic(
      toRange(range),
      `${where}${failure.message.startsWith(failure.errno) ? '' : `${failure.errno}: `}${failure.message}${failure.hint ? ` — ${failure.hint}` : ''}`,
      vscode.DiagnosticSeverity.Error,
    );
    d.source = DIAGNOSTIC_SOURCE;
    d.code = failure.errno;
    this.set(specPath, 'launch', [d]);
  }

  /**
   * The helper's findings (it refused the plan, or the user asked it to validate). The
   * language server shows most of them already; add only what the helper sees differently
   * (it runs as root and looks at the host as it is now), so nothing is listed twice. The
   * language server may speak later (the spec opened after the launch): then it is checked
   * again, and what it now shows is dropped from ours.
   */
  setPlanFindings(specPath: string, findings: Finding[], layer: Layer = 'launch'): void {
    let kept = this.planFindings.get(specPath);
    if (!kept) this.planFindings.set(specPath, (kept = new Map()));
    kept.set(layer, findings);
    this.applyPlanFindings(specPath, layer);
  }

  private applyPlanFindings(specPath: string, layer: Layer): void {
    const findings = this.planFindings.get(specPath)?.get(layer);
    if (!findings) return;
    const uri = vscode.Uri.file(specPath);
    const ours = new Set(
      (this.collection.get(uri) ?? []).map((d) => `${d.message}@${d.range.start.line}`),
    );
    const shown = new Set(
      vscode.languages
        .getDiagnostics(uri)
        .filter((d) => !ours.has(`${d.message}@${d.range.start.line}`))
        .map((d) => findingKey(d.code, d.range.start.line)),
    );
    const diagnostics = notShownBy(findings, shown).map(findingToDiagnostic);
    const before = this.layers.get(specPath)?.get(layer) ?? [];
    // Our own change comes back as a diagnostics event: stop when nothing moved.
    const same =
      before.length === diagnostics.length &&
      before.every(
        (d, i) => d.message === diagnostics[i].message && d.range.isEqual(diagnostics[i].range),
      );
    if (!same) this.set(specPath, layer, diagnostics, true);
  }

  /** The spec is gone: nothing we said about it stays in Problems. */
  forget(specPath: string): void {
    this.layers.delete(specPath);
    this.planFindings.delete(specPath);
    this.collection.delete(vscode.Uri.file(specPath));
  }

  clearValidate(specPath: string): void {
    this.set(specPath, 'validate', []);
  }

  private clearMismatchesIfGone(id: string): void {
    const c = this.store.get(id);
    if (c?.status === 'running') return;
    const spec = c ? specPathOf(c.bundle) : this.specOfLastMismatch.get(id);
    if (spec && this.liveContainerFor(spec) === undefined) this.set(spec, 'mismatch', []);
    this.specOfLastMismatch.delete(id);
  }

  private readonly specOfLastMismatch = new Map<string, string>();

  private liveContainerFor(specPath: string): string | undefined {
    const c = this.store.latestForBundle(bundleDirOf(specPath));
    return c && this.live.get(c.id) ? c.id : undefined;
  }

  private refreshMismatchesFor(specPath: string): void {
    const id = this.liveContainerFor(specPath);
    if (id) this.updateMismatches(id);
  }

  private updateMismatches(id: string): void {
    const c = this.store.get(id);
    const table = this.live.get(id);
    if (!c) return;
    const specPath = specPathOf(c.bundle);
    if (!table) {
      if (this.liveContainerFor(specPath) === undefined) this.set(specPath, 'mismatch', []);
      return;
    }
    this.specOfLastMismatch.set(id, specPath);
    const text = readSpec(specPath);
    if (text === undefined) return;
    const diags: vscode.Diagnostic[] = [];
    const planned = table.inspect.plan.mounts;
    for (const cmp of placeDrift(text, planned, table.entries, failedMountIndexes(c.mounts))) {
      if (cmp.differences.length === 0) continue;
      const d = new vscode.Diagnostic(
        toRange(cmp.range),
        `mounts[${cmp.index}] (${cmp.destination}) in running container ${id}: ${cmp.differences.map((x) => x.message).join('; ')}`,
        vscode.DiagnosticSeverity.Warning,
      );
      d.source = DIAGNOSTIC_SOURCE;
      d.code = `mounted-differs:${cmp.differences.map((x) => x.kind).join(',')}`;
      diags.push(d);
    }
    this.set(specPath, 'mismatch', diags);
  }

  /** `fromFindings`: the layer still follows the helper's findings kept for it. */
  private set(
    specPath: string,
    layer: Layer,
    diags: vscode.Diagnostic[],
    fromFindings = false,
  ): void {
    if (!fromFindings) this.planFindings.get(specPath)?.delete(layer);
    let layers = this.layers.get(specPath);
    if (!layers) this.layers.set(specPath, (layers = new Map()));
    layers.set(layer, diags);
    this.collection.set(
      vscode.Uri.file(specPath),
      mergeLayers(layers, (d) => findingKey(d.code, d.range.start.line)),
    );
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
  }
}

/** The document's current text when it is open (ranges follow unsaved edits), else the file. */
export function readSpec(specPath: string): string | undefined {
  const open = vscode.workspace.textDocuments.find(
    (d) => d.uri.scheme === 'file' && d.uri.fsPath === specPath,
  );
  if (open) return open.getText();
  try {
    return fs.readFileSync(specPath, 'utf8');
  } catch {
    return undefined;
  }
}

/** Prefer the entry's place in the text now; fall back to the range the plan recorded. */
function rangeOfOperation(specPath: string, op: Operation): Range {
  const origin = op.origin;
  if (origin.kind !== 'spec')
    return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  if (origin.mountIndex !== undefined) {
    const text = readSpec(specPath);
    const entry = text !== undefined ? findSpecMounts(text)[origin.mountIndex] : undefined;
    if (entry) return entry.range;
  }
  return origin.range;
}

function describeEntry(op: Operation): string {
  if (op.origin.kind !== 'spec') return `${op.op} (added by the runtime): `;
  const path = op.origin.path
    .map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`))
    .join('')
    .replace(/^\./, '');
  const target = 'target' in op ? ` (${op.target})` : '';
  return `${path}${target}: ${op.op} failed with `;
}

function findingToDiagnostic(f: Finding): vscode.Diagnostic {
  const severity =
    f.severity === 'error'
      ? vscode.DiagnosticSeverity.Error
      : f.severity === 'warning'
        ? vscode.DiagnosticSeverity.Warning
        : f.severity === 'information'
          ? vscode.DiagnosticSeverity.Information
          : vscode.DiagnosticSeverity.Hint;
  const d = new vscode.Diagnostic(toRange(f.range), `helper: ${f.message}`, severity);
  d.source = DIAGNOSTIC_SOURCE;
  d.code = f.code;
  return d;
}

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}
