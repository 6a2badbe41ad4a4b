// Every command the extension contributes. Arguments come from the palette (none: we ask
// or use the active editor), from the Containers view (a TreeNode) or from other code
// (a path, a container id, a Uri).
import * as fs from 'node:fs';
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import {
  type ContainerInfo,
  InspectRequest,
  StopRequest,
  TeardownRequest,
  ValidateRequest,
} from '../../helper/src/protocol';
import type { BundleFinder } from './bundles';
import { bundleDirOf, type ContainerStore, specPathOf } from './containerStore';
import type { ContainersView } from './containersView';
import type { Remedy } from './diagnoseHelper';
import { HelperError, type HelperConnection } from './helperConnection';
import { isSpecDocument } from './languageClient';
import { launchBundle } from './launch';
import type { LiveMountTables } from './liveMounts';
import { mountHeading, renderContainerDetails } from './containerDetails';
import { type MountDiagnostics, readSpec } from './mountDiagnostics';
import type { ContainerOutput } from './output';
import {
  detailsUri,
  mountTableUri,
  type PlanDocuments,
  planUri,
  renderMountTable,
  renderPlanText,
} from './planDocument';
import { revealMountEntry } from './specNavigation';
import { findSpecMounts } from './specMounts';
import type { TreeNode } from './treeModel';

const TEAR_DOWN = 'Tear Down';

export interface CommandDeps {
  context: vscode.ExtensionContext;
  helper: HelperConnection;
  store: ContainerStore;
  bundles: BundleFinder;
  view: ContainersView;
  output: ContainerOutput;
  diagnostics: MountDiagnostics;
  live: LiveMountTables;
  plans: PlanDocuments;
  log: vscode.OutputChannel;
}

export function registerCommands(d: CommandDeps): vscode.Disposable[] {
  const reg = (id: string, fn: (...args: unknown[]) => unknown) =>
    vscode.commands.registerCommand(id, async (...args: unknown[]) => {
      try {
        return await fn(...args);
      } catch (e) {
        // User-facing: say what failed, not a stack trace.
        const message = e instanceof Error ? e.message : String(e);
        d.log.appendLine(`[${id}] ${message}`);
        void vscode.window.showErrorMessage(`Bindery: ${message}`);
        return undefined;
      }
    });

  return [
    reg('bindery.launch', async (arg) => {
      const bundle = await pickBundle(d, arg);
      if (!bundle) return undefined;
      return launchBundle(d, bundle.dir, bundle.specPath);
    }),
    reg('bindery.stop', (arg) =>
      stopContainer(
        d,
        arg,
        'stop',
        vscode.workspace.getConfiguration('bindery').get<number>('stopTimeoutMs', 10000),
      ),
    ),
    // SIGKILL at once: an engine's container (or one that ignores SIGTERM) that must go now.
    reg('bindery.kill', (arg) => stopContainer(d, arg, 'kill', 0)),
    reg('bindery.teardown', async (arg, options) => {
      const picked = await pickContainer(d, arg, () => true, 'tear down');
      if (!picked) return undefined;
      const c = d.store.get(picked.id) ?? picked;
      // A running container loses its process and its mounts: ask first. Code that has
      // already asked (or owns the container) passes { confirm: false }.
      const ask = (options as { confirm?: boolean } | undefined)?.confirm !== false;
      if (ask && (c.status === 'running' || c.status === 'creating')) {
        const pick = await vscode.window.showWarningMessage(
          `Tear down ${c.id}? It is ${c.status}${c.pid ? ` (pid ${c.pid})` : ''}.`,
          {
            modal: true,
            detail:
              'Its process is killed, its mounts are removed and its output is dropped. Stop keeps the container to inspect.',
          },
          TEAR_DOWN,
        );
        if (pick !== TEAR_DOWN) return false;
      }
      await d.helper.request(TeardownRequest, { id: c.id });
      // The tornDown notification removes it too; do it now so the view does not wait on it.
      d.store.remove(c.id);
      return true;
    }),
    reg('bindery.clearStopped', async () => {
      // An engine's container is the engine's to remove; only its failed creates are ours to clear.
      const ended = d.store
        .all()
        .filter(
          (c) => (c.status === 'stopped' || c.status === 'failed') && (!c.engine || c.failure),
        );
      if (ended.length === 0) {
        void vscode.window.showInformationMessage('Bindery: no stopped containers to clear.');
        return 0;
      }
      const results = await Promise.allSettled(
        ended.map((c) => d.helper.request(TeardownRequest, { id: c.id })),
      );
      const failures: string[] = [];
      results.forEach((r, i) => {
        if (r.status === 'fulfilled') d.store.remove(ended[i].id);
        else
          failures.push(
            `${ended[i].id}: ${r.reason instanceof Error ? r.reason.message : String(r.reason)}`,
          );
      });
      if (failures.length)
        void vscode.window.showErrorMessage(
          `Bindery: ${failures.length} of ${ended.length} containers could not be cleared: ${failures.join('; ')}`,
        );
      return ended.length - failures.length;
    }),
    reg('bindery.showDetails', async (arg) => {
      const c = await pickContainer(d, arg, () => true, 'show the details of');
      if (!c) return undefined;
      const info = d.store.get(c.id) ?? c;
      const text = readSpec(specPathOf(info.bundle));
      const lines = new Map(
        (text === undefined ? [] : findSpecMounts(text)).map((e) => [e.index, e.range.start.line]),
      );
      const editor = await d.plans.show(detailsUri(info.id), renderContainerDetails(info, lines));
      // From a mount row: scroll to that mount's section.
      const mount = (arg as TreeNode | undefined)?.mount;
      if (mount) {
        const heading = mountHeading(mount);
        const at = editor.document.getText().split('\n').indexOf(heading);
        if (at >= 0) {
          editor.selection = new vscode.Selection(at, 0, at, heading.length);
          editor.revealRange(new vscode.Range(at, 0, at, 0), vscode.TextEditorRevealType.AtTop);
        }
      }
      return editor;
    }),
    reg('bindery.showPlan', async (arg) => {
      const engineContainer = containerArg(d, arg);
      if (engineContainer?.engine) {
        // The plan it was created with, as the engine's runtime made it.
        const info = await d.helper.request(InspectRequest, { id: engineContainer.id });
        const specPath = specPathOf(info.bundle);
        return d.plans.show(
          planUri(specPath),
          renderPlanText(specPath, { findings: info.plan.findings, plan: info.plan }),
        );
      }
      const bundle = await pickBundle(d, arg);
      if (!bundle) return undefined;
      const result = await d.helper.request(ValidateRequest, { bundle: bundle.dir });
      return d.plans.show(planUri(bundle.specPath), renderPlanText(bundle.specPath, result));
    }),
    reg('bindery.showMountTable', async (arg) => {
      const c = await pickContainer(
        d,
        arg,
        (x) => x.status === 'running',
        'show the mount table of',
      );
      if (!c) return undefined;
      const info = await d.helper.request(InspectRequest, { id: c.id });
      return d.plans.show(
        mountTableUri(c.id),
        renderMountTable(info, readSpec(specPathOf(c.bundle))),
      );
    }),
    reg('bindery.showOutput', async (arg) => {
      const c = await pickContainer(d, arg, () => true, 'show the output of');
      if (!c) return undefined;
      await d.output.show(c.id);
      return true;
    }),
    reg('bindery.validateBundle', async (arg) => {
      const bundle = await pickBundle(d, arg);
      if (!bundle) return undefined;
      const result = await d.helper.request(ValidateRequest, { bundle: bundle.dir });
      d.diagnostics.setPlanFindings(bundle.specPath, result.findings, 'validate');
      const errors = result.findings.filter((f) => f.severity === 'error').length;
      const warnings = result.findings.length - errors;
      const summary = `${bundle.name}: ${errors} error(s), ${warnings} other finding(s), ${result.plan.operations.length} operations planned`;
      if (errors) void vscode.window.showErrorMessage(`Bindery: ${summary}`);
      else void vscode.window.showInformationMessage(`Bindery: ${summary}`);
      return result;
    }),
    reg('bindery.refresh', async () => {
      await Promise.all([
        d.bundles.rescan(),
        d.helper.connect().then((ok) => (ok ? d.store.reload() : undefined)),
      ]);
      d.view.changed();
    }),
    reg('bindery.reconnect', async () => {
      const ok = await d.helper.reconnect();
      if (!ok) await explainConnection(d);
      return ok;
    }),
    reg('bindery.showConnectionStatus', async () => {
      if (d.helper.state.kind === 'connected') {
        await vscode.commands.executeCommand('bindery.containers.focus');
        return;
      }
      if (!(await d.helper.connect())) await explainConnection(d);
    }),
    reg('bindery.applyRemedy', (arg) => applyRemedy(d, arg as Remedy)),
    reg('bindery.startHelper', () =>
      applyRemedy(d, { title: 'Start', kind: 'terminal', command: 'sudo bindery daemon' }),
    ),
    reg('bindery.copyStartCommand', () =>
      applyRemedy(d, {
        title: 'Copy',
        kind: 'copy',
        command: remedyCommand(d, 'copy') ?? 'sudo systemctl enable --now bindery.socket',
      }),
    ),
    reg('bindery.openHelperDocs', () => applyRemedy(d, { title: 'Docs', kind: 'docs' })),
    reg('bindery.openSpec', async (arg) => {
      const engineContainer = containerArg(d, arg);
      if (engineContainer?.engine) return openEngineSpec(engineContainer);
      const node = arg as TreeNode | undefined;
      const spec =
        node?.bundle?.specPath ?? (node?.container ? specPathOf(node.container.bundle) : undefined);
      const target = spec ?? (await pickBundle(d, arg))?.specPath;
      if (target) await vscode.window.showTextDocument(vscode.Uri.file(target));
    }),
    reg('bindery.openPath', async (arg) => {
      if (typeof arg === 'string')
        await vscode.window.showTextDocument(vscode.Uri.file(arg), { preview: true });
    }),
    reg('bindery.revealMount', (bundle, index) =>
      revealMountEntry(specPathOf(String(bundle)), Number(index)),
    ),
  ];
}

/** SIGTERM, then SIGKILL after `timeoutMs` (0: at once); the view follows the reply. */
async function stopContainer(
  d: CommandDeps,
  arg: unknown,
  verb: 'stop' | 'kill',
  timeoutMs: number,
): Promise<ContainerInfo | undefined> {
  const c = await pickContainer(
    d,
    arg,
    (x) => x.status === 'running' || x.status === 'creating',
    verb,
  );
  if (!c) return undefined;
  const info = await vscode.window.withProgress(
    {
      location: vscode.ProgressLocation.Window,
      title: `${verb === 'stop' ? 'Stopping' : 'Killing'} ${c.id}`,
    },
    () => d.helper.request(StopRequest, { id: c.id, timeoutMs }),
  );
  d.store.put(info);
  return info;
}

/** The container a tree row or an id names, without asking. */
function containerArg(d: CommandDeps, arg: unknown): ContainerInfo | undefined {
  const node = arg as TreeNode | undefined;
  if (node?.container) return d.store.get(node.container.id) ?? node.container;
  return typeof arg === 'string' ? d.store.get(arg) : undefined;
}

/**
 * An engine's spec (podman's userdata, containerd's bundle) is the engine's, generated for
 * this container: shown read-only, with the language server's diagnostics and ours.
 */
async function openEngineSpec(c: ContainerInfo): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(specPathOf(c.bundle)), {
    preview: false,
  });
  await vscode.commands.executeCommand('workbench.action.files.setActiveEditorReadonlyInSession');
  return editor;
}

/** Explain why the helper is unreachable, with its remedies as buttons. */
async function explainConnection(d: CommandDeps): Promise<void> {
  const s = d.helper.state;
  if (s.kind !== 'unreachable') return;
  const pick = await vscode.window.showWarningMessage(
    `Bindery helper unreachable: ${s.problem.summary}`,
    { modal: false, detail: s.problem.detail },
    ...s.problem.remedies.map((r) => r.title),
  );
  const remedy = s.problem.remedies.find((r) => r.title === pick);
  if (remedy) await applyRemedy(d, remedy);
}

function remedyCommand(d: CommandDeps, kind: Remedy['kind']): string | undefined {
  const s = d.helper.state;
  return s.kind === 'unreachable'
    ? s.problem.remedies.find((r) => r.kind === kind)?.command
    : undefined;
}

async function applyRemedy(d: CommandDeps, r: Remedy | undefined): Promise<void> {
  if (!r) return;
  switch (r.kind) {
    case 'copy':
      await vscode.env.clipboard.writeText(r.command ?? '');
      void vscode.window.showInformationMessage(`Copied: ${r.command}`);
      return;
    case 'terminal': {
      const terminal = vscode.window.createTerminal({ name: 'Bindery helper' });
      terminal.show();
      terminal.sendText(r.command ?? '', true);
      // The helper's socket appears once it runs; look for it while the view is open.
      d.helper.setKeepTrying(true);
      return;
    }
    case 'docs': {
      const readme = vscode.Uri.joinPath(d.context.extensionUri, 'README.md');
      await vscode.commands.executeCommand('markdown.showPreview', readme);
      return;
    }
    case 'reconnect':
      await vscode.commands.executeCommand('bindery.reconnect');
      return;
  }
}

interface BundleRef {
  dir: string;
  specPath: string;
  name: string;
}

/** A bundle from a view node, a Uri, a path, the active spec editor, or a quick pick. */
async function pickBundle(d: CommandDeps, arg: unknown): Promise<BundleRef | undefined> {
  const found = await findBundle(d, arg);
  if (found && !found.specPath.endsWith('/config.json')) {
    // The helper reads a bundle's config.json and nothing else; say so rather than fail obscurely.
    throw new Error(
      `${vscode.workspace.asRelativePath(found.specPath)} is a spec kept outside a bundle: the helper launches and plans a folder's config.json (next to its rootfs). Copy it there to use it.`,
    );
  }
  return found;
}

async function findBundle(d: CommandDeps, arg: unknown): Promise<BundleRef | undefined> {
  const fromPath = (p: string): BundleRef => {
    const isFile = p.endsWith('.json') || (fs.existsSync(p) && fs.statSync(p).isFile());
    const dir = isFile ? dirname(p) : p.replace(/\/+$/, '');
    return {
      dir,
      specPath: isFile ? p : `${dir}/config.json`,
      name: vscode.workspace.asRelativePath(dir),
    };
  };
  const node = arg as TreeNode | undefined;
  if (node?.bundle) return node.bundle;
  if (node?.container) return fromPath(node.container.bundle);
  if (arg instanceof vscode.Uri) return fromPath(arg.fsPath);
  if (typeof arg === 'string') return fromPath(arg);
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.uri.scheme === 'file' && isSpecDocument(editor.document))
    return fromPath(editor.document.uri.fsPath);
  await d.bundles.ensureScanned();
  const all = d.bundles.list();
  if (all.length === 1) return all[0];
  if (all.length === 0) {
    void vscode.window.showInformationMessage(
      'Bindery: no bundle in this workspace (a folder with a config.json carrying "ociVersion").',
    );
    return undefined;
  }
  const pick = await vscode.window.showQuickPick(
    all.map((b) => ({ label: b.name, description: b.dir, bundle: b })),
    { placeHolder: 'Which bundle?' },
  );
  return pick?.bundle;
}

/** A container from a view node, an id, the active spec's latest container, or a quick pick. */
async function pickContainer(
  d: CommandDeps,
  arg: unknown,
  fits: (c: ContainerInfo) => boolean,
  verb: string,
): Promise<ContainerInfo | undefined> {
  const node = arg as TreeNode | undefined;
  if (node?.container) return node.container;
  if (typeof arg === 'string') {
    const c = d.store.get(arg);
    if (!c) throw new HelperError(`no container ${arg} known to the helper`, 'unreachable');
    return c;
  }
  const editor = vscode.window.activeTextEditor;
  if (editor?.document.uri.scheme === 'file') {
    const c = d.store.latestForBundle(bundleDirOf(editor.document.uri.fsPath));
    if (c && fits(c)) return c;
  }
  if (!(await d.helper.connect()))
    throw new HelperError(`helper unreachable: cannot ${verb} a container`, 'unreachable');
  const candidates = d.store.all().filter(fits);
  if (candidates.length === 0) {
    void vscode.window.showInformationMessage(`Bindery: no container to ${verb}.`);
    return undefined;
  }
  if (candidates.length === 1) return candidates[0];
  const pick = await vscode.window.showQuickPick(
    candidates.map((c) => ({
      label: c.id,
      description: `${c.status} · ${c.bundle}`,
      container: c,
    })),
    { placeHolder: `Which container to ${verb}?` },
  );
  return pick?.container;
}
