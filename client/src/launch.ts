// Launching a bundle: unsaved edits settled first (never saved without asking), the output
// shown as the launch starts, a cancellable progress notification that advances with each
// operation the helper reports, and failures turned into diagnostics on the spec with a
// notification that takes the user there ("Show Problems", "Go to Entry").
import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  type ContainerInfo,
  LaunchRequest,
  StopRequest,
  TeardownRequest,
  ValidateRequest,
} from '../../helper/src/protocol';
import { type Finding, refusesLaunch } from '@bindery/plan';
import type { ContainerStore } from './containerStore';
import { HelperError, type HelperConnection } from './helperConnection';
import type { MountDiagnostics } from './mountDiagnostics';
import type { ContainerOutput } from './output';
import { revealInSpec, revealMountEntry } from './specNavigation';
import { settleUnsavedSpec } from './unsavedSpec';
import { openContainerTerminal, type ContainerTerminal } from './containerTerminal';

/** The grace period between SIGTERM and SIGKILL when a terminal's panel is closed. */
const stopTimeoutMs = () =>
  vscode.workspace.getConfiguration('bindery').get<number>('stopTimeoutMs', 10000);

export const SHOW_PROBLEMS = 'Show Problems';
export const GO_TO_ENTRY = 'Go to Entry';

export interface LaunchDeps {
  helper: HelperConnection;
  store: ContainerStore;
  output: ContainerOutput;
  diagnostics: MountDiagnostics;
  log: vscode.OutputChannel;
}

/** A readable, valid container id: the bundle's folder name plus a short random suffix. */
export function containerIdFor(bundleDir: string): string {
  const base =
    basename(bundleDir)
      .replace(/[^A-Za-z0-9_.-]/g, '-')
      .replace(/^[-.]+/, '')
      .slice(0, 48) || 'bundle';
  return `${base}-${Math.random().toString(16).slice(2, 8)}`;
}

export async function launchBundle(
  deps: LaunchDeps,
  bundleDir: string,
  specPath: string,
): Promise<ContainerInfo | undefined> {
  const { helper, store, output, diagnostics, log } = deps;
  // The helper reads the spec from disk: unsaved edits would launch something else.
  if (!(await settleUnsavedSpec(specPath))) return undefined;
  diagnostics.clearLaunch(specPath);
  const id = containerIdFor(bundleDir);

  return vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Notification,
      title: `Bindery: launching ${basename(bundleDir)}`,
      cancellable: true,
    },
    async (progress, token) => {
      let cancelled = false;
      let tty: ContainerTerminal | undefined;
      const subscriptions: vscode.Disposable[] = [];
      try {
        progress.report({ message: 'planning…' });
        const validation = await helper.request(ValidateRequest, { bundle: bundleDir });
        const refusals = validation.findings.filter(refusesLaunch);
        if (refusals.length) {
          reportRefusal(deps, specPath, bundleDir, refusals);
          return undefined;
        }
        const total = Math.max(1, validation.plan.operations.length);
        output.prepare(id);
        output.note(id, `launching ${bundleDir} as ${id}`);
        // process.terminal: an interactive terminal, open before the process prints its first byte.
        if (validation.plan.operations.some((o) => o.op === 'console'))
          tty = openContainerTerminal(helper, id, stopTimeoutMs).pty;
        subscriptions.push(
          // One report per batch: the bar moves by all of its steps and names the last,
          // where one report each would only have shown the last one for longer.
          helper.onOperations(({ id: of, operations }) => {
            if (of !== id) return;
            const last = operations[operations.length - 1];
            progress.report({
              increment: (100 * operations.length) / total,
              message: `${last.ok ? '' : 'FAILED '}${last.text}`,
            });
          }),
          token.onCancellationRequested(() => {
            cancelled = true;
            log.appendLine(`[launch] ${id}: cancelled, tearing down`);
            void removeQuietly(helper, id);
          }),
        );
        const info = await helper.request(LaunchRequest, { bundle: bundleDir, id });
        store.put(info);
        if (info.terminal) tty?.started();
        if (cancelled) {
          await removeQuietly(helper, id);
          return undefined;
        }
        // No transient status-bar message: the status bar item follows the store, as the
        // tree does, so the two cannot disagree once the process exits.
        log.appendLine(`[launch] ${id}: ${info.status}${info.pid ? `, pid ${info.pid}` : ''}`);
        return info;
      } catch (e) {
        if (cancelled) return undefined;
        tty?.failed(`launch failed: ${e instanceof Error ? e.message : String(e)}`);
        output.note(id, `launch failed: ${e instanceof Error ? e.message : String(e)}`);
        reportLaunchError(deps, specPath, bundleDir, e);
        return undefined;
      } finally {
        subscriptions.forEach((s) => s.dispose());
      }
    },
  );
}

function reportLaunchError(
  deps: LaunchDeps,
  specPath: string,
  bundleDir: string,
  e: unknown,
): void {
  const name = basename(bundleDir);
  if (e instanceof HelperError && e.code === 'unreachable') {
    // Say why, with the fixes, rather than a bare "failed to connect".
    void vscode.commands.executeCommand('bindery.showConnectionStatus');
    return;
  }
  if (!(e instanceof HelperError)) {
    void vscode.window.showErrorMessage(
      `Bindery: launching ${name} failed: ${e instanceof Error ? e.message : String(e)}`,
    );
    return;
  }
  deps.log.appendLine(
    `[launch] ${name}: ${e.message}${e.data ? ` ${JSON.stringify(e.data.failure ?? e.data.reason)}` : ''}`,
  );
  const f = e.data?.failure;
  if (f) {
    deps.diagnostics.setLaunchFailure(specPath, f);
    const origin = f.operation.origin;
    const where =
      origin.kind === 'spec' && origin.mountIndex !== undefined
        ? `mounts[${origin.mountIndex}]${'target' in f.operation ? ` (${f.operation.target})` : ''}: `
        : '';
    void vscode.window
      .showErrorMessage(
        `Bindery: ${name} failed to launch: ${where}${f.operation.op} failed with ${f.errno} — ${f.message}${f.hint ? `. ${f.hint}` : ''}`,
        GO_TO_ENTRY,
      )
      .then(async (pick) => {
        if (pick !== GO_TO_ENTRY || origin.kind !== 'spec') return;
        if (origin.mountIndex !== undefined) await revealMountEntry(specPath, origin.mountIndex);
        else await revealInSpec(specPath, origin.range);
      });
    return;
  }
  const refusals = e.data?.findings?.filter(refusesLaunch) ?? [];
  if (refusals.length) {
    reportRefusal(deps, specPath, bundleDir, refusals);
    return;
  }
  void vscode.window.showErrorMessage(`Bindery: launching ${name} failed: ${e.message}`);
}

/**
 * The helper will not launch this spec: its findings go on the entries, and the notification
 * names the first one (in the order of the file) with a way to it.
 */
function reportRefusal(
  deps: LaunchDeps,
  specPath: string,
  bundleDir: string,
  refusals: Finding[],
): void {
  deps.diagnostics.setPlanFindings(specPath, refusals);
  const [first] = [...refusals].sort(
    (a, b) =>
      a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character,
  );
  const more = refusals.length - 1;
  void vscode.window
    .showErrorMessage(
      `Bindery: ${basename(bundleDir)} cannot launch: config.json line ${first.range.start.line + 1}: ${first.message}${more ? ` (and ${more} more)` : ''}`,
      SHOW_PROBLEMS,
    )
    .then(async (pick) => {
      if (pick !== SHOW_PROBLEMS) return;
      // The Problems panel open (it reveals the file), and the editor on that entry with the
      // problem shown in place: the cursor at the start of its line, then "next problem".
      await vscode.commands.executeCommand('workbench.panel.markers.view.focus');
      const editor = await revealInSpec(specPath, first.range);
      const lineStart = new vscode.Position(first.range.start.line, 0);
      editor.selection = new vscode.Selection(lineStart, lineStart);
      await vscode.commands.executeCommand('editor.action.marker.next');
    });
}

/** Stop and tear down, ignoring "not found": used when a launch is cancelled midway. */
async function removeQuietly(helper: HelperConnection, id: string): Promise<void> {
  try {
    await helper.request(StopRequest, { id, timeoutMs: 1000 });
  } catch {
    // Not started yet, or already stopped.
  }
  try {
    await helper.request(TeardownRequest, { id });
  } catch {
    // Already gone.
  }
}
