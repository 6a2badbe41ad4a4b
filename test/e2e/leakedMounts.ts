// After a run, nothing may stay mounted under the run's temp folder (the helper mounts
// container roots inside its state directory and the workspace copy).
import { readFileSync } from 'node:fs';
import { parseMountinfo } from '@bindery/plan';

export function mountsUnder(prefix: string): string[] {
  const root = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return parseMountinfo(readFileSync('/proc/self/mountinfo', 'utf8'))
    .map((m) => m.mountPoint)
    .filter((mountPoint) => mountPoint === prefix || mountPoint.startsWith(root));
}
