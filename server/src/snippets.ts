// Whole mount entries, offered between the entries of `mounts`. The options are those the
// runtimes themselves write (runc's default spec, containerd, podman), so a snippet never
// produces a finding by itself. `\t` and newlines are re-indented by the editor.

import type { NetworkFile } from '@bindery/plan';

export interface MountSnippet {
  label: string;
  detail: string;
  body: string;
}

const entry = (lines: string[]) => ['{', ...lines.map((l) => `\t${l}`), '}'].join('\n');

export const MOUNT_SNIPPETS: MountSnippet[] = [
  {
    label: 'bind mount',
    detail: 'a host directory, with its submounts',
    body: entry([
      '"destination": "${1:/data}",',
      '"type": "bind",',
      '"source": "${2:/srv/data}",',
      '"options": ["rbind", "${3|rprivate,rslave|}", "${4|rw,rro|}"]',
    ]),
  },
  {
    label: 'tmpfs mount',
    detail: 'an empty in-memory directory',
    body: entry([
      '"destination": "${1:/tmp}",',
      '"type": "tmpfs",',
      '"source": "tmpfs",',
      '"options": ["nosuid", "nodev", "mode=${2:1777}", "size=${3:64m}"]',
    ]),
  },
  {
    label: 'proc mount',
    detail: "/proc of the container's PID namespace",
    body: entry(['"destination": "/proc",', '"type": "proc",', '"source": "proc"']),
  },
  {
    label: 'sysfs mount',
    detail: '/sys, read-only',
    body: entry([
      '"destination": "/sys",',
      '"type": "sysfs",',
      '"source": "sysfs",',
      '"options": ["nosuid", "noexec", "nodev", "ro"]',
    ]),
  },
  {
    label: 'devpts mount',
    detail: "/dev/pts, the container's own terminals",
    body: entry([
      '"destination": "/dev/pts",',
      '"type": "devpts",',
      '"source": "devpts",',
      '"options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620"${1:, "gid=5"}]',
    ]),
  },
  {
    label: '/dev/shm mount',
    detail: 'shared memory, 64 MiB',
    body: entry([
      '"destination": "/dev/shm",',
      '"type": "tmpfs",',
      '"source": "shm",',
      '"options": ["nosuid", "noexec", "nodev", "mode=1777", "size=${1:65536k}"]',
    ]),
  },
  ...(['hosts', 'resolv.conf', 'hostname'] satisfies NetworkFile[]).map((file): MountSnippet => ({
    label: `/etc/${file} mount`,
    detail: `your own /etc/${file} (replaces the one the helper writes)`,
    body: entry([
      `"destination": "/etc/${file}",`,
      '"type": "bind",',
      `"source": "\${1:${file}}",`,
      '"options": ["rbind", "rprivate", "${2|ro,rw|}"]',
    ]),
  })),
];
