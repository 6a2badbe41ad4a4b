import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FileChangeType } from 'vscode-languageserver';
import { URI } from 'vscode-uri';
import { makeBundle, spec, STANDARD_MOUNTS, type Bundle } from './bundle';
import { positionOf, TestClient } from './lspHarness';

// The real file system: a bind source and the rootfs appear and disappear while the spec is open.
describe('re-validation when the host changes', () => {
  let client: TestClient;
  let bundle: Bundle;
  const text = spec([
    ...STANDARD_MOUNTS,
    { destination: '/data', type: 'bind', source: 'data', options: ['rbind'] },
  ]);
  before(async () => {
    bundle = makeBundle();
    client = await TestClient.start({ dynamicWatchers: true });
  });
  after(async () => {
    await client.dispose();
    bundle.cleanup();
  });

  it('reports a missing bind source on the source, and drops it once the directory exists', async () => {
    const diags = await client.openAndValidate(bundle.uri, text, 'json');
    const missing = diags.find((d) => d.code === 'bind-source-not-found');
    assert.ok(missing, JSON.stringify(diags.map((d) => d.code)));
    assert.deepEqual(missing.range.start, positionOf(text, '"data"'));

    bundle.mkdir('data');
    const next = client.nextDiagnostics(bundle.uri);
    await client.filesChanged([
      { uri: URI.file(bundle.path('data')).toString(), type: FileChangeType.Created },
    ]);
    const after = (await next).diagnostics;
    assert.equal(
      after.filter((d) => d.code === 'bind-source-not-found').length,
      0,
      JSON.stringify(after.map((d) => d.code)),
    );
  });

  it('reports the rootfs once it is deleted', async () => {
    bundle.remove('rootfs');
    const next = client.nextDiagnostics(bundle.uri);
    await client.filesChanged([
      { uri: URI.file(bundle.path('rootfs')).toString(), type: FileChangeType.Deleted },
    ]);
    const diags = (await next).diagnostics;
    const root = diags.find((d) => d.code === 'root-not-found');
    assert.ok(root, JSON.stringify(diags.map((d) => d.code)));
    assert.deepEqual(root.range.start, positionOf(text, '"rootfs"'));
    bundle.mkdir('rootfs');
  });

  it('ignores changes elsewhere', async () => {
    const before = client.published.length;
    await client.filesChanged([
      {
        uri: URI.file('/nonexistent-bindery-elsewhere/file').toString(),
        type: FileChangeType.Changed,
      },
    ]);
    // A change that matters afterwards proves the first one was processed and ignored.
    const next = client.nextDiagnostics(bundle.uri);
    await client.filesChanged([
      { uri: URI.file(bundle.path('rootfs')).toString(), type: FileChangeType.Created },
    ]);
    await next;
    assert.equal(client.published.length, before + 1);
  });

  it('asks the client to watch the folders holding the bind sources and the rootfs', () => {
    const regs = client.registrations as {
      method: string;
      registerOptions: { watchers: { globPattern: { baseUri: string } }[] };
    }[];
    const watch = regs.filter((r) => r.method === 'workspace/didChangeWatchedFiles').at(-1);
    assert.ok(watch, 'a watcher registration');
    const bases = watch.registerOptions.watchers.map(
      (w) => URI.parse(w.globPattern.baseUri).fsPath,
    );
    assert.ok(
      bases.includes(bundle.dir),
      `${bases} includes the bundle directory (parent of rootfs/ and data/)`,
    );
  });
});
