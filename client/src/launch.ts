// Launching a bundle: a cancellable progress notification that advances with each
// operation the helper reports, and failures turned into diagnostics on the spec.
import { basename } from 'node:path';
import * as vscode from 'vscode';
import {
  type ContainerInfo,
  ErrorCodes,
  LaunchRequest,
  StopRequest,
  TeardownRequest,
  ValidateRequest,
} from '../../helper/src/protocol';
import type { ContainerStore } from './containerStore';
import { HelperError, type HelperConnection } from './helperConnection';
import type { MountDiagnostics } from './mountDiagnostics';
import type { ContainerOutput } from './output';

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
  const open = vscode.workspace.textDocuments.find(
    (d) => d.uri.scheme === 'file' && d.uri.fsPath === specPath,
  );
  if (open?.isDirty) await open.save();
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
      const subscriptions: vscode.Disposable[] = [];
      try {
        progress.report({ message: 'planning…' });
        const validation = await helper.request(ValidateRequest, { bundle: bundleDir });
        const errors = validation.findings.filter((f) => f.severity === 'error');
        if (errors.length) {
          diagnostics.setPlanFindings(specPath, errors);
          void vscode.window.showErrorMessage(
            `Bindery: ${basename(bundleDir)} cannot launch: ${errors.length} error(s) in config.json. ${errors[0].message}`,
          );
          return undefined;
        }
        const total = Math.max(1, validation.plan.operations.length);
        output.prepare(id);
        subscriptions.push(
          helper.onOperation((e) => {
            if (e.id !== id) return;
            progress.report({
              increment: 100 / total,
              message: `${e.ok ? '' : 'FAILED '}${e.text}`,
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
        if (cancelled) {
          await removeQuietly(helper, id);
          return undefined;
        }
        log.appendLine(`[launch] ${id}: ${info.status}${info.pid ? `, pid ${info.pid}` : ''}`);
        vscode.window.setStatusBarMessage(`Bindery: ${id} ${info.status}`, 5000);
        return info;
      } catch (e) {
        if (cancelled) return undefined;
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
  if (e.data?.failure) deps.diagnostics.setLaunchFailure(specPath, e.data.failure);
  else if (e.data?.findings?.length)
    deps.diagnostics.setPlanFindings(
      specPath,
      e.data.findings.filter((f) => f.severity === 'error'),
    );
  const f = e.data?.failure;
  const text =
    e.code === ErrorCodes.LaunchFailed && f
      ? `Bindery: ${name} failed to launch: ${f.errno} — ${f.message}${f.hint ? `. ${f.hint}` : ''}`
      : `Bindery: launching ${name} failed: ${e.message}`;
  void vscode.window.showErrorMessage(text, 'Show in config.json').then((pick) => {
    if (pick) void vscode.commands.executeCommand('workbench.actions.view.problems');
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
