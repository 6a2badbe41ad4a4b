// A launch reads config.json from disk, so a spec with unsaved edits needs a decision: save
// and launch, or launch what is saved. We never save without asking (the file may be the
// repository's own), unless the user told us to remember "always save".
import * as vscode from 'vscode';

/** `bindery.saveBeforeLaunch`: like VS Code's `task.saveBeforeRun`. */
export type SaveBeforeLaunch = 'prompt' | 'always' | 'never';

export const SAVE_AND_LAUNCH = 'Save and Launch';
export const LAUNCH_SAVED = 'Launch Saved Version';
const ALWAYS_SAVE = 'Always Save';
const ALWAYS_SAVED = 'Always Launch Saved';

/** Resolves true when the launch may go on (saved, or the saved version chosen). */
export async function settleUnsavedSpec(specPath: string): Promise<boolean> {
  const doc = vscode.workspace.textDocuments.find(
    (d) => d.uri.scheme === 'file' && d.uri.fsPath === specPath,
  );
  if (!doc?.isDirty) return true;
  const config = vscode.workspace.getConfiguration('bindery');
  const remembered = config.get<SaveBeforeLaunch>('saveBeforeLaunch', 'prompt');
  if (remembered === 'always') return doc.save();
  if (remembered === 'never') return true;

  const pick = await vscode.window.showWarningMessage(
    `${vscode.workspace.asRelativePath(specPath)} has unsaved changes.`,
    {
      modal: true,
      detail:
        'The helper launches the bundle as it is on disk. Save your changes and launch them, or launch the saved version and keep your edits unsaved. "Always …" remembers the choice (setting bindery.saveBeforeLaunch).',
    },
    SAVE_AND_LAUNCH,
    LAUNCH_SAVED,
    ALWAYS_SAVE,
    ALWAYS_SAVED,
  );
  if (pick === ALWAYS_SAVE || pick === ALWAYS_SAVED)
    await config.update(
      'saveBeforeLaunch',
      pick === ALWAYS_SAVE ? 'always' : 'never',
      vscode.ConfigurationTarget.Global,
    );
  if (pick === SAVE_AND_LAUNCH || pick === ALWAYS_SAVE) return doc.save();
  return pick === LAUNCH_SAVED || pick === ALWAYS_SAVED;
}
