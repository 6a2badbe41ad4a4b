// Containers podman runs with `bindery` as its runtime, in the editor: the helper finds them
// in the runtime's state root, the view groups them under their engine, their spec (the one
// podman generated) opens read-only with the language server's diagnostics, their live mount
// table shows, stop works, and a mount podman's `start` fails on lands on its entry of
// config.json as a launch from the view does. podman's storage, config and the runtime's
// state are in temporary folders (the runner's engine root is watched by its helper).
import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmdirSync } from 'node:fs';
import * as vscode from 'vscode';
import { type ContainerInfo, StopRequest } from '../../../helper/src/protocol';
import { Podman, Scratch } from '../../../helper/test/engines/engineHarness';
import { requestScreenshot } from '../../../test/e2e/screenshot';
import type { BinderyApi } from '../../src/extension';
import type { TreeNode } from '../../src/treeModel';
import { waitFor } from './waitFor';

const IMAGE = 'localhost/bindery-e2e-busybox:latest';
const engineRoot = process.env.BINDERY_E2E_ENGINE_ROOT;
const runtimeCommand = process.env.BINDERY_E2E_RUNTIME;

let api: BinderyApi;
let env: { scratch: Scratch; podman: Podman } | undefined;

function hasPodman(): boolean {
  return spawnSync('sh', ['-c', 'command -v podman && command -v conmon']).status === 0;
}

function podman(args: string[]) {
  return env!.podman.run(['--runtime', 'bindery', ...args]);
}

function codeOf(d: vscode.Diagnostic): string {
  return String(typeof d.code === 'object' ? d.code.value : d.code);
}

/** The view's row of an engine container, by the id podman gave it. */
function engineRow(runtimeId: string): TreeNode | undefined {
  return api.view
    .getChildren()
    .find((g) => g.id === 'group:engine:podman')
    ?.children?.find((n) => n.container?.engine?.runtimeId === runtimeId);
}

describe('containers an engine runs with bindery', function () {
  before(async function () {
    this.timeout(120000);
    // Only the runner's --no-daemon mode starts no helper; CI always does, with podman.
    if (!engineRoot || !runtimeCommand) this.skip();
    if (!hasPodman()) {
      if (process.env.CI)
        throw new Error('the engine e2e test needs podman in CI (apt-get install podman)');
      this.skip();
    }
    api = await vscode.extensions.getExtension<BinderyApi>('bindery.bindery')!.activate();
    const scratch = new Scratch();
    env = {
      scratch,
      podman: new Podman(scratch, {
        bindery: scratch.runtimeWrapper('bindery', runtimeCommand, engineRoot),
      }),
    };
    env.podman.importBusybox(IMAGE);
    await vscode.commands.executeCommand('workbench.view.extension.bindery');
    await waitFor('a connection to the helper', () => api.helper.state.kind === 'connected');
  });

  after(async function () {
    this.timeout(60000);
    env?.podman.cleanup();
    await env?.scratch.cleanup();
  });

  it('shows a podman container under its engine, with its spec diagnosed, its live mounts, and stops it', async function () {
    this.timeout(120000);
    const source = env!.scratch.path('data-source');
    mkdirSync(source);
    const run = podman(['run', '-d', '-v', `${source}:/data:ro`, IMAGE, '/bin/sleep', '300']);
    assert.equal(run.status, 0, run.stderr);
    const runtimeId = run.stdout.trim();

    const row = await waitFor('the podman container in the view', () => {
      const r = engineRow(runtimeId);
      return r?.container?.status === 'running' ? r : undefined;
    });
    const c = row.container!;
    assert.equal(c.id, `podman:${runtimeId}`);
    assert.equal(row.label, runtimeId.slice(0, 12));
    assert.equal(row.description, 'running');
    assert.equal(row.contextValue, 'engine-container.running');
    const group = api.view.getChildren().find((g) => g.id === 'group:engine:podman');
    assert.equal(group?.label, 'podman');
    assert.equal(
      api.view
        .getChildren()
        .some((g) => g.id === 'group:running' && g.children?.some((n) => n.container?.id === c.id)),
      false,
      'under its engine, not among the helper’s own containers',
    );
    const rows = (row.children ?? []).flatMap((g) => [g, ...(g.children ?? [])]);
    assert.equal(
      rows.find((n) => n.kind === 'mount' && n.label === '/data')?.description,
      'bind · applied',
    );

    // Clicking the row opens the spec podman generated, read-only, with the language server's findings.
    assert.ok(row.command);
    await vscode.commands.executeCommand(row.command.command, ...row.command.args);
    const editor = vscode.window.activeTextEditor;
    assert.equal(editor?.document.uri.fsPath, `${c.bundle}/config.json`);
    const diagnostic = await waitFor('the language server on podman’s spec', () =>
      vscode.languages
        .getDiagnostics(editor!.document.uri)
        .find((d) => codeOf(d) === 'root-not-named-rootfs'),
    );
    assert.equal(
      diagnostic.range.start.line,
      editor!.document
        .getText()
        .split('\n')
        .findIndex((l) => l.includes('"path"') && l.includes('/merged')),
    );

    // The kernel's mount table of the running container, compared with the spec.
    const table = await waitFor('the live mount table', () => api.live.get(c.id));
    const data = table.entries.filter((e) => e.mountPoint === '/data').pop();
    assert.ok(data?.options.includes('ro'), `/data is mounted read-only: ${data?.options}`);
    const shown = await vscode.commands.executeCommand<vscode.TextEditor>(
      'bindery.showMountTable',
      c.id,
    );
    assert.match(shown.document.getText(), /^\/data\s+/m);
    // /data is mounted as asked: no drift on its entry. (On a cgroup v1 host the comparison
    // still calls podman's `cgroup` entry a tmpfs: a known gap of the drift check.)
    assert.deepEqual(
      (api.diagnostics.collection.get(editor!.document.uri) ?? []).filter((d) =>
        d.message.includes('(/data)'),
      ),
      [],
      'mounted as asked: no drift',
    );
    await api.view.view.reveal(row, { expand: true, focus: false, select: true });
    await requestScreenshot('engine-container');

    const stopped = await vscode.commands.executeCommand<ContainerInfo>('bindery.kill', row);
    assert.equal(stopped.status, 'stopped');
    await waitFor(
      'podman to see it exit',
      () =>
        podman(['inspect', '--format', '{{.State.Status}}', runtimeId]).stdout.trim() === 'exited',
    );
    assert.equal(podman(['rm', runtimeId]).status, 0);
    await waitFor('the row to go with podman’s rm', () => engineRow(runtimeId) === undefined);
  });

  it('puts a mount that fails under podman on the entry of its config.json, as a launch from the view', async function () {
    this.timeout(120000);
    const source = env!.scratch.path('vanishing-source');
    mkdirSync(source);
    // podman checks the source at `create`; at `start` only the runtime does.
    const created = podman(['create', '-v', `${source}:/data`, IMAGE, '/bin/true']);
    assert.equal(created.status, 0, created.stderr);
    const runtimeId = created.stdout.trim();
    rmdirSync(source);
    const started = podman(['start', runtimeId]);
    assert.notEqual(started.status, 0);

    const row = await waitFor('the failed create in the view', () => {
      const r = engineRow(runtimeId);
      return r?.container?.status === 'failed' ? r : undefined;
    });
    assert.equal(row.description, 'create failed');
    const specPath = `${row.container!.bundle}/config.json`;
    const uri = vscode.Uri.file(specPath);
    const finding = await waitFor('the failure on the /data entry', () =>
      api.diagnostics.collection.get(uri)?.find((d) => codeOf(d) === 'bind-source-not-found'),
    );
    assert.equal(finding.severity, vscode.DiagnosticSeverity.Error);
    const lines = readFileSync(specPath, 'utf8').split('\n');
    assert.match(lines[finding.range.start.line], /vanishing-source/, 'on the entry’s source');

    await vscode.commands.executeCommand('bindery.teardown', row, { confirm: false });
    await waitFor('the failure to be cleared', () => engineRow(runtimeId) === undefined);
    assert.deepEqual(api.diagnostics.collection.get(uri) ?? [], []);
    assert.equal(podman(['rm', '--force', runtimeId]).status, 0);
  });

  it('stops through the helper what podman started, with podman seeing it stop', async function () {
    this.timeout(60000);
    const run = podman(['run', '-d', IMAGE, '/bin/sleep', '300']);
    assert.equal(run.status, 0, run.stderr);
    const id = `podman:${run.stdout.trim()}`;
    await waitFor('it runs', () => api.store.get(id)?.status === 'running');
    const info = await api.helper.request(StopRequest, { id, timeoutMs: 500 });
    assert.equal(info.status, 'stopped');
    assert.equal(podman(['rm', '--force', run.stdout.trim()]).status, 0);
  });
});
