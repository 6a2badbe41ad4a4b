// A normalised mount said back in the words a user writes (`rbind,ro,nosuid,rprivate`): the
// option table read backwards, so the Containers view names an option as the plan reads it.
import { MOUNT_OPTIONS, type OptionKind } from './flags';
import type { MsFlag, NormalizedMount } from './types';

/** Said by the words that come first (bind/rbind, ro/rw), or how a mount is made, not what. */
const SAID_FIRST = new Set<MsFlag>(['MS_BIND', 'MS_REC', 'MS_RDONLY', 'MS_REMOUNT']);

/** The option of `kind` that sets exactly `flags` (in any order), keyed by the sorted flags. */
function wordsOf(kind: OptionKind): Map<string, string> {
  const words = new Map<string, string>();
  for (const [name, info] of Object.entries(MOUNT_OPTIONS))
    if (info.kind === kind && !info.clear) words.set(key(info.flags), name);
  return words;
}
const key = (flags: readonly string[]): string => [...flags].sort().join('|');

const FLAG_WORDS = wordsOf('flag');
const PROPAGATION_WORDS = wordsOf('propagation');
const RECURSIVE_WORDS = wordsOf('recursive');

/** Effective options of a planned mount in the words a user writes them. */
export function effectiveOptions(m: NormalizedMount): string {
  const words: string[] = [];
  if (m.bind) words.push(m.recursive ? 'rbind' : 'bind');
  words.push(m.flagsSet.includes('MS_RDONLY') ? 'ro' : 'rw');
  for (const f of m.flagsSet) {
    const word = SAID_FIRST.has(f) ? undefined : FLAG_WORDS.get(key([f]));
    if (word) words.push(word);
  }
  for (const a of m.attrSet) {
    const word = RECURSIVE_WORDS.get(key([a]));
    if (word) words.push(word);
  }
  for (const p of m.propagation) {
    const word = PROPAGATION_WORDS.get(key(p));
    if (word) words.push(word);
  }
  if (m.tmpcopyup) words.push('tmpcopyup');
  words.push(...m.data);
  return words.join(',');
}
