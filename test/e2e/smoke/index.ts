// Entry point the extension host loads (extensionTestsPath): runs the smoke tests with mocha
// and rejects when any fails, which the workbench turns into a non-zero exit code.
import { runMochaBeside } from '../runMochaBeside';

export function run(): Promise<void> {
  return runMochaBeside(__dirname, 'smoke');
}
