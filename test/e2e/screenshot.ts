// For suites running inside the extension host: ask the runner to photograph the workbench
// now, and wait until the picture exists so the UI does not move on before it is taken.
// Outside the code-server runner (test-electron, no BINDERY_E2E_RESULTS) it does nothing.
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { SCREENSHOT_MARKER } from './screenshotMarker';

export async function requestScreenshot(
  name: string,
  timeoutMs = 15000,
): Promise<string | undefined> {
  const dir = process.env.BINDERY_E2E_RESULTS;
  if (!dir) return undefined;
  const file = join(dir, `${screenshotFileName(name)}`);
  const asked = Date.now();
  console.log(`${SCREENSHOT_MARKER}${name}`);
  // A picture of the same name from earlier in the run does not count.
  while (modifiedAt(file) < asked - 1000) {
    if (Date.now() - asked > timeoutMs) return undefined;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return file;
}

export function screenshotFileName(name: string): string {
  return `${name.replace(/[^\w.-]/g, '_')}.png`;
}

function modifiedAt(file: string): number {
  try {
    return statSync(file).mtimeMs;
  } catch {
    return 0;
  }
}
