// Smoke test of the end-to-end machinery itself: the workbench loaded our extension (from
// the tree or from the installed .vsix), it activates, and the runner's environment and
// workspace reached the extension host.
import * as assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { requestScreenshot } from '../screenshot';

const extensionId = 'bindery.bindery';

describe('end-to-end machinery', () => {
  it('runs inside a real VS Code extension host with the runner environment', () => {
    assert.equal(process.env.BINDERY_E2E, '1');
    assert.ok(vscode.version.length > 0);
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'a workspace folder is open');
    assert.equal(folder.uri.fsPath, process.env.BINDERY_E2E_WORKSPACE);
  });

  it('has the extension installed the way this run asked for', () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension, `${extensionId} is loaded`);
    assert.equal(extension.packageJSON.name, 'bindery');
    if (process.env.BINDERY_E2E_MODE === 'vsix') {
      // From the .vsix: a copy in the extensions folder, not the repository.
      assert.ok(
        !existsSync(join(extension.extensionPath, 'client', 'src')),
        'sources are not packaged',
      );
      assert.ok(existsSync(join(extension.extensionPath, 'client', 'dist', 'extension.js')));
    }
  });

  it('activates', async () => {
    const extension = vscode.extensions.getExtension(extensionId);
    assert.ok(extension);
    await extension.activate();
    assert.equal(extension.isActive, true);
  });

  it('tells the extension where the test helper listens', function () {
    const socket = process.env.BINDERY_E2E_SOCKET;
    if (!socket) this.skip(); // runner started with --no-daemon
    assert.equal(vscode.workspace.getConfiguration('bindery').get('helper.socketPath'), socket);
    const settings = JSON.parse(
      readFileSync(
        join(process.env.BINDERY_E2E_WORKSPACE ?? '', '.vscode', 'settings.json'),
        'utf8',
      ),
    );
    assert.equal(settings['bindery.helper.socketPath'], socket);
  });

  it('can photograph the workbench', async function () {
    if (!process.env.BINDERY_E2E_RESULTS) this.skip(); // not under the code-server runner
    const file = await requestScreenshot('smoke-workbench');
    assert.ok(file && existsSync(file), 'the runner wrote the screenshot');
  });
});
