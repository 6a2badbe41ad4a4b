// What every part ends with: the init's "loaded" line on fd 3, then idle until stdin ends.
import * as fs from 'node:fs';

export function ready(): void {
  fs.writeSync(3, '{"type":"ready"}\n');
  process.stdin.resume();
  process.stdin.on('end', () => process.exit(0));
}
