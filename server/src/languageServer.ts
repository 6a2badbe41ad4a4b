// Wires the features to an LSP connection. The transport is the caller's: stdio or IPC in
// server.ts, a pair of in-memory streams in the tests and the benchmark.
import * as os from 'node:os';
import {
  CodeActionKind,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type InitializeResult,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { type HostView, type planBundle, realHostView } from '@bindery/plan';
import { AnalysisCache } from './analysis';
import { CachedHost } from './cachedHost';
import { provideCodeActions } from './codeActions';
import { COMPLETION_TRIGGERS, provideCompletion } from './completion';
import { DiagnosticsPublisher } from './diagnostics';
import { formatDocument } from './formatting';
import { provideHover } from './hover';
import { provideDocumentSymbols } from './symbols';
import { affects, changedPaths, HostWatcher } from './watchedFiles';

export interface ServerOptions {
  /** What the plan may ask about the host; the real file system unless a test fakes it. */
  host?: HostView;
  /** The planner; tests replace it to see how the server copes with a failing one. */
  planBundle?: typeof planBundle;
}

/** Settings a client may pass in `initializationOptions`. */
interface InitializationOptions {
  /** Wait after the last change before validating; 150 ms by default. */
  debounceMs?: number;
}

export function startLanguageServer(connection: Connection, options: ServerOptions = {}): void {
  const documents = new TextDocuments(TextDocument);
  let workspaceDir: string | undefined;
  const host = new CachedHost(options.host ?? realHostView());
  const analyses = new AnalysisCache(host, () => workspaceDir ?? os.homedir(), options.planBundle);
  let diagnostics: DiagnosticsPublisher | undefined;
  let watcher: HostWatcher | undefined;

  connection.onInitialize((params): InitializeResult => {
    const init = (params.initializationOptions ?? {}) as InitializationOptions;
    const folder = params.workspaceFolders?.[0]?.uri ?? params.rootUri ?? undefined;
    if (folder && URI.parse(folder).scheme === 'file') workspaceDir = URI.parse(folder).fsPath;
    diagnostics = new DiagnosticsPublisher(
      connection,
      documents,
      analyses,
      init.debounceMs ?? 150,
      () => refreshWatchers(),
    );
    const watch = params.capabilities.workspace?.didChangeWatchedFiles;
    watcher = new HostWatcher(
      connection,
      !!(watch?.dynamicRegistration && watch.relativePatternSupport),
    );
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
        completionProvider: { triggerCharacters: COMPLETION_TRIGGERS, resolveProvider: false },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
        documentSymbolProvider: true,
        documentFormattingProvider: true,
      },
      serverInfo: { name: 'bindery-language-server', version: '0.1.0' },
    };
  });

  const analysisOf = (uri: string) => {
    const doc = documents.get(uri);
    return doc ? analyses.get(doc) : undefined;
  };

  documents.onDidOpen((e) => diagnostics?.schedule(e.document.uri));
  documents.onDidChangeContent((e) => diagnostics?.schedule(e.document.uri));
  documents.onDidClose((e) => diagnostics?.close(e.document.uri));

  // After validating, keep watching what the open specs depend on.
  function refreshWatchers(): void {
    const paths = new Set<string>();
    for (const a of analyses.cached()) for (const p of AnalysisCache.watchedPaths(a)) paths.add(p);
    watcher?.update(paths);
  }

  connection.onDidChangeWatchedFiles((params) => {
    const changed = changedPaths(params.changes.map((c) => c.uri));
    if (changed.length === 0) return;
    host.invalidate(changed);
    // Documents not analysed yet have a validation pending anyway.
    for (const a of [...analyses.cached()]) {
      const deps = AnalysisCache.watchedPaths(a);
      if (changed.some((c) => deps.some((d) => affects(c, d)))) {
        analyses.invalidate(a.uri);
        diagnostics?.schedule(a.uri);
      }
    }
  });

  connection.onHover((params) => {
    const a = analysisOf(params.textDocument.uri);
    return a ? provideHover(a, params.position) : null;
  });
  connection.onCompletion((params) => {
    const a = analysisOf(params.textDocument.uri);
    return a ? provideCompletion(a, params.position) : null;
  });
  connection.onCodeAction((params) => {
    const a = analysisOf(params.textDocument.uri);
    return a ? provideCodeActions(a, params) : null;
  });
  connection.onDocumentSymbol((params) => {
    const a = analysisOf(params.textDocument.uri);
    return a ? provideDocumentSymbols(a) : null;
  });
  connection.onDocumentFormatting((params) => {
    const doc = documents.get(params.textDocument.uri);
    return doc && analyses.get(doc) ? formatDocument(doc, params.options) : null;
  });

  connection.onShutdown(() => diagnostics?.dispose());

  documents.listen(connection);
  connection.listen();
}
