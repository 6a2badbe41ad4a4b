// The project's shared facts (`../shared/` beside the checkout): the runtime-spec schema and
// the real-world specs the conformance tests read. CI always has them; a checkout without
// them skips those tests, except under CI, where a skip is a failure.
import { existsSync } from 'node:fs';
import * as path from 'node:path';
import type { TestContext } from 'node:test';

const REPO = path.resolve(__dirname, '..', '..');

/** `../shared/reference` beside the checkout, or undefined when it is not there. */
export function sharedReference(): string | undefined {
  const dir = path.resolve(REPO, '..', 'shared', 'reference');
  return existsSync(dir) ? dir : undefined;
}

/** The shared reference folder; outside CI a test without it is skipped. */
export function requireSharedReference(t: TestContext): string | undefined {
  const dir = sharedReference();
  if (dir) return dir;
  if (process.env.CI) throw new Error('../shared/reference is missing beside the checkout');
  t.skip('../shared/reference is not beside this checkout');
  return undefined;
}
