// The baseline: a language server that does schema-only validation with
// vscode-json-languageservice against the upstream OCI schema, wired the same way as ours
// (incremental sync, a zero-delay timer before validating, publishDiagnostics).
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  getLanguageService,
  type JSONDocument,
  type LanguageService,
} from 'vscode-json-languageservice';
import {
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
} from 'vscode-languageserver';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';

/** vscode-json-languageservice set up with the upstream OCI schema from `schemaDir`. */
export function schemaOnlyService(schemaDir: string): LanguageService {
  const service = getLanguageService({
    schemaRequestService: async (uri) => fs.readFileSync(URI.parse(uri).fsPath, 'utf8'),
    workspaceContext: {
      resolveRelativePath: (rel, resource) =>
        URI.parse(resource)
          .with({ path: path.posix.join(path.posix.dirname(URI.parse(resource).path), rel) })
          .toString(),
    },
  });
  service.configure({
    validate: true,
    schemas: [
      {
        uri: URI.file(path.join(schemaDir, 'config-schema.json')).toString(),
        fileMatch: ['*.json'],
      },
    ],
  });
  return service;
}

export function startSchemaOnlyServer(
  connection: Connection,
  schemaDir = path.join(__dirname, 'schema'),
): void {
  const service = schemaOnlyService(schemaDir);
  const documents = new TextDocuments(TextDocument);
  const timers = new Map<string, NodeJS.Timeout>();
  const validate = async (uri: string) => {
    const doc = documents.get(uri);
    if (!doc) return;
    const json: JSONDocument = service.parseJSONDocument(doc);
    const diagnostics = await service.doValidation(doc, json);
    // The JSON service ships its own (newer) copy of the LSP types; the shapes are the same.
    void connection.sendDiagnostics({
      uri,
      version: doc.version,
      diagnostics: diagnostics as unknown as Diagnostic[],
    });
  };
  const schedule = (uri: string) => {
    clearTimeout(timers.get(uri));
    timers.set(
      uri,
      setTimeout(() => void validate(uri), 0),
    );
  };
  connection.onInitialize(() => ({
    capabilities: {
      textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
    },
  }));
  documents.onDidOpen((e) => schedule(e.document.uri));
  documents.onDidChangeContent((e) => schedule(e.document.uri));
  documents.listen(connection);
  connection.listen();
}
