// Entry point: `node dist/server.js --stdio` (any LSP editor) or `--node-ipc` (the VS Code
// client). createConnection reads the transport from the command line.
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startLanguageServer } from './languageServer';

startLanguageServer(createConnection(ProposedFeatures.all));
