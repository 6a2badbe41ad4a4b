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

export const BUSYBOX = process.env.BINDERY_BUSYBOX ?? '/bin/busybox';

export interface TestBundle {
  dir: string;
  specPath: string;
  text: string;
}

/** The mounts every Linux container gets, as runc's default spec writes them. */
export const STANDARD_MOUNTS = [
  { destination: '/proc', type: 'proc', source: 'proc', options: ['nosuid', 'noexec', 'nodev'] },
  {
    destination: '/dev',
    type: 'tmpfs',
    source: 'tmpfs',
    options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
  },
  {
    destination: '/dev/pts',
    type: 'devpts',
    source: 'devpts',
    options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620'],
  },
  {
    destination: '/dev/shm',
    type: 'tmpfs',
    source: 'shm',
    options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
  },
  {
    destination: '/dev/mqueue',
    type: 'mqueue',
    source: 'mqueue',
    options: ['nosuid', 'noexec', 'nodev'],
  },
  {
    destination: '/sys',
    type: 'sysfs',
    source: 'sysfs',
    options: ['nosuid', 'noexec', 'nodev', 'ro'],
  },
];

export function spec(args: string[], mounts: object[]): object {
  return {
    ociVersion: '1.2.0',
    process: { terminal: false, user: { uid: 0, gid: 0 }, args, env: ['PATH=/bin'], cwd: '/' },
    root: { path: 'rootfs', readonly: false },
    hostname: 'bindery-e2e',
    mounts,
    linux: { namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }] },
  };
}

export function writeBundle(parent: string, name: string, content: object | string): TestBundle {
  const dir = join(parent, name);
  const rootfs = join(dir, 'rootfs');
  for (const d of ['bin', 'proc', 'dev', 'sys', 'tmp', 'etc'])
    mkdirSync(join(rootfs, d), { recursive: true });
  if (!existsSync(join(rootfs, 'bin', 'busybox'))) {
    copyFileSync(BUSYBOX, join(rootfs, 'bin', 'busybox'));
    chmodSync(join(rootfs, 'bin', 'busybox'), 0o755);
    for (const applet of ['sh', 'echo', 'sleep', 'cat', 'ls'])
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
