// Bundles the suite launches, written into the test workspace at run time: a busybox rootfs
// (the static busybox from Debian's busybox-static) and a config.json per scenario.
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { baseSpec, runcMount, runcMounts } from '../../../helper/test/baseSpec';

export const BUSYBOX = process.env.BINDERY_BUSYBOX ?? '/bin/busybox';

/** sh as PID 1 ignores SIGTERM unless it traps it: trap it, so stopping ends it at once with exit 0. */
export const RUN_UNTIL_TERM = "trap 'echo bye; exit 0' TERM; while :; do sleep 1; done";

export interface TestBundle {
  dir: string;
  specPath: string;
  text: string;
}

/**
 * The mounts every Linux container gets, as runc's default spec writes them, but /proc with
 * nosuid, noexec, nodev and /dev/pts without gid=5.
 */
export const STANDARD_MOUNTS = [
  runcMount('/proc', { options: ['nosuid', 'noexec', 'nodev'] }),
  runcMount('/dev'),
  runcMount('/dev/pts', {
    options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
  }),
  ...runcMounts('/dev/shm', '/dev/mqueue', '/sys'),
];

export function spec(args: string[], mounts: object[]): object {
  return baseSpec({
    args,
    env: ['PATH=/bin'],
    readonlyRoot: false,
    hostname: 'bindery-e2e',
    mounts,
    namespaces: ['pid', 'ipc', 'uts', 'mount'],
  });
}

/**
 * A spec that binds `source`, which does not exist: the helper refuses the plan before
 * mounting anything (bind-source-not-found).
 */
export function missingBindSpec(source: string): object {
  return spec(
    ['/bin/sh', '-c', RUN_UNTIL_TERM],
    [...STANDARD_MOUNTS, { destination: '/srv', type: 'bind', source, options: ['rbind'] }],
  );
}

export function writeBundle(parent: string, name: string, content: object | string): TestBundle {
  const dir = join(parent, name);
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp', 'etc'])
    mkdirSync(join(rootfs, d), { recursive: true });
  if (!existsSync(join(rootfs, 'bin', 'busybox'))) {
    copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
    chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
    for (const applet of ['sh', 'echo', 'sleep', 'cat', 'ls', 'stty', 'tty'])
      symlinkSync('busybox', join(rootfs, 'bin', applet));
  }
  const text = typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n';
  const specPath = join(dir, 'config.json');
  writeFileSync(specPath, text);
  return { dir, specPath, text };
}

/** 0-based line of the first line containing `needle`. */
export function lineOf(text: string, needle: string, from = 0): number {
  const lines = text.split('\n');
  for (let i = from; i < lines.length; i++) if (lines[i].includes(needle)) return i;
  throw new Error(`"${needle}" not found in the spec`);
}
