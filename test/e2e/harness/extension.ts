// A development extension that runs an end-to-end suite in the extension host, loaded next
// to the extension under test. VS Code has extensionTestsPath for this, but a workbench
// opened with it refuses every modal dialog ("refused to show dialog in tests"), and the
// suites must see the dialogs a user sees (Save and Launch …, Tear Down …) and click them.
// So the runner opens a plain development window with this harness, names the suite's
// compiled index.js in BINDERY_E2E_SUITE, and reads the exit code from the console line.

/** Logged with the suite's exit code (0: every test passed) once it has run. */
export const SUITE_EXIT_MARKER = 'BINDERY_SUITE_EXIT ';

export async function activate(): Promise<void> {
  const suite = process.env.BINDERY_E2E_SUITE;
  if (!suite) return;
  let code = 0;
  try {
    // A plain require, as the workbench loads extensionTestsPath: the suite's own
    // require('vscode') then goes through the extension host's module interception.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const index = require(suite) as { run(): Promise<void> };
    await index.run();
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    code = 1;
  }
  console.log(`${SUITE_EXIT_MARKER}${code}`);
}
