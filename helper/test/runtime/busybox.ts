// The host's static busybox, the rootfs of the test bundles. Its own file so suites bundled
// for the editor (client/test/suite) can use it without the runtime's native modules.
import * as fs from 'node:fs';

export function findBusybox(): string {
  for (const p of ['/bin/busybox', '/usr/bin/busybox']) if (fs.existsSync(p)) return p;
  throw new Error('busybox not found: apt-get install busybox-static');
}
