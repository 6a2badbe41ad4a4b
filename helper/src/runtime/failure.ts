// Turning an errno into words a person can act on.
//
// A step that fails returns a StepFailure: the errno name, a one-line message naming the
// path involved (`ENOENT: bind source /srv/data does not exist on the host`) and a hint
// saying what to change. rootfs.ts adds the spec entry (index, origin) around it.
import { DATA_OPTIONS_ANY_TYPE, knownDataOptions, type Origin } from '@bindery/plan';

export interface StepFailure {
  ok: false;
  errno: string;
  message: string;
  hint: string;
}

export interface StepDone {
  ok: true;
  /** Said in the operation event when the step did something other than the obvious, e.g. skipped. */
  note?: string;
}

export type StepOutcome = StepDone | StepFailure;

export const DONE: StepDone = { ok: true };

export function fail(errno: string, what: string, hint: string): StepFailure {
  return { ok: false, errno, message: `${errno}: ${what}`, hint };
}

/** Where the operation came from, for hints: `mounts[3]`, `linux.maskedPaths[0]`, or the runtime. */
export function entryName(origin: Origin): string {
  if (origin.kind === 'added') return 'the runtime default';
  let out = '';
  for (const seg of origin.path)
    out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || 'the spec';
}

/**
 * The data options `fstype` does not take, when its options are fixed; [] otherwise. The
 * plan's table: the plan refuses these before launch, so here they explain an EINVAL from a
 * plan that was not made by planBundle, or a kernel that knows fewer options.
 */
export function unknownDataOptions(fstype: string | null, data: string): string[] {
  const known = knownDataOptions(fstype ?? undefined);
  if (!known || !data) return [];
  return data
    .split(',')
    .filter(Boolean)
    .map((o) => o.split('=')[0])
    .filter((name) => !known.includes(name) && !DATA_OPTIONS_ANY_TYPE.includes(name));
}

/** Why mount(2) itself said no. `target` is the container path (or host path for host-scope steps). */
export function explainMountError(
  errno: string,
  m: {
    fstype: string | null;
    data: string;
    target: string;
    source: string | null;
    bind: boolean;
    remount: boolean;
    entry: string;
  },
): StepFailure {
  switch (errno) {
    case 'EINVAL': {
      const bad = unknownDataOptions(m.fstype, m.data);
      if (bad.length)
        return fail(
          errno,
          `${m.fstype} does not accept option${bad.length > 1 ? 's' : ''} ${bad.join(', ')}`,
          `remove or correct ${bad.join(', ')} in ${m.entry}.options`,
        );
      if (m.bind && m.data)
        return fail(
          errno,
          `bind mount of ${m.source} onto ${m.target} cannot take filesystem options (${m.data})`,
          `remove the filesystem options from ${m.entry}.options`,
        );
      if (m.data)
        return fail(
          errno,
          `${m.fstype ?? 'the filesystem'} refused the options "${m.data}" for ${m.target}`,
          `check ${m.entry}.options against the filesystem's documentation`,
        );
      return fail(
        errno,
        `the kernel refused to mount ${m.fstype ?? m.source ?? ''} on ${m.target}`,
        `check the type and options of ${m.entry}`,
      );
    }
    case 'ENODEV':
      return fail(
        errno,
        `filesystem type ${m.fstype} is not supported by this kernel`,
        `load the module for ${m.fstype} or change ${m.entry}.type`,
      );
    case 'ENOTDIR':
      return fail(
        errno,
        `${m.source ?? m.fstype} is a directory but ${m.target} is not (or the other way round)`,
        `make the source and the destination of ${m.entry} the same kind: both files or both directories`,
      );
    case 'ENOENT':
      return fail(
        errno,
        `${m.bind ? `bind source ${m.source}` : `mount point ${m.target}`} does not exist`,
        `create it, or fix ${m.entry}`,
      );
    case 'EPERM':
    case 'EACCES':
      return fail(
        errno,
        `the kernel refused to ${m.remount ? 'remount' : 'mount'} ${m.target}`,
        `a locked or read-only parent mount, or a missing capability; check ${m.entry}`,
      );
    case 'EBUSY':
      return fail(
        errno,
        `${m.target} is busy`,
        `another mount is in the way; check the mounts before ${m.entry}`,
      );
    default:
      return fail(errno, `mount on ${m.target} failed`, `check ${m.entry}`);
  }
}
