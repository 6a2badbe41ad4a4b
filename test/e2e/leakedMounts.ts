// After a run, nothing may stay mounted under the run's temp folder (the helper mounts
// container roots inside its state directory and the workspace copy).
import { readFileSync } from 'node:fs';

export function mountsUnder(prefix: string): string[] {
  const root = prefix.endsWith('/') ? prefix : `${prefix}/`;
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4])
    .filter((mountPoint): mountPoint is string => mountPoint !== undefined)
    .map((mountPoint) =>
      mountPoint.replace(/\\(\d{3})/g, (_m, octal: string) =>
        String.fromCharCode(parseInt(octal, 8)),
      ),
    )
    .filter((mountPoint) => mountPoint === prefix || mountPoint.startsWith(root));
}
