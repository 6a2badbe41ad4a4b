// A newcomer's first hour, driven with the mouse where a user would use it (the code-server
// runner clicks in the workbench page; see test/e2e/ui.ts): launching with unsaved edits,
// a refused launch, the container's grouped children, the status bar after an exit,
// teardown and clearing, and the walkthrough down to a failed mount on its entry.
// What the user reads is read from the page too: the tree rows, the status bar, dialogs,
// notifications, the Problems and Output panels.
import * as assert from 'node:assert/strict';
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as vscode from 'vscode';
import { ListRequest, StopRequest, TeardownRequest } from '../../../helper/src/protocol';
import { requestScreenshot } from '../../../test/e2e/screenshot';
import { click, read, rightClick, texts, uiDriven, waitForUi } from '../../../test/e2e/ui';
import type { BinderyApi } from '../../src/extension';
import { containerCounts } from '../../src/treeModel';
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
import {
  DIALOG,
  dialogButton,
  exactly,
  inlineAction,
  OUTPUT,
  PROBLEMS,
  row,
  STATUS_BAR_ITEM,
  toast,
  VIEW,
} from './workbenchSelectors';

/** Puts every edited document back as it is on disk. */
async function revertEdits(): Promise<void> {
  for (const doc of vscode.workspace.textDocuments.filter((d) => d.isDirty)) {
    await vscode.window.showTextDocument(doc);
    await vscode.commands.executeCommand('workbench.action.files.revert');
  }
}

interface Row {
  level: number;
  label: string;
  description: string;
}

/** The rows of the Containers view as shown: depth, label and description. */
async function visibleRows(): Promise<Row[]> {
  // One read of every row at one instant: the list may re-render at any time (a container
  // appears, a row expands), so separate reads of levels, labels and descriptions could
  // describe different lists.
  const rows = await read(`${VIEW} .monaco-list-row`, ['aria-level'], {
    label: '.label-name',
    description: '.label-description',
  });
  return rows.map((r) => ({
    level: Number(r['aria-level']),
    label: r.label ?? '',
    description: r.description ?? '',
  }));
}

/** The rows under `label` (deeper than it, up to the next row at its depth). */
function subtree(rows: Row[], label: string): Row[] {
  const at = rows.findIndex((r) => r.label === label);
  assert.ok(at >= 0, `row ${label} is shown (rows: ${rows.map((r) => r.label).join(', ')})`);
  const out: Row[] = [];
  for (const r of rows.slice(at + 1)) {
    if (r.level <= rows[at].level) break;
    out.push(r);
  }
  return out;
}

let api: BinderyApi;
let root: string;
let saved: TestBundle;
let refused: TestBundle;
let grouped: TestBundle;
let quick: TestBundle;

describe('A newcomer, with the mouse', function () {
  before(async function () {
    // Only the code-server runner can move the mouse; CI always runs there.
    if (!uiDriven() || !process.env.BINDERY_E2E_SOCKET) this.skip();
    const extension = vscode.extensions.getExtension<BinderyApi>('bindery.bindery');
    assert.ok(extension);
    api = await extension.activate();
    const folder = vscode.workspace.workspaceFolders?.[0];
    assert.ok(folder);
    root = join(folder.uri.fsPath, 'e2e-newcomer');
    mkdirSync(root, { recursive: true });
    saved = writeBundle(
      root,
      'saved',
      spec(['/bin/sh', '-c', `echo from the saved version; ${RUN_UNTIL_TERM}`], STANDARD_MOUNTS),
    );
    refused = writeBundle(root, 'refused', missingBindSpec('/nonexistent/newcomer'));
    grouped = writeBundle(
      root,
      'grouped',
      spec(
        ['/bin/sh', '-c', RUN_UNTIL_TERM],
        [
          ...STANDARD_MOUNTS,
          {
            destination: '/scratch',
            type: 'tmpfs',
            source: 'tmpfs',
            options: ['nosuid', 'size=1m'],
          },
        ],
      ),
    );
    quick = writeBundle(root, 'quick', spec(['/bin/sh', '-c', 'echo done'], STANDARD_MOUNTS));
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    await vscode.commands.executeCommand('workbench.view.extension.bindery');
    await waitFor('the helper', () => api.helper.state.kind === 'connected');
    // The bundles were written after the view's first scan. The file watcher would bring them
    // in, but code-server's watcher can lag far behind on a busy machine, and the watcher is
    // not what this suite is about: refresh as a user would (the view's Refresh button).
    await vscode.commands.executeCommand('bindery.refresh');
    await waitFor('the new bundles in the view', () =>
      [saved, refused, grouped, quick].every((b) =>
        api.bundles.list().some((x) => x.specPath === b.specPath),
      ),
    );
    await waitForUi(row('e2e-newcomer/quick'));
  });

  beforeEach(async () => {
    // A test that failed half-way may have left an edit: closing its editor would ask.
    await revertEdits();
    await vscode.commands.executeCommand('notifications.clearAll');
    await vscode.commands.executeCommand('workbench.view.extension.bindery');
  });

  after(async function () {
    this.timeout(60000);
    if (!api) return;
    await vscode.workspace
      .getConfiguration('bindery')
      .update('saveBeforeLaunch', undefined, vscode.ConfigurationTarget.Global);
    for (const c of await api.helper.request(ListRequest, undefined)) {
      if (!c.bundle.startsWith(root) && !c.bundle.includes('/hello')) continue;
      await api.helper.request(StopRequest, { id: c.id, timeoutMs: 1000 }).catch(() => undefined);
      await api.helper.request(TeardownRequest, { id: c.id }).catch(() => undefined);
    }
    await revertEdits();
    await vscode.commands.executeCommand('workbench.action.closeAllEditors');
    rmSync(root, { recursive: true, force: true });
  });

  /** Containers launched from `bundle` that were not there in `before`. */
  function newContainers(bundle: TestBundle, before: string[]) {
    return api.store.all().filter((c) => c.bundle.startsWith(bundle.dir) && !before.includes(c.id));
  }

  it('asks before launching unsaved changes, and launches the saved version without saving', async function () {
    this.timeout(120000);
    const doc = await vscode.workspace.openTextDocument(saved.specPath);
    const editor = await vscode.window.showTextDocument(doc);
    const at = doc.getText().indexOf('from the saved version');
    await editor.edit((b) =>
      b.replace(
        new vscode.Range(doc.positionAt(at), doc.positionAt(at + 'from the saved'.length)),
        'from the edited',
      ),
    );
    assert.ok(doc.isDirty);
    const before = api.store.all().map((c) => c.id);

    // ▶ on the bundle's row: the question, with the three ways out.
    await click(...inlineAction('e2e-newcomer/saved', 'Launch Bundle'));
    await waitForUi(DIALOG);
    const [question] = await texts(`${DIALOG} .dialog-message-text`);
    assert.match(question, /e2e-newcomer\/saved\/config.json has unsaved changes/);
    const buttons = await texts(`${DIALOG} .monaco-button`);
    for (const b of ['Save and Launch', 'Launch Saved Version', 'Cancel'])
      assert.ok(buttons.includes(b), `${b} is offered (${buttons.join(', ')})`);
    await requestScreenshot('unsaved-prompt');

    // Cancel: nothing launched, nothing saved.
    await click(dialogButton('Cancel'));
    await waitForUi(DIALOG, true);
    await sleep(500);
    assert.deepEqual(newContainers(saved, before), []);
    assert.ok(doc.isDirty);

    // Launch Saved Version: the file on disk runs, the edit stays unsaved.
    await click(...inlineAction('e2e-newcomer/saved', 'Launch Bundle'));
    await click(dialogButton('Launch Saved Version'));
    const [launched] = await waitFor(
      'the container of the saved version',
      () =>
        newContainers(saved, before).filter((c) => c.status === 'running').length === 1 &&
        newContainers(saved, before),
    );
    await waitFor('its output', () =>
      api.output.text(launched.id).includes('from the saved version'),
    );
    assert.ok(!api.output.text(launched.id).includes('from the edited version'));
    assert.equal(readFileSync(saved.specPath, 'utf8'), saved.text, 'the file was not saved');
    assert.ok(doc.isDirty, 'the edit is still there, unsaved');

    // The output opened by itself as the launch started, in the Output panel.
    await waitForUi(`${OUTPUT} .view-lines:has-text("from the saved version")`);
    // The process row says where it went.
    await click(row(launched.id));
    const process = await waitFor('the Process row', async () =>
      subtree(await visibleRows(), launched.id).find((r) => r.label === 'Process'),
    );
    assert.match(process?.description ?? '', /^pid \d+ → Output$/);
    await click(row(launched.id)); // collapse again

    // "Always Launch Saved" is remembered: the next launch does not ask.
    await click(...inlineAction('e2e-newcomer/saved', 'Launch Bundle'));
    await click(dialogButton('Always Launch Saved'));
    await waitFor('a second container', () => newContainers(saved, before).length === 2);
    assert.equal(vscode.workspace.getConfiguration('bindery').get('saveBeforeLaunch'), 'never');
    await click(...inlineAction('e2e-newcomer/saved', 'Launch Bundle'));
    await waitFor(
      'a third container, without a question',
      () => newContainers(saved, before).length === 3,
    );
    assert.deepEqual(await texts(DIALOG), [], 'no dialog');
    assert.equal(readFileSync(saved.specPath, 'utf8'), saved.text, 'still not saved');
    await vscode.workspace
      .getConfiguration('bindery')
      .update('saveBeforeLaunch', undefined, vscode.ConfigurationTarget.Global);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });

  it('refuses a spec with errors: a notification names the first, and Show Problems goes there', async () => {
    const before = (await api.helper.request(ListRequest, undefined)).map((c) => c.id);
    await click(...inlineAction('e2e-newcomer/refused', 'Launch Bundle'));
    const note = toast('refused cannot launch');
    await waitForUi(note);
    const [message] = await texts(`${note} .notification-list-item-message`);
    const errorLine = lineOf(refused.text, '"source": "/nonexistent/newcomer"');
    assert.match(message, new RegExp(`config.json line ${errorLine + 1}: .*/nonexistent/newcomer`));
    await click(`${note} .monaco-button${exactly('Show Problems')}`);

    // The Problems panel open, the spec open at the entry with the problem shown in place.
    await waitForUi(PROBLEMS);
    const editor = await waitFor(
      'the spec in the editor',
      () =>
        vscode.window.activeTextEditor?.document.uri.fsPath === refused.specPath &&
        vscode.window.activeTextEditor,
    );
    await waitForUi(`.marker-widget:has-text("/nonexistent/newcomer")`);
    assert.equal(editor.selection.active.line, errorLine);
    const [shown] = await texts('.marker-widget .descriptioncontainer');
    assert.match(shown, /bind source \/nonexistent\/newcomer does not exist/);
    // Once the language server has spoken about the open spec, the helper's copy of the same
    // finding goes: Problems lists it once.
    await waitFor(
      'one bind-source-not-found in Problems',
      () =>
        vscode.languages
          .getDiagnostics(editor.document.uri)
          .filter(
            (d) =>
              String(typeof d.code === 'object' ? d.code.value : d.code) ===
              'bind-source-not-found',
          ).length === 1,
    );
    await requestScreenshot('refused');
    const after = (await api.helper.request(ListRequest, undefined)).map((c) => c.id);
    assert.deepEqual(
      after.filter((id) => !before.includes(id)),
      [],
      'nothing launched',
    );
    await vscode.commands.executeCommand('workbench.action.closePanel');
  });

  it("groups a container's children (Process, Mounts, Network files) with no entry twice", async () => {
    const before = api.store.all().map((c) => c.id);
    await click(...inlineAction('e2e-newcomer/grouped', 'Launch Bundle'));
    const [c] = await waitFor(
      'the grouped container running',
      () =>
        newContainers(grouped, before).some((x) => x.status === 'running') &&
        newContainers(grouped, before),
    );
    await click(row(c.id));
    await waitForUi(row('Network files'));
    await click(row('Network files'));
    await waitForUi(row('/etc/hosts'));

    const rows = subtree(await visibleRows(), c.id);
    const level = rows[0].level;
    assert.deepEqual(
      rows.filter((r) => r.level === level).map((r) => r.label),
      ['Process', 'Mounts', 'Network files'],
    );
    const labels = rows.filter((r) => r.level > level).map((r) => r.label);
    assert.deepEqual(
      labels.filter((l, i) => labels.indexOf(l) !== i),
      [],
      `no row twice (${labels.join(', ')})`,
    );
    const mounts = subtree(rows, 'Mounts').map((r) => r.label);
    for (const f of ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf']) {
      assert.ok(!mounts.includes(f), `${f} is not listed as a mount`);
      assert.ok(
        subtree(rows, 'Network files').some((r) => r.label === f),
        `${f} is a network file`,
      );
    }
    assert.ok(mounts.includes('/scratch') && mounts.includes('/proc'));
    // Short descriptions: type and state; the rest is in the tooltip.
    const scratch = rows.find((r) => r.label === '/scratch');
    assert.equal(scratch?.description, 'tmpfs · applied');
    assert.match(rows.find((r) => r.label === 'Mounts')?.description ?? '', /^\d+$/);
    await click(row('/scratch')); // the click reveals its entry …
    const spec = await waitFor(
      'the /scratch entry in the spec',
      () =>
        vscode.window.activeTextEditor?.document.uri.fsPath === grouped.specPath &&
        vscode.window.activeTextEditor,
    );
    assert.equal(spec.selection.start.line, lineOf(grouped.text, '"destination": "/scratch"') - 1);
    // … and the details document has everything, from the row's context menu.
    await rightClick(row('/scratch'));
    await click(`.context-view .action-label${exactly('Show Container Details')}`);
    const details = await waitFor('the details document', () =>
      vscode.window.visibleTextEditors.find((e) =>
        e.document.uri.path.endsWith(`/${c.id}/details.md`),
      ),
    );
    const text = details.document.getText();
    assert.match(text, /^### \/scratch — applied$/m);
    assert.match(text, /^- effective options: `[^`]*size=1m`$/m);
    assert.match(
      text,
      new RegExp(
        `spec entry: mounts\\[6\\], config.json line ${lineOf(grouped.text, '"destination": "/scratch"')}`,
      ),
    );
    await requestScreenshot('grouped');
  });

  it('asks before tearing down a running container', async () => {
    const [c] = api.store.all().filter((x) => x.bundle.startsWith(grouped.dir));
    assert.ok(c && c.status === 'running');
    await click(...inlineAction(c.id, 'Tear Down Container'));
    await waitForUi(DIALOG);
    const [question] = await texts(`${DIALOG} .dialog-message-text`);
    assert.match(question, new RegExp(`Tear down ${c.id}\\? It is running \\(pid \\d+\\)`));
    await click(dialogButton('Cancel'));
    await waitForUi(DIALOG, true);
    await sleep(300);
    assert.equal(api.store.get(c.id)?.status, 'running', 'Cancel keeps it running');

    await click(...inlineAction(c.id, 'Tear Down Container'));
    await click(dialogButton('Tear Down'));
    await waitForUi(row(c.id), true);
    const list = await api.helper.request(ListRequest, undefined);
    assert.ok(!list.some((x) => x.id === c.id), 'the helper no longer has it');
  });

  it('says the same in the status bar as in the tree after a container exits', async () => {
    const before = api.store.all().map((c) => c.id);
    await click(...inlineAction('e2e-newcomer/quick', 'Launch Bundle'));
    const [c] = await waitFor(
      'the quick container to exit',
      () =>
        newContainers(quick, before).some((x) => x.status === 'stopped') &&
        newContainers(quick, before),
    );
    assert.equal(c.exitCode, 0);
    await waitForUi(`${row(c.id)}:has-text("exit 0")`);
    const expected = `Bindery: ${containerCounts(api.store.all())}`;
    await waitForUi(`${STATUS_BAR_ITEM}:has-text(${JSON.stringify(expected)})`);
    const [statusText] = await texts(STATUS_BAR_ITEM);
    // The tree's groups, as shown ("Running 2", "Stopped 1" …), say the same once drawn.
    await waitFor(`the tree's groups to read "${statusText.trim()}"`, async () => {
      const groups = (await visibleRows())
        .filter((r) => r.level === 1 && r.label !== 'Bundles')
        .map((r) => `${r.description} ${r.label.toLowerCase()}`);
      return statusText.trim() === `Bindery: ${groups.join(', ')}`;
    });
    const [{ 'aria-label': label }] = await read(STATUS_BAR_ITEM, ['aria-label']);
    assert.ok(label?.includes(`${c.id}: exit 0`), `the status bar names it as exited (${label})`);
    await requestScreenshot('status-bar');
  });

  it('clears every stopped container in one go', async () => {
    const running = api.store
      .all()
      .find((c) => c.bundle.startsWith(saved.dir) && c.status === 'running');
    assert.ok(running);
    await vscode.commands.executeCommand('bindery.stop', running.id);
    const stopped = api.store.all().filter((c) => c.status === 'stopped').length;
    assert.ok(stopped >= 2);
    // The tree has caught up (a click while it redraws lands on nothing).
    await waitForUi(`${row('Stopped')}[aria-label^="Stopped ${stopped},"]`);
    await click(...inlineAction('Stopped', 'Clear Stopped Containers'));
    await waitForUi(row('Stopped'), true);
    assert.ok(api.store.all().every((c) => c.status === 'running'));
    const list = await api.helper.request(ListRequest, undefined);
    assert.deepEqual(
      list.filter((c) => c.status !== 'running').map((c) => c.id),
      [],
      'the helper has none left either',
    );
  });

  it('walks a newcomer from the example to a failed mount on its entry', async function () {
    this.timeout(180000);
    const example = api.bundles.list().find((b) => b.name === 'hello');
    assert.ok(example, 'the workspace has the example bundle');
    const original = readFileSync(example.specPath, 'utf8');
    try {
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await vscode.commands.executeCommand('workbench.action.closePanel');
      await vscode.commands.executeCommand(
        'workbench.action.openWalkthrough',
        'bindery.bindery#bindery.firstHour',
        false,
      );
      const steps = await waitFor('the walkthrough steps', async () => {
        const t = await texts('.getting-started-step .step-title');
        return t.length >= 5 && t;
      });
      assert.deepEqual(steps.slice(0, 5), [
        'Open the example bundle',
        'See a diagnostic and fix it',
        'Launch it',
        'Inspect the mounts',
        'Break a mount and see the failure on the entry',
      ]);
      await requestScreenshot('walkthrough');

      // Step 1: the example opens.
      await click('.getting-started-step:has-text("Open the example bundle") .step-title');
      await click(`.getting-started-step.expanded .monaco-button${exactly('Open config.json')}`);
      await waitFor(
        'the example spec',
        () => vscode.window.activeTextEditor?.document.uri.fsPath === example.specPath,
      );

      // Step 2: a typo, its diagnostic, its quick fix.
      await vscode.commands.executeCommand(
        'workbench.action.openWalkthrough',
        'bindery.bindery#bindery.firstHour',
        false,
      );
      await click('.getting-started-step:has-text("See a diagnostic and fix it") .step-title');
      await click(`.getting-started-step.expanded .monaco-button${exactly('Misspell an option')}`);
      const uri = vscode.Uri.file(example.specPath);
      const typo = await waitFor('the unknown-option diagnostic', () =>
        vscode.languages
          .getDiagnostics(uri)
          .find(
            (d) =>
              String(typeof d.code === 'object' ? d.code.value : d.code) === 'unknown-mount-option',
          ),
      );
      assert.match(typo.message, /did you mean "nosuid"/);
      const actions = await vscode.commands.executeCommand<vscode.CodeAction[]>(
        'vscode.executeCodeActionProvider',
        uri,
        typo.range,
        vscode.CodeActionKind.QuickFix.value,
      );
      const fix = actions.find((a) => a.title === 'Change to "nosuid"');
      assert.ok(fix?.edit, 'the quick fix is offered');
      await vscode.workspace.applyEdit(fix.edit);
      await waitFor(
        'the diagnostic to go',
        () => !vscode.languages.getDiagnostics(uri).some((d) => d.message.includes('nosiud')),
      );

      // Step 5: break a mount, launch (saving when asked), follow Go to Entry.
      await vscode.commands.executeCommand(
        'workbench.action.openWalkthrough',
        'bindery.bindery#bindery.firstHour',
        false,
      );
      await click('.getting-started-step:has-text("Break a mount") .step-title');
      await click(`.getting-started-step.expanded .monaco-button${exactly('Break a mount')}`);
      const doc = await waitFor('the broken spec', () =>
        vscode.workspace.textDocuments.find(
          (d) => d.uri.fsPath === example.specPath && d.getText().includes('"uid=4294967295"'),
        ),
      );
      await click(...inlineAction('hello', 'Launch Bundle'));
      await click(dialogButton('Save and Launch'));
      const note = toast('hello failed to launch');
      await waitForUi(note);
      const [message] = await texts(`${note} .notification-list-item-message`);
      assert.match(message, /mounts\[\d+\] \(\/tmp\): mount failed with EINVAL/);
      assert.ok(!doc.isDirty, 'saved, as chosen');
      await vscode.commands.executeCommand('workbench.action.closeAllEditors');
      await click(`${note} .monaco-button${exactly('Go to Entry')}`);
      const editor = await waitFor(
        'the /tmp entry',
        () =>
          vscode.window.activeTextEditor?.document.uri.fsPath === example.specPath &&
          vscode.window.activeTextEditor,
      );
      const tmpLine = lineOf(editor.document.getText(), '"destination": "/tmp"');
      assert.ok(
        editor.selection.start.line <= tmpLine && editor.selection.end.line >= tmpLine,
        'the /tmp entry is selected',
      );
      const failure = api.diagnostics.collection.get(uri)?.find((d) => d.code === 'EINVAL');
      assert.ok(
        failure && failure.range.contains(new vscode.Position(tmpLine, 10)),
        'the failure is on the entry',
      );
      await requestScreenshot('walkthrough-failed-mount');
    } finally {
      writeFileSync(example.specPath, original);
    }
  });
});
