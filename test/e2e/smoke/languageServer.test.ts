// The language server ships and starts wherever the extension runs from (the tree or the
// installed .vsix): a spec with a bind mount from a missing host path gets a diagnostic on
// that mount entry, delivered through the client.
import * as assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';

const spec = `{
  "ociVersion": "1.2.0",
  "root": { "path": "rootfs" },
  "process": { "args": ["/bin/sh"], "cwd": "/" },
  "mounts": [
    {
      "destination": "/data",
      "type": "bind",
      "source": "/nonexistent-bindery-smoke-source",
      "options": ["rbind", "ro"]
    }
  ]
}
`;

describe('language server', () => {
  it('puts a diagnostic on the mount entry whose bind source is missing', async () => {
    const workspace = process.env.BINDERY_E2E_WORKSPACE;
    assert.ok(workspace, 'the runner says where the workspace is');
    const bundle = join(workspace, 'smoke-missing-source');
    mkdirSync(join(bundle, 'rootfs'), { recursive: true });
    writeFileSync(join(bundle, 'config.json'), spec);
    const document = await vscode.workspace.openTextDocument(join(bundle, 'config.json'));
    await vscode.window.showTextDocument(document);

    const lines = spec.split('\n');
    const entryFirst = lines.findIndex((line) => line.includes('"destination": "/data"')) - 1;
    const entryLast = lines.findIndex((line) => line.includes('"options": ["rbind"')) + 1;
    const diagnostics = await waitFor(() => {
      const found = vscode.languages
        .getDiagnostics(document.uri)
        .filter((d) => d.range.start.line >= entryFirst && d.range.start.line <= entryLast);
      return found.length > 0 ? found : undefined;
    }, 30000);
    assert.ok(
      diagnostics.some((d) => d.message.includes('/nonexistent-bindery-smoke-source')),
      `a diagnostic names the missing source: ${diagnostics.map((d) => d.message).join(' | ')}`,
    );
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
  });
});

async function waitFor<T>(probe: () => T | undefined, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`nothing after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}
