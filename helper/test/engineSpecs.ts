// The specs container engines generated (../shared/reference/engine-specs/ENGINE/config.json
// beside the checkout), for tests that run or plan what real engines write.
import * as fs from 'node:fs';
import * as path from 'node:path';

const ENGINE_SPECS = path.join(__dirname, '..', '..', '..', 'shared', 'reference', 'engine-specs');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reshape the spec freely
export function engineSpec(engine: 'podman' | 'containerd'): any {
  return JSON.parse(fs.readFileSync(path.join(ENGINE_SPECS, engine, 'config.json'), 'utf8'));
}
