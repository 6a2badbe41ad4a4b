// What a suite's index.js (the extensionTestsPath the extension host loads) does: runs every
// *.test.js beside it with mocha, inside the real VS Code, and rejects when a test fails,
// which the workbench turns into a non-zero exit code. Bundled into each suite's index.js.
import Mocha from 'mocha';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

/** Runs the *.test.js files in `dir` (the suite's own __dirname); `kind` names them in the error. */
export function runMochaBeside(dir: string, kind: string): Promise<void> {
  // BINDERY_E2E_GREP runs only the tests whose full title matches (a developer's shortcut).
  const grep = process.env.BINDERY_E2E_GREP;
  const mocha = new Mocha({ ui: 'bdd', color: false, timeout: 60000, ...(grep && { grep }) });
  for (const file of readdirSync(dir)
    .filter((name) => name.endsWith('.test.js'))
    .sort()) {
    mocha.addFile(join(dir, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) =>
      failures > 0 ? reject(new Error(`${failures} ${kind} test(s) failed`)) : resolve(),
    );
  });
}
