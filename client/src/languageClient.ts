// Starts the language server (server/dist/server.js, over IPC) the first time a spec file is
// open, so a workspace whose config.json files are unrelated pays nothing but this check.
import * as vscode from 'vscode';
import {
  LanguageClient,
  type LanguageClientOptions,
  type ServerOptions,
  TransportKind,
} from 'vscode-languageclient/node';
import { isOciSpecText } from './specMounts';

export const OCI_LANGUAGE_ID = 'oci-spec';

/**
 * What the server is sent: every *.oci.json, and config.json files opened as JSON. The
 * server itself drops config.json files without a top-level `ociVersion`.
 */
export const DOCUMENT_SELECTOR = [
  { language: OCI_LANGUAGE_ID },
  { scheme: 'file', language: 'json', pattern: '**/config.json' },
];

export function isSpecDocument(doc: vscode.TextDocument): boolean {
  if (doc.languageId === OCI_LANGUAGE_ID) return true;
  return (
    doc.languageId === 'json' &&
    /(^|\/)config\.json$/.test(doc.uri.path) &&
    isOciSpecText(doc.getText())
  );
}

export class SpecLanguageClient implements vscode.Disposable {
  private client: LanguageClient | undefined;
  private starting: Promise<LanguageClient> | undefined;
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly log: vscode.OutputChannel,
  ) {
    this.subscriptions.push(
      vscode.workspace.onDidOpenTextDocument((d) => this.startIfSpec(d)),
      vscode.window.onDidChangeActiveTextEditor((e) => e && this.startIfSpec(e.document)),
    );
    vscode.workspace.textDocuments.forEach((d) => this.startIfSpec(d));
  }

  private startIfSpec(doc: vscode.TextDocument): void {
    if (!this.starting && isSpecDocument(doc)) void this.start();
  }

  /** Start (once) and resolve when the server is ready. */
  start(): Promise<LanguageClient> {
    this.starting ??= this.doStart();
    return this.starting;
  }

  private async doStart(): Promise<LanguageClient> {
    const module = this.context.asAbsolutePath('server/dist/server.js');
    const serverOptions: ServerOptions = {
      run: { module, transport: TransportKind.ipc },
      debug: {
        module,
        transport: TransportKind.ipc,
        options: { execArgv: ['--nolazy', '--inspect=6010'] },
      },
    };
    const watchers = [
      vscode.workspace.createFileSystemWatcher('**/{config.json,*.oci.json}'),
      // A bundle's rootfs appearing or going away changes what the spec can mount.
      vscode.workspace.createFileSystemWatcher('**/rootfs'),
      vscode.workspace.createFileSystemWatcher('**/rootfs/*'),
    ];
    this.subscriptions.push(...watchers);
    const clientOptions: LanguageClientOptions = {
      documentSelector: DOCUMENT_SELECTOR,
      synchronize: { fileEvents: watchers },
      outputChannel: this.log,
      diagnosticCollectionName: 'bindery-spec',
    };
    this.client = new LanguageClient('bindery', 'Bindery OCI spec', serverOptions, clientOptions);
    await this.client.start();
    this.log.appendLine('[lsp] language server started');
    return this.client;
  }

  get running(): boolean {
    return this.client?.isRunning() ?? false;
  }

  async dispose(): Promise<void> {
    this.subscriptions.forEach((s) => s.dispose());
    await this.client?.stop();
  }
}
