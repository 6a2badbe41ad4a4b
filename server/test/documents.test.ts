import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { bundleDirOf, hasTopLevelOciVersion, isOciSpec } from '../src/documents';

describe('which documents are OCI specs', () => {
  it('a top-level ociVersion key, and only that', () => {
    assert.equal(hasTopLevelOciVersion('{ "ociVersion": "1.2.0" }'), true);
    assert.equal(
      hasTopLevelOciVersion('// runc wrote this\n{ "process": {}, "ociVersion": "1.0.2" }'),
      true,
    );
    assert.equal(hasTopLevelOciVersion('{ "ociVersion": '), true, 'still typing');
    assert.equal(hasTopLevelOciVersion('{ "nested": { "ociVersion": "1" } }'), false);
    assert.equal(hasTopLevelOciVersion('{ "name": "ociVersion" }'), false, 'a value, not a key');
    assert.equal(hasTopLevelOciVersion('[ { "ociVersion": "1" } ]'), false);
    assert.equal(hasTopLevelOciVersion('{ "compilerOptions": { "strict": true } }'), false);
    assert.equal(hasTopLevelOciVersion(''), false);
  });

  it('by language id or file name, otherwise by content', () => {
    const doc = (uri: string, languageId: string, text: string) =>
      TextDocument.create(uri, languageId, 1, text);
    assert.equal(isOciSpec(doc('file:///b/config.json', 'json', '{}')), false);
    assert.equal(isOciSpec(doc('file:///b/config.json', 'json', '{"ociVersion":"1.2.0"}')), true);
    assert.equal(isOciSpec(doc('file:///b/app.json', 'oci-spec', '')), true);
    assert.equal(isOciSpec(doc('file:///b/web.oci.json', 'json', '{}')), true);
  });

  it('the bundle is the folder of the file; documents not on disk have none', () => {
    assert.equal(bundleDirOf('file:///srv/bundles/web/config.json'), '/srv/bundles/web');
    assert.equal(bundleDirOf('untitled:Untitled-1'), undefined);
  });
});
