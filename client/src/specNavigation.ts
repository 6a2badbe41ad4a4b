// Taking the user to a place in a config.json: a mount entry (from the view, from "Go to
// Entry") or the range of a finding (from "Show Problems").
import * as vscode from 'vscode';
import type { Range } from '@bindery/plan';
import { toRange } from './mountDiagnostics';
import { findSpecMounts } from './specMounts';

/** Open the spec with `range` selected and in view. */
export async function revealInSpec(specPath: string, range: Range): Promise<vscode.TextEditor> {
  const editor = await vscode.window.showTextDocument(vscode.Uri.file(specPath), {
    preview: false,
  });
  const r = toRange(range);
  editor.selection = new vscode.Selection(r.start, r.end);
  editor.revealRange(r, vscode.TextEditorRevealType.InCenterIfOutsideViewport);
  return editor;
}

/** Open the spec with mounts[index] selected, as the text is now (edits moved it, maybe). */
export async function revealMountEntry(
  specPath: string,
  index: number,
): Promise<vscode.TextEditor | undefined> {
  const doc = await vscode.workspace.openTextDocument(vscode.Uri.file(specPath));
  const entry = findSpecMounts(doc.getText())[index];
  return entry ? revealInSpec(specPath, entry.range) : undefined;
}
