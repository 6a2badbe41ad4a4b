import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SymbolKind } from 'vscode-languageserver';
import { spec, STANDARD_MOUNTS } from './bundle';
import { clientWithBundle } from './clientWithBundle';
import { applyTextEdits } from './lspHarness';

describe('outline and formatting', () => {
  const lsp = clientWithBundle();

  it('outlines process, root, each mount by destination, and the namespaces', async () => {
    const text = spec([
      ...STANDARD_MOUNTS,
      { destination: '/data', type: 'bind', source: '/srv', options: ['rbind'] },
    ]);
    await lsp.client.openAndValidate(lsp.bundle.uri, text, 'json');
    const symbols = await lsp.client.symbols(lsp.bundle.uri);
    assert.deepEqual(
      symbols.map((s) => s.name),
      ['process', 'root', 'mounts', 'namespaces'],
    );
    assert.equal(symbols[0].detail, 'sh');
    assert.equal(symbols[1].detail, 'rootfs, read-only');
    const mounts = symbols[2].children!;
    assert.deepEqual(
      mounts.map((m) => m.name),
      ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/data'],
    );
    assert.equal(mounts[6].detail, 'bind ← /srv');
    // Selecting a mount in the outline lands on its destination.
    const line = text.split('\n').findIndex((l) => l.includes('"destination": "/data"'));
    assert.equal(mounts[6].selectionRange.start.line, line);
    const ns = symbols[3];
    assert.equal(ns.kind, SymbolKind.Enum);
    assert.deepEqual(
      ns.children!.map((c) => c.name),
      ['pid', 'network', 'ipc', 'uts', 'mount'],
    );
  });

  it('formats with the indentation the file already uses, whatever the editor default', async () => {
    const uri = lsp.bundle.uri.replace('config.json', 'four.oci.json');
    const messy =
      '{\n    "ociVersion": "1.2.0",\n    "root": {"path": "rootfs",\n        "readonly": true},\n    "mounts": []\n}\n';
    await lsp.client.openAndValidate(uri, messy);
    const edits = await lsp.client.format(uri, { tabSize: 2, insertSpaces: true });
    assert.equal(
      applyTextEdits(messy, edits),
      '{\n    "ociVersion": "1.2.0",\n    "root": {\n        "path": "rootfs",\n        "readonly": true\n    },\n    "mounts": []\n}\n',
    );
  });

  it('formats with tabs when the file uses tabs, and with the editor options when nothing is indented yet', async () => {
    const tabs = lsp.bundle.uri.replace('config.json', 'tabs.oci.json');
    const tabbed = '{\n\t"ociVersion": "1.2.0", "root": {"path": "rootfs"}\n}\n';
    await lsp.client.openAndValidate(tabs, tabbed);
    const out = applyTextEdits(
      tabbed,
      await lsp.client.format(tabs, { tabSize: 2, insertSpaces: true }),
    );
    assert.equal(out, '{\n\t"ociVersion": "1.2.0",\n\t"root": {\n\t\t"path": "rootfs"\n\t}\n}\n');

    const flat = lsp.bundle.uri.replace('config.json', 'flat.oci.json');
    const oneLine = '{"ociVersion": "1.2.0", "root": {"path": "rootfs"}}';
    await lsp.client.openAndValidate(flat, oneLine);
    const out2 = applyTextEdits(
      oneLine,
      await lsp.client.format(flat, { tabSize: 3, insertSpaces: true }),
    );
    assert.equal(
      out2,
      '{\n   "ociVersion": "1.2.0",\n   "root": {\n      "path": "rootfs"\n   }\n}',
    );
  });
});
