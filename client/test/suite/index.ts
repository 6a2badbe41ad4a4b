// Entry point the extension host loads (extensionTestsPath): runs every *.test.js beside this
// file with mocha, inside the real VS Code, and rejects when a test fails.
import { runMochaBeside } from '../../../test/e2e/runMochaBeside';

export function run(): Promise<void> {
  return runMochaBeside(__dirname, 'extension');
}
