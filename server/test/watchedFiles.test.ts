import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FileChangeType } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { spec, STANDARD_MOUNTS } from './bundle';
import { clientWithBundle } from './clientWithBundle';
import { positionOf } from './lspHarness';

// The real file system: a bind source and the rootfs appear and disappear while the spec is open.
describe('re-validation when the host changes', () => {
  const lsp = clientWithBundle({ dynamicWatchers: true });
  const text = spec([
    ...STANDARD_MOUNTS,
    { destination: '/data', type: 'bind', source: 'data', options: ['rbind'] },
  ]);

  it('reports a missing bind source on the source, and drops it once the directory exists', async () => {
    const diags = await lsp.client.openAndValidate(lsp.bundle.uri, text, 'json');
    const missing = diags.find((d) => d.code === 'bind-source-not-found');
    assert.ok(missing, JSON.stringify(diags.map((d) => d.code)));
    assert.deepEqual(missing.range.start, positionOf(text, '"data"'));

    lsp.bundle.mkdir('data');
    const next = lsp.client.nextDiagnostics(lsp.bundle.uri);
    await lsp.client.filesChanged([
      { uri: URI.file(lsp.bundle.path('data')).toString(), type: FileChangeType.Created },
    ]);
    const after = (await next).diagnostics;
    assert.equal(
      after.filter((d) => d.code === 'bind-source-not-found').length,
      0,
      JSON.stringify(after.map((d) => d.code)),
    );
  });

  it('reports the rootfs once it is deleted', async () => {
    lsp.bundle.remove('rootfs');
    const next = lsp.client.nextDiagnostics(lsp.bundle.uri);
    await lsp.client.filesChanged([
      { uri: URI.file(lsp.bundle.path('rootfs')).toString(), type: FileChangeType.Deleted },
    ]);
    const diags = (await next).diagnostics;
    const root = diags.find((d) => d.code === 'root-not-found');
    assert.ok(root, JSON.stringify(diags.map((d) => d.code)));
    assert.deepEqual(root.range.start, positionOf(text, '"rootfs"'));
    lsp.bundle.mkdir('rootfs');
  });

  it('ignores changes elsewhere', async () => {
    const before = lsp.client.published.length;
    await lsp.client.filesChanged([
      {
        uri: URI.file('/nonexistent-bindery-elsewhere/file').toString(),
        type: FileChangeType.Changed,
      },
    ]);
    // A change that matters afterwards proves the first one was processed and ignored.
    const next = lsp.client.nextDiagnostics(lsp.bundle.uri);
    await lsp.client.filesChanged([
      { uri: URI.file(lsp.bundle.path('rootfs')).toString(), type: FileChangeType.Created },
    ]);
    await next;
    assert.equal(lsp.client.published.length, before + 1);
  });

  it('asks the client to watch the folders holding the bind sources and the rootfs', () => {
    const regs = lsp.client.registrations as {
      method: string;
      registerOptions: { watchers: { globPattern: { baseUri: string } }[] };
    }[];
    const watch = regs.filter((r) => r.method === 'workspace/didChangeWatchedFiles').at(-1);
    assert.ok(watch, 'a watcher registration');
    const bases = watch.registerOptions.watchers.map(
      (w) => URI.parse(w.globPattern.baseUri).fsPath,
    );
    assert.ok(
      bases.includes(lsp.bundle.dir),
      `${bases} includes the bundle directory (parent of rootfs/ and data/)`,
    );
  });
});
