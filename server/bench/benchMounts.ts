// The benches' mounts: the standard ones, a cgroup mount, then directory binds and tmpfs
// mounts up to `count`, each bind source a real folder in the bundle.
import { STANDARD_MOUNTS, type Bundle } from '../test/bundle';

/** `readOnly`: what read-only binds say — `ro` (as containerd writes it; an information finding each) or `rro`. */
export function benchMounts(
  bundle: Bundle,
  count: number,
  readOnly: 'ro' | 'rro' = 'ro',
): unknown[] {
  const out: unknown[] = [
    ...STANDARD_MOUNTS,
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
    },
  ];
  for (let i = 0; out.length < count; i++) {
    if (i % 4 === 3) {
      out.push({
        destination: `/scratch/t${i}`,
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'mode=1777', 'size=16m'],
      });
    } else {
      bundle.mkdir(`volumes/v${i}`);
      out.push({
        destination: `/srv/v${i}`,
        type: 'bind',
        source: bundle.path(`volumes/v${i}`),
        options: ['rbind', 'rprivate', i % 2 ? readOnly : 'rw', 'nosuid'],
      });
    }
  }
  return out;
}
