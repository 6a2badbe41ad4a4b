// The one reader of /proc/PID/mountinfo (proc(5)), for everyone who looks at a live mount
// table: the runtime's checks, `bindery inspect`, the editor's drift view and the tests.
// Pure: the caller reads the file.
import { cleanDestination } from './paths';

export interface MountinfoEntry {
  mountId: number;
  parentId: number;
  /** Path inside the filesystem that forms the root of this mount (a bind's source subtree). */
  root: string;
  /** Relative to the reading process's root: for a container's PID 1, a path in the container. */
  mountPoint: string;
  /** Per-mount options: rw/ro, nosuid, nodev, noexec, atime flags. */
  options: string[];
  /** Propagation and peer group fields, e.g. `shared:1`, `master:2`. */
  optional: string[];
  fstype: string;
  source: string;
  /** Per-superblock options, including filesystem data such as size= and mode=. */
  superOptions: string[];
}

/** Every well-formed line, in the kernel's order (a later mount stacks on an earlier one). */
export function parseMountinfo(text: string): MountinfoEntry[] {
  const entries: MountinfoEntry[] = [];
  for (const line of text.split('\n')) {
    if (!line.trim()) continue;
    const fields = line.split(' ');
    // The optional fields end at a lone '-'; at least six fields stand before it.
    const sep = fields.indexOf('-', 6);
    if (sep < 0 || fields.length < sep + 4) continue;
    entries.push({
      mountId: Number(fields[0]),
      parentId: Number(fields[1]),
      root: unescapeMountinfoField(fields[3]),
      mountPoint: unescapeMountinfoField(fields[4]),
      options: fields[5].split(','),
      optional: fields.slice(6, sep),
      fstype: fields[sep + 1],
      source: unescapeMountinfoField(fields[sep + 2]),
      superOptions: fields[sep + 3].split(','),
    });
  }
  return entries;
}

/** The kernel escapes space, tab, newline and backslash as three octal digits (`\040`). */
function unescapeMountinfoField(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, oct: string) => String.fromCharCode(parseInt(oct, 8)));
}

/** The mount a process sees at `destination` (cleaned like a spec's): the last one stacked there. */
export function visibleMountAt(
  entries: readonly MountinfoEntry[],
  destination: string,
): MountinfoEntry | undefined {
  const want = cleanDestination(destination);
  for (let i = entries.length - 1; i >= 0; i--)
    if (entries[i].mountPoint === want) return entries[i];
  return undefined;
}
