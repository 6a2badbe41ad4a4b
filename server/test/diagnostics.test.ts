import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { makeBundle, spec, STANDARD_MOUNTS, type Bundle } from './bundle';
import { positionOf, TestClient } from './lspHarness';

describe('diagnostics', () => {
  let client: TestClient;
  let bundle: Bundle;
  before(async () => {
    bundle = makeBundle();
    client = await TestClient.start();
  });
  after(async () => {
    await client.dispose();
    bundle.cleanup();
  });

  it('advertises incremental sync and the features', () => {
    const caps = client.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.ok(caps.hoverProvider && caps.completionProvider && caps.codeActionProvider && caps.documentSymbolProvider && caps.documentFormattingProvider);
  });

  it('publishes a syntax error where it is, with source and code', async () => {
    const text = spec(STANDARD_MOUNTS).replace('"hostname": "box",', '"hostname": "box", // my box');
    const diags = await client.openAndValidate(bundle.uri, text, 'json');
    const comment = diags.find((d) => d.code === 'json-comment');
    assert.ok(comment, JSON.stringify(diags));
    assert.equal(comment.severity, DiagnosticSeverity.Error);
    assert.equal(comment.source, 'bindery');
    assert.deepEqual(comment.range.start, positionOf(text, '// my box'));
    assert.deepEqual(comment.range.end, positionOf(text, '// my box', '// my box'.length));
  });

  it('re-validates an incremental change', async () => {
    const text = spec(STANDARD_MOUNTS).replace('"hostname": "box",', '"hostname": "box", // my box');
    const start = positionOf(text, ' // my box');
    const diags = await client.changeAndValidate(bundle.uri, { start, end: { line: start.line, character: start.character + 9 } }, '');
    assert.equal(diags.filter((d) => d.code === 'json-comment').length, 0, JSON.stringify(diags));
  });

  it('gives an unrelated config.json nothing, and takes back what it said when ociVersion goes', async () => {
    const other = makeBundle();
    try {
      const unrelated = other.uri;
      // Unrelated first, then a spec: timers fire in order, so a publish for the unrelated
      // file would arrive before the spec's.
      await client.open(unrelated, '{ "compilerOptions": { "strict": true }, // not ours\n }', 'json');
      const specUri = other.uri.replace('config.json', 'app.oci.json');
      await client.openAndValidate(specUri, '{ "ociVersion": "1.2.0", /* c */ "root": {"path": "rootfs"} }');
      assert.equal(client.published.filter((p) => p.uri === unrelated).length, 0);

      // A config.json that is a spec, then stops being one.
      const diags = await client.changeAndValidate(bundle.uri, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, '{ /* x */');
      assert.ok(diags.some((d) => d.code === 'json-comment'));
      const cleared = client.nextDiagnostics(bundle.uri);
      const text = '{ /* x */ "name": "app" }';
      await client.change(bundle.uri, { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } }, text);
      assert.deepEqual((await cleared).diagnostics, []);
    } finally {
      other.cleanup();
    }
  });
});
