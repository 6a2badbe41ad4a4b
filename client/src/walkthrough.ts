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
      editSpec(bundles, breakTmpfsOwner),
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
}

/** `plan` gives the edit, or says why this spec has nothing it can work on. */
async function editSpec(
  bundles: BundleFinder,
  plan: (doc: vscode.TextDocument) => SpecEdit | string,
): Promise<boolean> {
  const editor = await openExample(bundles);
  if (!editor) return false;
  const edit = plan(editor.document);
  if (typeof edit === 'string') {
    void vscode.window.showInformationMessage(`Bindery: ${edit}`);
    return false;
  }
  const done = await editor.edit((b) => b.replace(edit.range, edit.newText));
  const start = edit.range.start;
  const end = editor.document.positionAt(editor.document.offsetAt(start) + edit.newText.length);
  editor.selection = new vscode.Selection(start, end);
  editor.revealRange(new vscode.Range(start, end), vscode.TextEditorRevealType.InCenter);
  return done;
}

function nodeAt(doc: vscode.TextDocument, path: jsonc.JSONPath): jsonc.Node | undefined {
  const tree = jsonc.parseTree(doc.getText(), [], { allowTrailingComma: true });
  return tree ? jsonc.findNodeAtLocation(tree, path) : undefined;
}

function nodeRange(doc: vscode.TextDocument, node: jsonc.Node): vscode.Range {
  return new vscode.Range(doc.positionAt(node.offset), doc.positionAt(node.offset + node.length));
}

/** The spec's mounts, /tmp first: the entry the walkthrough's text talks about. */
function tmpFirst(doc: vscode.TextDocument): SpecMountEntry[] {
  const mounts = findSpecMounts(doc.getText());
  return [...mounts.filter((m) => m.destination === '/tmp'), ...mounts];
}

/**
 * The option `pick` chooses in the first mount that has one (the /tmp entry first),
 * replaced by `value`; `missing` when no mount has one.
 */
function replaceOption(
  doc: vscode.TextDocument,
  pick: (m: SpecMountEntry) => number,
  value: string,
  missing: string,
): SpecEdit | string {
  for (const m of tmpFirst(doc)) {
    const i = pick(m);
    const node = i >= 0 ? nodeAt(doc, ['mounts', m.index, 'options', i]) : undefined;
    if (node) return { range: nodeRange(doc, node), newText: JSON.stringify(value) };
  }
  return missing;
}

/** "nosuid" → "nosiud": an unknown option, with "did you mean" and a quick fix. */
const misspellOption = (doc: vscode.TextDocument) =>
  replaceOption(
    doc,
    (m) => m.options.indexOf('nosuid'),
    'nosiud',
    'no mount of this spec has a "nosuid" option to misspell.',
  );

/**
 * An owner the kernel refuses, added to the /tmp tmpfs: uid=4294967295 is well-formed and
 * the plan accepts it, but (uid_t)-1 is never a valid id, which only the kernel checks; so
 * the spec looks fine until mount(2) answers EINVAL at launch.
 */
function breakTmpfsOwner(doc: vscode.TextDocument): SpecEdit | string {
  for (const m of tmpFirst(doc)) {
    if (m.type !== 'tmpfs') continue;
    const last = nodeAt(doc, ['mounts', m.index, 'options'])?.children?.at(-1);
    if (!last) continue;
    const at = doc.positionAt(last.offset + last.length);
    return { range: new vscode.Range(at, at), newText: `, ${JSON.stringify(BROKEN_OWNER)}` };
  }
  return 'no tmpfs mount of this spec has options to add to.';
}

const BROKEN_OWNER = 'uid=4294967295';
