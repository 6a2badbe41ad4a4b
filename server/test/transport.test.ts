// The entry point as editors start it: a separate process over stdio, or over Node IPC as
// vscode-languageclient does (TransportKind.ipc).
import assert from 'node:assert/strict';
import { fork, spawn, type ChildProcess } from 'node:child_process';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  IPCMessageReader,
  IPCMessageWriter,
  createMessageConnection,
  type MessageConnection,
} from 'vscode-jsonrpc/node';
import { TestClient } from './lspHarness';

const ENTRY = path.join(__dirname, '..', 'src', 'server.ts');
const TEXT = '{ "ociVersion": "1.2.0", // note\n "root": { "path": "rootfs" } }';

describe('transports', () => {
  const children: ChildProcess[] = [];
  after(() => {
    for (const c of children) c.kill();
  });

  it('--stdio', async () => {
    const child = spawn(process.execPath, ['--import', 'tsx', ENTRY, '--stdio'], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(child);
    const client = await TestClient.connect(child.stdout!, child.stdin!);
    assert.equal(client.initializeResult.serverInfo?.name, 'bindery-language-server');
    const diags = await client.openAndValidate('untitled:spec.oci.json', TEXT);
    assert.ok(
      diags.some((d) => d.code === 'json-comment'),
      JSON.stringify(diags),
    );
    await client.dispose();
  });

  it('--node-ipc', async () => {
    const child = fork(ENTRY, ['--node-ipc'], {
      execArgv: ['--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
    });
    children.push(child);
    const connection: MessageConnection = createMessageConnection(
      new IPCMessageReader(child),
      new IPCMessageWriter(child),
    );
    const published = new Promise<{ diagnostics: { code: string }[] }>((resolve) =>
      connection.onNotification('textDocument/publishDiagnostics', resolve),
    );
    connection.listen();
    const init: { serverInfo?: { name: string } } = await connection.sendRequest('initialize', {
      processId: null,
      rootUri: null,
      capabilities: {},
    });
    assert.equal(init.serverInfo?.name, 'bindery-language-server');
    await connection.sendNotification('initialized', {});
    await connection.sendNotification('textDocument/didOpen', {
      textDocument: {
        uri: 'untitled:spec.oci.json',
        languageId: 'oci-spec',
        version: 1,
        text: TEXT,
      },
    });
    assert.ok((await published).diagnostics.some((d) => d.code === 'json-comment'));
    await connection.sendRequest('shutdown');
    connection.dispose();
  });
});
