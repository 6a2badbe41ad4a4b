// The first-use walkthrough's buttons (contributes.walkthroughs, media in walkthrough/):
// open a bundle of the workspace, put a typo in it for the language server to catch, and
// break a mount in a way only the kernel notices, for the Containers view to show.
// The edits are left unsaved on purpose: the user sees them, can undo them, and decides.
import * as jsonc from 'jsonc-parser';
import * as vscode from 'vscode';
import type { BundleFinder } from './bundles';
import { findSpecMounts, type SpecMountEntry } from './specMounts';

export const WALKTHROUGH_ID = 'bindery.bindery#bindery.firstHour';
const SHOWN_KEY = 'bindery.walkthroughShown';

export function registerWalkthrough(bundles: BundleFinder): vscode.Disposable[] {
  return [
    vscode.commands.registerCommand('bindery.walkthrough.openExample', () => openExample(bundles)),
    vscode.commands.registerCommand('bindery.walkthrough.addTypo', () =>
      editSpec(bundles, misspellOption),
    ),
    vscode.commands.registerCommand('bindery.walkthrough.breakMount', () =>
      editSpec(bundles, breakTmpfsSize),
    ),
  ];
}

/** Once per profile, when the workspace has a bundle to try it on (and the user allows it). */
export async function openWalkthroughOnFirstUse(
  context: vscode.ExtensionContext,
  bundles: BundleFinder,
): Promise<void> {
  const wanted = vscode.workspace
    .getConfiguration('bindery')
    .get<boolean>('walkthrough.openOnFirstUse', true);
  if (!wanted || context.globalState.get<boolean>(SHOWN_KEY)) return;
  await bundles.ensureScanned();
  if (bundles.list().length === 0) return;
  await context.globalState.update(SHOWN_KEY, true);
  await vscode.commands.executeCommand('workbench.action.openWalkthrough', WALKTHROUGH_ID, false);
}

/** The example bundle (`hello`) when the workspace has it, else the first bundle. */
async function exampleSpec(bundles: BundleFinder): Promise<string | undefined> {
  await bundles.ensureScanned();
  const all = bundles.list();
  const pick =
    all.find((b) => b.name === 'hello') ?? all.find((b) => b.name.endsWith('/hello')) ?? all[0];
  if (!pick)
    void vscode.window.showInformationMessage(
      'Bindery: no bundle in this workspace. `npm start` in the Bindery repository opens one; any folder with a config.json that carries "ociVersion" and a rootfs is one.',
    );
  return pick?.specPath;
}

async function openExample(bundles: BundleFinder): Promise<vscode.TextEditor | undefined> {
  const spec = await exampleSpec(bundles);
  return spec ? vscode.window.showTextDocument(vscode.Uri.file(spec)) : undefined;
}

interface SpecEdit {
  range: vscode.Range;
  newText: string;
  /** Said when the spec has nothing this edit can work on. */
  missing?: string;
}

async function editSpec(
  bundles: BundleFinder,
  plan: (doc: vscode.TextDocument) => SpecEdit,
): Promise<boolean> {
  const editor = await openExample(bundles);
  if (!editor) return false;
  const edit = plan(editor.document);
  if (edit.missing) {
    void vscode.window.showInformationMessage(`Bindery: ${edit.missing}`);
    return false;
  }
  const done = await editor.edit((b) => b.replace(edit.range, edit.newText));
  const start = edit.range.start;
  const end = editor.document.positionAt(editor.document.offsetAt(start) + edit.newText.length);
  editor.selection = new vscode.Selection(start, end);
  editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenter);
  return done;
}

function optionNode(
  doc: vscode.TextDocument,
  mount: number,
  option: number,
): jsonc.Node | undefined {
  const tree = jsonc.parseTree(doc.getText(), [], { allowTrailingComma: true });
  return tree ? jsonc.findNodeAtLocation(tree, ['mounts', mount, 'options', option]) : undefined;
}

function nodeRange(doc: vscode.TextDocument, node: jsonc.Node): vscode.Range {
  return new vscode.Range(doc.positionAt(node.offset), doc.positionAt(node.offset + node.length));
}

/** The spec's mounts, /tmp first: the entry the walkthrough's text talks about. */
function tmpFirst(doc: vscode.TextDocument): SpecMountEntry[] {
  const mounts = findSpecMounts(doc.getText());
  return [...mounts.filter((m) => m.destination === '/tmp'), ...mounts];
}

/** "nosuid" → "nosiud": an unknown option, with "did you mean" and a quick fix. */
function misspellOption(doc: vscode.TextDocument): SpecEdit {
  for (const m of tmpFirst(doc)) {
    const i = m.options.indexOf('nosuid');
    const node = i >= 0 ? optionNode(doc, m.index, i) : undefined;
    if (node) return { range: nodeRange(doc, node), newText: '"nosiud"' };
  }
  return {
    range: new vscode.Range(0, 0, 0, 0),
    newText: '',
    missing: 'no mount of this spec has a "nosuid" option to misspell.',
  };
}

/**
 * A tmpfs size the kernel cannot read: the plan knows the option and cannot check its value,
 * so the spec looks fine until mount(2) answers EINVAL at launch.
 */
function breakTmpfsSize(doc: vscode.TextDocument): SpecEdit {
  for (const m of tmpFirst(doc)) {
    if (m.type !== 'tmpfs') continue;
    const i = m.options.findIndex((o) => o.startsWith('size='));
    const node = i >= 0 ? optionNode(doc, m.index, i) : undefined;
    if (node) return { range: nodeRange(doc, node), newText: '"size=lots"' };
  }
  return {
    range: new vscode.Range(0, 0, 0, 0),
    newText: '',
    missing: 'no tmpfs mount of this spec has a size= option to break.',
  };
}
