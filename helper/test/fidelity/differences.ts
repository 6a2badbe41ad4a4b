// The documented differences between Bindery and runc, read from the one table that lists
// them (`src/runtime/README.md`, "Documented differences from runc"), so the fidelity suite
// and the docs cannot disagree: a difference the suite tolerates is one a reader can find.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface DocumentedDifference {
  id: string;
  /** Which probe lines may differ: their keys match this. */
  keys: RegExp;
  why: string;
}

export const DIFFERENCES_FILE = path.join(__dirname, '..', '..', 'src', 'runtime', 'README.md');
const HEADING = '## Documented differences from runc';

/** Rows `| \`id\` | \`regex\` | why |` of the table under the heading; `\|` in a cell is a literal pipe. */
export function readDifferences(
  text = fs.readFileSync(DIFFERENCES_FILE, 'utf8'),
): DocumentedDifference[] {
  const start = text.indexOf(HEADING);
  if (start < 0) throw new Error(`${DIFFERENCES_FILE}: no "${HEADING}" section`);
  const section = text.slice(start + HEADING.length).split(/\n## /)[0];
  const out: DocumentedDifference[] = [];
  for (const line of section.split('\n')) {
    if (!line.startsWith('| `')) continue;
    const cells = line
      .slice(1, -1)
      .split(/(?<!\\)\|/)
      .map((c) => c.trim().replace(/\\\|/g, '|'));
    const [id, keys, why] = cells;
    const unquote = (c: string) => c.replace(/^`(.*)`$/, '$1');
    out.push({ id: unquote(id), keys: new RegExp(unquote(keys)), why: why ?? '' });
  }
  return out;
}
