// Where the plan's drift findings sit in the spec the user sees. What each entry asked for
// is the plan's (the normalised mounts the helper ran); this only places the result on the
// entry's `{ … }` in the current text, so the diagnostic follows unsaved edits.
import {
  type MountDifference,
  type MountinfoEntry,
  type NormalizedMount,
  type Range,
  specMountDrift,
} from '@bindery/plan';
import { findSpecMounts } from './specMounts';

export interface PlacedDrift {
  /** Index in the spec's `mounts`. */
  index: number;
  destination: string;
  range: Range;
  actual: MountinfoEntry | undefined;
  differences: MountDifference[];
}

/**
 * `planned`: the plan's mounts (InspectResult.plan.mounts); `table`: the container's parsed
 * mountinfo; `failed`: indexes the helper reported as failed, not compared. An entry that
 * is gone from the text keeps the range the plan recorded.
 */
export function placeDrift(
  specText: string | undefined,
  planned: readonly NormalizedMount[],
  table: readonly MountinfoEntry[],
  failed: ReadonlySet<number> = new Set(),
): PlacedDrift[] {
  const entries = specText !== undefined ? findSpecMounts(specText) : [];
  return specMountDrift(planned, table, failed).map((d) => {
    const entry = entries[d.mount.index];
    const recorded = d.mount.origin.kind === 'spec' ? d.mount.origin.range : undefined;
    return {
      index: d.mount.index,
      destination: entry?.destination ?? d.mount.destination,
      range: entry?.range ??
        recorded ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      actual: d.actual,
      differences: d.differences,
    };
  });
}

/** Indexes of the spec mounts the helper reported as failed. */
export function failedMountIndexes(
  mounts: readonly { index: number | null; state: string }[],
): Set<number> {
  return new Set(
    mounts.filter((m) => m.state === 'failed' && m.index !== null).map((m) => m.index as number),
  );
}
