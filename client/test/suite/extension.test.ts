// The extension in a real VS Code, against the real helper the runner started as root:
// what a user does (open a spec, hover, launch from the view, read the output, stop, tear
// down) and what they should see. Bundles are written into the test workspace at run time.
import * as assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import * as vscode from 'vscode';
import {
  createMessageConnection,
  SocketMessageReader,
  SocketMessageWriter,
} from 'vscode-jsonrpc/node';
import {
  type ContainerInfo,
  ListRequest,
  StopRequest,
  TeardownRequest,
  VersionRequest,
} from '../../../helper/src/protocol';
import { requestScreenshot } from '../../../test/e2e/screenshot';
import { uiDriven, waitForUi } from '../../../test/e2e/ui';
import type { BinderyApi } from '../../src/extension';
import type { TreeNode } from '../../src/treeModel';
import {
  lineOf,
  missingBindSpec,
  RUN_UNTIL_TERM,
  spec,
  STANDARD_MOUNTS,
  type TestBundle,
  writeBundle,
} from './testBundles';
import { sleep, waitFor } from './waitFor';
import { row as rowSelector } from './workbenchSelectors';

const EXTENSION_ID = 'bindery.bindery';
const socket = process.env.BINDERY_E2E_SOCKET;

let api: BinderyApi;
let root: string;
let hello: TestBundle;
let fault: TestBundle;
let badMount: TestBundle;
let refused: TestBundle;
let readOnly: TestBundle;
let readOnlySource: string;
let readOnlyMounted = false;
let tty: TestBundle;
const launched: string[] = [];

function codeOf(d: vscode.Diagnostic): string | undefined {
  return typeof d.code === 'object'
    ? String(d.code.value)
    : d.code === undefined
      ? undefined
      : String(d.code);
}

function hoverText(hovers: vscode.Hover[]): string {
  return hovers
    .flatMap((h) => h.contents)
    .map((c) => (typeof c === 'string' ? c : 'value' in c ? c.value : ''))
    .join('\n');
}

function roots(): TreeNode[] {
  return api.view.getChildren();
}

function group(id: string): TreeNode | undefined {
  return roots().find((n) => n.id === id);
}

function containerRow(id: string): TreeNode | undefined {
  return roots()
    .filter((g) => g.kind === 'group')
    .flatMap((g) => g.children ?? [])
    .find((n) => n.kind === 'container' && n.container?.id === id);
}

function hostMountsMentioning(path: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .filter((line) => line.includes(path));
}

function requireHelper(ctx: Mocha.Context): void {
  // Only the runner's --no-daemon mode (trying the machinery) starts no helper; CI always does.
  if (!socket) ctx.skip();
}

describe('Bindery in a real VS Code', function () {
  before(async function () {
    const extension = vscode.extensions.getExtension<BinderyApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is installed`);
    api = await extension.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder, 'the runner opened a workspace folder');
    root = join(folder.uri.fsPath, 'e2e-client');
    mkdirSync(root, { recursive: true });

    hello = writeBundle(
      root,
      'hello',
      spec(
        ['/bin/sh', '-c', `echo hello from bindery; echo to stderr >&2; ${RUN_UNTIL_TERM}`],
        [
          ...STANDARD_MOUNTS,
          {
            destination: '/data',
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['ro', 'nosuid', 'nodev', 'size=1m'],
          },
        ],
      ),
    );
    // process.terminal: an interactive shell in a VS Code terminal.
    {
      const s = spec(['/bin/sh'], STANDARD_MOUNTS) as { process: Record<string, unknown> };
      s.process.terminal = true;
      s.process.env = ['PATH=/bin', 'PS1=tty$ '];
      tty = writeBundle(root, 'tty', s);
    }
    // A data option tmpfs does not have: the plan knows mount(2) would fail with EINVAL.
    fault = writeBundle(
      root,
      'fault',
      spec(
        ['/bin/sh'],
        [
          ...STANDARD_MOUNTS,
          {
            destination: '/data',
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['nosuid', 'colour=blue'],
          },
        ],
      ),
    );
    // uid=4294967295 is a well-formed tmpfs uid the plan accepts, but (uid_t)-1 is never a
    // valid id, which only the kernel checks: EINVAL at launch.
    badMount = writeBundle(
      root,
      'bad-mount',
      spec(
        ['/bin/sh', '-c', RUN_UNTIL_TERM],
        [
          ...STANDARD_MOUNTS,
          {
            destination: '/scratch',
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['nosuid', 'uid=4294967295'],
          },
        ],
      ),
    );
    // A bind source that does not exist: the helper refuses the plan before mounting anything.
    refused = writeBundle(root, 'refused', missingBindSpec('/nonexistent/bindery-e2e'));
    // A writable bind of a filesystem that is read-only on the host: the spec asks rw, the
    // kernel gives ro. The test mounts that filesystem and removes it afterwards.
    readOnlySource = join(root, 'ro-source');
    mkdirSync(readOnlySource, { recursive: true });
    readOnly = writeBundle(
      root,
      'read-only-source',
      spec(
        ['/bin/sh', '-c', RUN_UNTIL_TERM],
        [
          ...STANDARD_MOUNTS,
          { destination: '/srv', type: 'bind', source: readOnlySource, options: ['rbind'] },
        ],
      ),
    );
  });

  after(async function () {
    this.timeout(60000);
    for (const id of launched) {
      await api.helper.request(StopRequest, { id, timeoutMs: 1000 }).catch(() => undefined);
      await api.helper.request(TeardownRequest, { id }).catch(() => undefined);
    }
    if (readOnlyMounted) execFileSync('umount', [readOnlySource]);
    rmSync(root, { recursive: true, force: true });
  });

  it('shows the language server diagnostic on a deliberate fault, with its code and range', async () => {
    const doc = await vscode.workspace.openTextDocument(fault.specPath);
    await vscode.window.showTextDocument(doc);
    const diagnostic = await waitFor('the unsupported-data-option diagnostic', () =>
      vscode.languages.getDiagnostics(doc.uri).find((d) => codeOf(d) === 'unsupported-data-option'),
    );
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.match(diagnostic.message, /EINVAL/);
    assert.equal(diagnostic.range.start.line, lineOf(fault.text, '"colour=blue"'));
    assert.equal(doc.getText(diagnostic.range), '"colour=blue"');
    // The language server's findings are not ours: our collection stays empty for this file.
    assert.deepEqual(api.diagnostics.collection.get(doc.uri) ?? [], []);
  });

  it('hovers a mount entry through the client and shows the mount(2) call it becomes', async () => {
    const doc = await vscode.workspace.openTextDocument(hello.specPath);
    await vscode.window.showTextDocument(doc);
    const line = lineOf(hello.text, '"destination": "/data"');
    const position = new vscode.Position(line, doc.lineAt(line).text.indexOf('/data') + 1);
    const text = await waitFor('a hover on the /data entry', async () => {
      const hovers = await vscode.commands.executeCommand<vscode.Hover[]>(
        'vscode.executeHoverProvider',
        doc.uri,
        position,
      );
      const t = hoverText(hovers ?? []);
      return t.includes('mount(') ? t : undefined;
    });
    assert.match(text, /mount\("tmpfs", "\/data", "tmpfs", /);
  });

  it('lists the workspace bundles in the Containers view', async () => {
    await vscode.commands.executeCommand('workbench.view.extension.bindery');
    await waitFor('the Containers view to be visible', () => api.view.visible);
    const names = await waitFor('the test bundles in the view', () => {
      const labels = (group('group:bundles')?.children ?? []).map((n) => n.label);
      // The fault bundle is one too: its spec has an error, but it is a spec.
      return ['hello', 'bad-mount', 'fault'].every((b) => labels.includes(`e2e-client/${b}`))
        ? labels
        : undefined;
    });
    // The unrelated config.json-less folder is not a bundle.
    assert.ok(!names.some((n) => n.endsWith('ro-source')));
  });

  it('launches a bundle from the view and shows it running, with its mounts and its output', async function () {
    requireHelper(this);
    await waitFor('a connection to the helper', () => api.helper.state.kind === 'connected');
    const node = (group('group:bundles')?.children ?? []).find(
      (n) => n.label === 'e2e-client/hello',
    );
    assert.ok(node, 'the hello bundle is in the view');
    const info = await vscode.commands.executeCommand<ContainerInfo | undefined>(
      'bindery.launch',
      node,
    );
    assert.ok(info, 'the launch command returns the container');
    launched.push(info.id);
    assert.equal(info.status, 'running');
    assert.ok(info.pid && info.pid > 1, 'it has a host pid');
    const data = info.mounts.find((m) => m.destination === '/data');
    assert.equal(data?.state, 'applied');

    // The view: under "Running", with the mounts as children.
    const row = await waitFor('the container under Running', () =>
      group('group:running')?.children?.find((n) => n.container?.id === info.id),
    );
    assert.equal(row.contextValue, 'container.running');
    assert.deepEqual(row.icon, { id: 'vm-running', color: 'charts.green' });
    const rows = (row.children ?? []).flatMap((g) => [g, ...(g.children ?? [])]);
    const dataRow = rows.find((n) => n.kind === 'mount' && n.label === '/data');
    assert.equal(dataRow?.description, 'tmpfs · applied');
    assert.match(dataRow?.tooltip ?? '', /effective options: `ro,nosuid,nodev\b[^`]*size=1m`/);

    // Clicking a mount selects its entry in config.json; clicking a network file opens it.
    assert.ok(dataRow?.command, 'the /data row has a click action');
    await vscode.commands.executeCommand(dataRow.command.command, ...dataRow.command.args);
    const specEditor = vscode.window.activeTextEditor;
    assert.equal(specEditor?.document.uri.fsPath, hello.specPath);
    assert.equal(
      specEditor?.selection.start.line,
      lineOf(hello.text, '"destination": "/data"') - 1,
    );
    assert.match(
      specEditor?.document.getText(specEditor.selection) ?? '',
      /^\{[^]*"\/data"[^]*\}$/,
    );
    const hostnameRow = rows.find((n) => n.kind === 'network-file' && n.label === '/etc/hostname');
    assert.ok(hostnameRow?.command, 'the /etc/hostname row opens the file');
    await vscode.commands.executeCommand(hostnameRow.command.command, ...hostnameRow.command.args);
    assert.equal(vscode.window.activeTextEditor?.document.getText().trim(), 'bindery-e2e');

    // The output streamed from the helper's notifications.
    await waitFor('the container output', () =>
      api.output.text(info.id).includes('hello from bindery'),
    );
    assert.match(api.output.text(info.id), /to stderr/);

    // The actual mount table, read from the container's /proc/PID/mountinfo.
    const table = await waitFor('the live mount table', () => api.live.get(info.id));
    const actual = table.entries.filter((e) => e.mountPoint === '/data').pop();
    assert.equal(actual?.fstype, 'tmpfs');
    assert.ok(
      actual?.options.includes('ro') &&
        actual.options.includes('nosuid') &&
        actual.options.includes('nodev'),
    );

    // Each mount entry of the open spec shows its live state.
    const doc = await vscode.workspace.openTextDocument(hello.specPath);
    await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    const entryLine = lineOf(hello.text, '"destination": "/data"') - 1;
    const lens = await waitFor('a CodeLens on the /data entry', async () => {
      const lenses = await vscode.commands.executeCommand<vscode.CodeLens[]>(
        'vscode.executeCodeLensProvider',
        doc.uri,
      );
      return lenses?.find(
        (l) => l.range.start.line === entryLine && l.command?.title.includes('mounted'),
      );
    });
    assert.match(lens.command?.title ?? '', /mounted ro,nosuid,nodev · tmpfs/);
    // Everything is mounted as asked: no "differs" warning on any entry.
    assert.deepEqual(api.diagnostics.collection.get(doc.uri) ?? [], []);

    // For the README and the runner: the workbench with the view open, the container running,
    // the spec scrolled to the /data entry with its lens, and the output below.
    await api.view.view.reveal(row, { expand: true, focus: false, select: true });
    await vscode.commands.executeCommand('bindery.showOutput', info.id);
    const editor = await vscode.window.showTextDocument(doc, vscode.ViewColumn.One);
    editor.revealRange(
      new vscode.Range(entryLine, 0, entryLine, 0),
      vscode.TextEditorRevealType.InCenter,
    );
    await requestScreenshot('launched');
    await requestScreenshot('readme');
    await sleep(2000);
  });

  it('shows the actual mount table and the mount plan as read-only documents', async function () {
    requireHelper(this);
    const id = launched[0];
    assert.ok(id, 'a container is running');
    const table = await vscode.commands.executeCommand<vscode.TextEditor>(
      'bindery.showMountTable',
      id,
    );
    const tableText = table.document.getText();
    assert.equal(table.document.uri.scheme, 'bindery-plan');
    assert.match(tableText, /^\/data\s+tmpfs\s+tmpfs\s+ro,nosuid,nodev/m);
    assert.match(tableText, /Every mount entry of config.json is mounted as asked/);

    const plan = await vscode.commands.executeCommand<vscode.TextEditor>(
      'bindery.showPlan',
      vscode.Uri.file(hello.specPath),
    );
    const planText = plan.document.getText();
    assert.match(planText, /mount\("tmpfs", "\/data", "tmpfs", /);
    assert.match(planText, /← mounts\[6\]/);
    assert.match(planText, /pivot_root/);
  });

  it('warns on the entry when the running container got another mount than the spec asked for', async function () {
    requireHelper(this);
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'ro,size=1m', 'bindery-e2e-ro', readOnlySource]);
    readOnlyMounted = true;
    const info = await vscode.commands.executeCommand<ContainerInfo | undefined>(
      'bindery.launch',
      readOnly.dir,
    );
    assert.ok(info, 'the launch command returns the container');
    launched.push(info.id);
    assert.equal(info.status, 'running');
    const uri = vscode.Uri.file(readOnly.specPath);
    const warning = await waitFor('the mounted-differs warning', () =>
      api.diagnostics.collection.get(uri)?.find((d) => d.message.includes('asked rw, mounted ro')),
    );
    assert.equal(warning.severity, vscode.DiagnosticSeverity.Warning);
    assert.equal(warning.source, 'bindery');
    assert.equal(warning.range.start.line, lineOf(readOnly.text, '"destination": "/srv"') - 1);

    await vscode.commands.executeCommand('bindery.teardown', info.id, { confirm: false });
    await waitFor(
      'the warning to go with the container',
      () => (api.diagnostics.collection.get(uri) ?? []).length === 0,
    );
  });

  it('turns a mount the kernel rejects into a diagnostic on that entry, and leaves nothing mounted', async function () {
    requireHelper(this);
    const before = (await api.helper.request(ListRequest, undefined)).map((c) => c.id);
    const result = await vscode.commands.executeCommand<ContainerInfo | undefined>(
      'bindery.launch',
      badMount.dir,
    );
    assert.equal(result, undefined, 'the launch failed');
    const uri = vscode.Uri.file(badMount.specPath);
    const diagnostic = await waitFor('the launch-failure diagnostic', () =>
      api.diagnostics.collection.get(uri)?.find((d) => codeOf(d) === 'EINVAL'),
    );
    assert.equal(diagnostic.source, 'bindery');
    assert.equal(diagnostic.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(
      diagnostic.range.start.line,
      lineOf(badMount.text, '"destination": "/scratch"') - 1,
      'on the /scratch entry',
    );
    assert.match(diagnostic.message, /mounts\[6\]/);
    assert.match(diagnostic.message, /EINVAL/);
    // What the user sees: the entry underlined in the spec, the reason in Problems.
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    const editor = await vscode.window.showTextDocument(uri);
    editor.revealRange(diagnostic.range, vscode.TextEditorRevealType.InCenter);
    await vscode.commands.executeCommand('workbench.actions.view.problems');
    await requestScreenshot('mount-failed');

    // The helper keeps nothing of it: no container, nothing mounted from the bundle.
    const after = await api.helper.request(ListRequest, undefined);
    assert.deepEqual(
      after.filter((c) => !before.includes(c.id)).map((c) => c.id),
      [],
    );
    assert.ok(!after.some((c) => c.bundle.startsWith(badMount.dir)));
    assert.deepEqual(hostMountsMentioning(badMount.dir), []);
  });

  it('shows the findings of a plan the helper refuses, on the entry, and launches nothing', async function () {
    requireHelper(this);
    const before = (await api.helper.request(ListRequest, undefined)).map((c) => c.id);
    // The spec is not open in an editor, so the language server has said nothing about it yet.
    const result = await vscode.commands.executeCommand<ContainerInfo | undefined>(
      'bindery.launch',
      refused.dir,
    );
    assert.equal(result, undefined, 'the launch was refused');
    const uri = vscode.Uri.file(refused.specPath);
    const finding = await waitFor('the bind-source-not-found finding', () =>
      api.diagnostics.collection.get(uri)?.find((d) => codeOf(d) === 'bind-source-not-found'),
    );
    assert.equal(finding.severity, vscode.DiagnosticSeverity.Error);
    assert.equal(
      finding.range.start.line,
      lineOf(refused.text, '"source": "/nonexistent/bindery-e2e"'),
    );
    const after = (await api.helper.request(ListRequest, undefined)).map((c) => c.id);
    assert.deepEqual(
      after.filter((id) => !before.includes(id)),
      [],
    );
  });

  it('stop and tear down update the tree', async function () {
    requireHelper(this);
    const id = launched[0];
    const stopped = await vscode.commands.executeCommand<ContainerInfo>('bindery.stop', id);
    assert.equal(stopped.status, 'stopped');
    assert.equal(stopped.exitCode, 0, 'the process ended on SIGTERM with its own exit code');
    await waitFor('the goodbye in the output', () => api.output.text(id).includes('bye'));
    const row = await waitFor('the container under Stopped', () =>
      group('group:stopped')?.children?.find((n) => n.container?.id === id),
    );
    assert.equal(row.contextValue, 'container.stopped');
    assert.equal(row.description, 'exit 0');
    assert.equal(row.children?.find((n) => n.kind === 'process')?.description, 'exit 0 → Output');
    assert.equal(
      group('group:running')?.children?.some((n) => n.container?.id === id) ?? false,
      false,
    );

    await vscode.commands.executeCommand('bindery.teardown', id);
    await waitFor('the container to leave the view', () => containerRow(id) === undefined);
    // And the workbench's own tree: hiding the view while it still draws a removed row that
    // had the focus makes the next show fail inside VS Code ("Data tree node not found").
    if (uiDriven()) await waitForUi(rowSelector(id), true);
    const list = await api.helper.request(ListRequest, undefined);
    assert.ok(!list.some((c) => c.id === id), 'the helper no longer knows it');
    assert.deepEqual(hostMountsMentioning(hello.dir), []);
  });

  it('opens a terminal container as an interactive terminal: typing, output, resize, exit, close', async function () {
    requireHelper(this);
    await waitFor('a connection to the helper', () => api.helper.state.kind === 'connected');
    // The view finds bundles once shown (as when this case runs alone).
    await vscode.commands.executeCommand('workbench.view.extension.bindery');
    const node = await waitFor('the tty bundle in the view', () =>
      (group('group:bundles')?.children ?? []).find((n) => n.label === 'e2e-client/tty'),
    );
    const info = await vscode.commands.executeCommand<ContainerInfo | undefined>('bindery.launch', node);
    assert.ok(info, 'launched');
    launched.push(info.id);
    assert.equal(info.terminal, true);
    assert.equal(info.bundle, tty.dir);
    const terminal = await waitFor('its terminal panel', () =>
      vscode.window.terminals.find((t) => t.name === `Bindery: ${info.id}`),
    );
    const shown = () => api.output.text(info.id);
    await waitFor('the prompt', () => shown().includes('tty$ '));
    // Typed into the panel: the shell echoes it and runs it.
    terminal.sendText('echo typed-$((6*7))');
    await waitFor('the command’s output', () => /\r\ntyped-42\r\n/.test(shown()));
    // The panel's size is the terminal's: what VS Code gave the Pseudoterminal is what
    // `stty size` says inside; then a resize as VS Code sends one (setDimensions) reaches it.
    const pty = await waitFor('the panel’s size from VS Code', () =>
      api.terminal(info.id)?.dimensions ? api.terminal(info.id) : undefined,
    );
    const sttySize = async (what: string) => {
      const mark = shown().length;
      terminal.sendText('stty size');
      const m = await waitFor(what, () => /\r\n(\d+) (\d+)\r\n/.exec(shown().slice(mark)) ?? undefined);
      return { rows: Number(m[1]), columns: Number(m[2]) };
    };
    const given = pty.dimensions!;
    assert.deepEqual(await sttySize('the size'), { rows: given.rows, columns: given.columns });
    const bigger = { rows: given.rows + 7, columns: given.columns + 11 };
    pty.setDimensions(bigger);
    assert.deepEqual(await sttySize('the new size'), bigger, 'the resize reached the container');
    // Ctrl-C reaches the foreground job through the terminal.
    terminal.sendText('sleep 60; echo not-interrupted');
    await sleep(500);
    terminal.sendText('\x03', false);
    terminal.sendText('echo back-$((1+1))');
    await waitFor('the prompt after Ctrl-C', () => /\r\nback-2\r\n/.test(shown()));
    assert.doesNotMatch(shown(), /\r\nnot-interrupted/);
    await requestScreenshot('terminal');
    // exit: the container stops with its code, the panel says so and closes on a key.
    terminal.sendText('exit 3');
    const row = await waitFor('the container under Stopped', () =>
      group('group:stopped')?.children?.find((n) => n.container?.id === info.id),
    );
    assert.equal(row.description, 'exit 3');
    const closed = new Promise<void>((resolve) =>
      vscode.window.onDidCloseTerminal((t) => t === terminal && resolve()),
    );
    terminal.sendText('x', false);
    await closed;
    await vscode.commands.executeCommand('bindery.teardown', info.id);

    // Closing the panel of a running container hangs up: the container is stopped.
    const again = await vscode.commands.executeCommand<ContainerInfo | undefined>('bindery.launch', node);
    assert.ok(again);
    launched.push(again.id);
    const panel = await waitFor('its terminal panel', () =>
      vscode.window.terminals.find((t) => t.name === `Bindery: ${again.id}`),
    );
    await waitFor('the prompt', () => api.output.text(again.id).includes('tty$ '));
    panel.dispose();
    await waitFor('the container under Stopped after the panel closed', () =>
      group('group:stopped')?.children?.find((n) => n.container?.id === again.id),
    );
    await vscode.commands.executeCommand('bindery.teardown', again.id);
  });

  it('does not redraw the view while it is hidden, and catches up when shown', async function () {
    requireHelper(this);
    await vscode.commands.executeCommand('workbench.view.explorer');
    await waitFor('the Containers view to be hidden', () => !api.view.visible);
    let redraws = 0;
    const counting = api.view.onDidChangeTreeData(() => redraws++);
    try {
      const info = await vscode.commands.executeCommand<ContainerInfo | undefined>(
        'bindery.launch',
        hello.dir,
      );
      assert.ok(info, 'launched while the view is hidden');
      launched.push(info.id);
      await waitFor(
        'the store to know it runs',
        () => api.store.get(info.id)?.status === 'running',
      );
      assert.equal(redraws, 0, 'no redraw while hidden');
      await vscode.commands.executeCommand('workbench.view.extension.bindery');
      await waitFor('one redraw once shown', () => redraws > 0);
      assert.ok(containerRow(info.id), 'the container is in the view');
      await vscode.commands.executeCommand('bindery.teardown', info.id, { confirm: false });
      await waitFor('the container to leave the view', () => containerRow(info.id) === undefined);
    } finally {
      counting.dispose();
    }
  });

  it('explains in the view why the helper is unreachable', async () => {
    const config = vscode.workspace.getConfiguration('bindery');
    const original = config.inspect<string>('helper.socketPath')?.workspaceValue;
    const missing = join(root, 'no-such-helper.sock');
    await config.update('helper.socketPath', missing, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the helper to be unreachable', () => api.helper.state.kind === 'unreachable');
      const state = api.helper.state;
      assert.ok(state.kind === 'unreachable');
      assert.equal(state.problem.code, 'no-socket');
      const first = await waitFor('the problem row', () =>
        roots().find((n) => n.kind === 'problem'),
      );
      assert.equal(roots()[0].id, first.id, 'the reason comes first');
      assert.equal(first.label, 'Helper unreachable: no socket');
      assert.ok(
        first.children?.[0].label.includes(`There is no socket at ${missing}`),
        first.children?.[0].label,
      );
      const remedies = (first.children ?? []).map((c) => c.description ?? c.label);
      assert.ok(
        remedies.includes('sudo bindery daemon'),
        `offers to start the helper (${remedies.join(', ')})`,
      );
      assert.equal(
        api.view.view.message,
        `Helper unreachable: no socket at ${missing}: the helper is not running`,
      );
      assert.match(api.statusBar.item.text, /unreachable/);
      await requestScreenshot('unreachable');
    } finally {
      await config.update('helper.socketPath', original, vscode.ConfigurationTarget.Workspace);
    }
    if (socket)
      await waitFor('the connection to come back', () => api.helper.state.kind === 'connected');
  });

  it('refuses a helper that speaks another protocol version, and says which side to update', async () => {
    // A peer that answers `version` like a helper from an older major release.
    const oldHelper = join(root, 'old-helper.sock');
    const server = createServer((s) => {
      const c = createMessageConnection(new SocketMessageReader(s), new SocketMessageWriter(s));
      c.onRequest(VersionRequest, () => ({ protocol: '0.9.0', helper: '0.0.1', peerUid: 0 }));
      c.listen();
    });
    await new Promise<void>((resolve) => server.listen(oldHelper, resolve));
    const config = vscode.workspace.getConfiguration('bindery');
    const original = config.inspect<string>('helper.socketPath')?.workspaceValue;
    await config.update('helper.socketPath', oldHelper, vscode.ConfigurationTarget.Workspace);
    try {
      await waitFor('the version check', () => api.helper.state.kind === 'unreachable');
      const state = api.helper.state;
      assert.ok(state.kind === 'unreachable');
      assert.equal(state.problem.code, 'version-mismatch');
      assert.match(state.problem.detail, /Update the helper/);
      assert.equal(
        roots().find((n) => n.kind === 'problem')?.label,
        'Helper unreachable: protocol version mismatch',
      );
    } finally {
      await config.update('helper.socketPath', original, vscode.ConfigurationTarget.Workspace);
      server.close();
    }
    if (socket)
      await waitFor('the connection to come back', () => api.helper.state.kind === 'connected');
  });
});
