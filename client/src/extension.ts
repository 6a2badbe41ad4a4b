// Entry point: wires the parts together. Each part lives in its own file.
import * as vscode from 'vscode';
import { DEFAULT_SOCKET_PATH } from '../../helper/src/protocol';
import { BundleFinder } from './bundles';
import { registerCommands } from './commands';
import { ContainerStore } from './containerStore';
import { ContainersView } from './containersView';
import { HelperConnection } from './helperConnection';
import { isSpecDocument, SpecLanguageClient } from './languageClient';
import { LiveMountTables } from './liveMounts';
import { MountDiagnostics } from './mountDiagnostics';
import { MountLensProvider } from './mountLens';
import { ContainerOutput } from './output';
import { PlanDocuments } from './planDocument';
import { containerTerminal } from './containerTerminal';
import { HelperStatusBar } from './statusBar';
import { openWalkthroughOnFirstUse, registerWalkthrough } from './walkthrough';

/** What activate() returns: used by the end-to-end tests instead of poking at the UI. */
export interface BinderyApi {
  helper: HelperConnection;
  store: ContainerStore;
  view: ContainersView;
  bundles: BundleFinder;
  diagnostics: MountDiagnostics;
  lenses: MountLensProvider;
  live: LiveMountTables;
  output: ContainerOutput;
  languageClient: SpecLanguageClient;
  statusBar: HelperStatusBar;
  /** A container's open terminal panel (process.terminal), by container id. */
  terminal: typeof containerTerminal;
}

export function activate(context: vscode.ExtensionContext): BinderyApi {
  const started = performance.now();
  const log = vscode.window.createOutputChannel('Bindery');
  const socketPath = () =>
    vscode.workspace.getConfiguration('bindery').get<string>('helper.socketPath') ||
    DEFAULT_SOCKET_PATH;

  const helper = new HelperConnection(socketPath, log);
  const store = new ContainerStore(helper, log);
  const bundles = new BundleFinder();
  const view = new ContainersView(helper, store, bundles);
  const live = new LiveMountTables(helper, store, log);
  const diagnostics = new MountDiagnostics(helper, store, live);
  const lenses = new MountLensProvider(store, live);
  const output = new ContainerOutput(helper);
  const plans = new PlanDocuments();
  const languageClient = new SpecLanguageClient(context, log);
  const statusBar = new HelperStatusBar(helper, store);

  context.subscriptions.push(
    log,
    helper,
    store,
    bundles,
    view,
    live,
    diagnostics,
    lenses,
    output,
    plans,
    statusBar,
    { dispose: () => void languageClient.dispose() },
    vscode.languages.registerCodeLensProvider(
      [
        { scheme: 'file', language: 'json', pattern: '**/config.json' },
        { scheme: 'file', language: 'oci-spec' },
      ],
      lenses,
    ),
    ...registerCommands({
      context,
      helper,
      store,
      bundles,
      view,
      output,
      diagnostics,
      live,
      plans,
      log,
    }),
    ...registerWalkthrough(bundles),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('bindery.helper.socketPath')) void helper.reconnect();
    }),
    vscode.window.onDidChangeActiveTextEditor((e) => setSpecContext(e)),
    bundles.onDidRemove((specs) => specs.forEach((spec) => diagnostics.forget(spec))),
  );
  setSpecContext(vscode.window.activeTextEditor);
  // One attempt now so the status bar tells the truth; retries only while the view is open.
  void helper.connect();
  void openWalkthroughOnFirstUse(context, bundles);
  log.appendLine(`[bindery] activated in ${(performance.now() - started).toFixed(1)} ms`);
  return {
    helper,
    store,
    view,
    bundles,
    diagnostics,
    lenses,
    live,
    output,
    languageClient,
    statusBar,
    terminal: containerTerminal,
  };
}

/** Lets the editor title show launch/plan buttons on spec files only. */
function setSpecContext(editor: vscode.TextEditor | undefined): void {
  const isSpec =
    !!editor && editor.document.uri.scheme === 'file' && isSpecDocument(editor.document);
  void vscode.commands.executeCommand('setContext', 'bindery.activeEditorIsSpec', isSpec);
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
