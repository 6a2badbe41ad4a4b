// The baseline as its own process, like a real language server: `--stdio`, schema folder as argv[2].
import { createConnection, ProposedFeatures } from 'vscode-languageserver/node';
import { startSchemaOnlyServer } from './schemaOnlyServer';

startSchemaOnlyServer(createConnection(ProposedFeatures.all), process.argv[2]);
