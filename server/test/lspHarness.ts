// An LSP client and the Bindery server in one process, joined by two in-memory streams: the
// same protocol messages an editor exchanges, without spawning anything.
import { PassThrough } from 'node:stream';
import {
  createMessageConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { createConnection, type Connection } from 'vscode-languageserver/node';
import type {
  CodeAction,
  CompletionItem,
  CompletionList,
  Diagnostic,
  DocumentSymbol,
  FileEvent,
  FormattingOptions,
  Hover,
  InitializeResult,
  Position,
  Range,
  TextEdit,
} from 'vscode-languageserver';
import type { HostView } from '@bindery/plan';
import { startLanguageServer, type ServerOptions } from '../src/languageServer';

export interface Published {
  uri: string;
  version?: number;
  diagnostics: Diagnostic[];
}

export interface ClientOptions {
  host?: HostView;
  debounceMs?: number;
  /** Advertise dynamic watcher registration with relative patterns, as VS Code does. */
  dynamicWatchers?: boolean;
  /** Replaces the planner (see ServerOptions). */
  planBundle?: ServerOptions['planBundle'];
  /** Another server to talk to (the benchmark's schema-only baseline); Bindery's by default. */
  start?: (connection: Connection) => void;
}

export class TestClient {
  readonly published: Published[] = [];
  readonly registrations: unknown[] = [];
  private waiters: { uri: string; resolve: (p: Published) => void }[] = [];
  private versions = new Map<string, number>();
  private streams: PassThrough[];
  initializeResult!: InitializeResult;

  private constructor(
    private readonly connection: MessageConnection,
    streams: PassThrough[],
  ) {
    this.streams = streams;
    connection.onNotification('textDocument/publishDiagnostics', (p: Published) => {
      this.published.push(p);
      const ready = this.waiters.filter((w) => w.uri === p.uri);
      this.waiters = this.waiters.filter((w) => w.uri !== p.uri);
      for (const w of ready) w.resolve(p);
    });
    connection.onRequest('client/registerCapability', (params: { registrations: unknown[] }) => {
      this.registrations.push(...params.registrations);
      return null;
    });
    connection.onRequest('client/unregisterCapability', () => null);
    connection.onNotification('window/logMessage', () => undefined);
  }

  static async start(options: ClientOptions = {}): Promise<TestClient> {
    const toServer = new PassThrough();
    const toClient = new PassThrough();
    const serverConnection = createConnection(
      new StreamMessageReader(toServer),
      new StreamMessageWriter(toClient),
    );
    if (options.start) options.start(serverConnection);
    else
      startLanguageServer(serverConnection, { host: options.host, planBundle: options.planBundle });
    return TestClient.connect(toClient, toServer, options, [toServer, toClient]);
  }

  /** A client over any pair of streams, e.g. a server process's stdout and stdin. */
  static async connect(
    fromServer: NodeJS.ReadableStream,
    toServer: NodeJS.WritableStream,
    options: ClientOptions = {},
    owned: PassThrough[] = [],
  ): Promise<TestClient> {
    const connection = createMessageConnection(
      new StreamMessageReader(fromServer),
      new StreamMessageWriter(toServer),
    );
    connection.listen();
    const client = new TestClient(connection, owned);
    client.initializeResult = await connection.sendRequest('initialize', {
      processId: null,
      rootUri: null,
      capabilities: {
        workspace: {
          didChangeWatchedFiles: {
            dynamicRegistration: !!options.dynamicWatchers,
            relativePatternSupport: !!options.dynamicWatchers,
          },
        },
        textDocument: { completion: { completionItem: { snippetSupport: true } } },
      },
      initializationOptions: { debounceMs: options.debounceMs ?? 5 },
    });
    await connection.sendNotification('initialized', {});
    return client;
  }

  /** The next diagnostics published for `uri` (sent after this call). */
  nextDiagnostics(uri: string): Promise<Published> {
    return new Promise((resolve) => this.waiters.push({ uri, resolve }));
  }

  async open(uri: string, text: string, languageId = 'oci-spec'): Promise<void> {
    this.versions.set(uri, 1);
    await this.connection.sendNotification('textDocument/didOpen', {
      textDocument: { uri, languageId, version: 1, text },
    });
  }

  /** Open and wait for the first diagnostics. */
  async openAndValidate(uri: string, text: string, languageId = 'oci-spec'): Promise<Diagnostic[]> {
    const next = this.nextDiagnostics(uri);
    await this.open(uri, text, languageId);
    return (await next).diagnostics;
  }

  /** An incremental change: replace `range` with `text`. */
  async change(uri: string, range: Range, text: string): Promise<void> {
    const version = (this.versions.get(uri) ?? 1) + 1;
    this.versions.set(uri, version);
    await this.connection.sendNotification('textDocument/didChange', {
      textDocument: { uri, version },
      contentChanges: [{ range, text }],
    });
  }

  async changeAndValidate(uri: string, range: Range, text: string): Promise<Diagnostic[]> {
    const next = this.nextDiagnostics(uri);
    await this.change(uri, range, text);
    return (await next).diagnostics;
  }

  async close(uri: string): Promise<void> {
    await this.connection.sendNotification('textDocument/didClose', { textDocument: { uri } });
  }

  async filesChanged(changes: FileEvent[]): Promise<void> {
    await this.connection.sendNotification('workspace/didChangeWatchedFiles', { changes });
  }

  hover(uri: string, position: Position): Promise<Hover | null> {
    return this.connection.sendRequest('textDocument/hover', { textDocument: { uri }, position });
  }

  async completion(uri: string, position: Position): Promise<CompletionItem[]> {
    const r: CompletionItem[] | CompletionList | null = await this.connection.sendRequest(
      'textDocument/completion',
      {
        textDocument: { uri },
        position,
      },
    );
    return !r ? [] : Array.isArray(r) ? r : r.items;
  }

  async codeActions(uri: string, range: Range, diagnostics: Diagnostic[]): Promise<CodeAction[]> {
    return (
      (await this.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range,
        context: { diagnostics },
      })) ?? []
    );
  }

  async sendCodeActionRequest(
    uri: string,
    range: Range,
    diagnostics: Diagnostic[],
    only: string[],
  ): Promise<CodeAction[]> {
    return (
      (await this.connection.sendRequest('textDocument/codeAction', {
        textDocument: { uri },
        range,
        context: { diagnostics, only },
      })) ?? []
    );
  }

  async symbols(uri: string): Promise<DocumentSymbol[]> {
    return (
      (await this.connection.sendRequest('textDocument/documentSymbol', {
        textDocument: { uri },
      })) ?? []
    );
  }

  async format(uri: string, options: FormattingOptions): Promise<TextEdit[]> {
    return (
      (await this.connection.sendRequest('textDocument/formatting', {
        textDocument: { uri },
        options,
      })) ?? []
    );
  }

  async dispose(): Promise<void> {
    await this.connection.sendRequest('shutdown');
    this.connection.dispose();
    for (const s of this.streams) s.destroy();
  }
}

/** Apply LSP text edits to a string (edits must not overlap). */
export function applyTextEdits(text: string, edits: TextEdit[]): string {
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const offset = (p: Position) =>
    Math.min((lineStarts[p.line] ?? text.length) + p.character, text.length);
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted)
    out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

/** Position of the `n`-th occurrence of `needle` in `text`, plus `delta` characters. */
export function positionOf(text: string, needle: string, delta = 0, n = 0): Position {
  let at = -1;
  for (let i = 0; i <= n; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`not found: ${needle}`);
  }
  const before = text.slice(0, at + delta);
  const line = before.split('\n').length - 1;
  return { line, character: before.length - (before.lastIndexOf('\n') + 1) };
}
