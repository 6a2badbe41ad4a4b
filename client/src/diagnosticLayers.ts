// One finding, one diagnostic. The extension's own collection holds layers (a launch's
// failure or refusal, the helper's validate, the running container's drift) beside the
// language server's diagnostics; a helper finding the language server already shows is left
// out, and what two layers both say is shown once. Pure: no `vscode`, unit-tested.
import type { Finding } from '@bindery/plan';

/** Earlier layers win: a launch's word on an entry over a later validate saying the same. */
export const LAYER_ORDER = ['launch', 'validate', 'mismatch'] as const;
export type Layer = (typeof LAYER_ORDER)[number];

/** What makes two diagnostics the same finding: its code on the same line. */
export function findingKey(code: unknown, line: number): string {
  return `${String(typeof code === 'object' && code !== null && 'value' in code ? code.value : code)}@${line}`;
}

/** The helper's findings that `shown` (keys of the language server's diagnostics) lacks. */
export function notShownBy(findings: readonly Finding[], shown: ReadonlySet<string>): Finding[] {
  return findings.filter((f) => !shown.has(findingKey(f.code, f.range.start.line)));
}

/** Every layer's diagnostics in LAYER_ORDER, each finding once. */
export function mergeLayers<T>(
  layers: ReadonlyMap<Layer, readonly T[]>,
  keyOf: (d: T) => string,
): T[] {
  const seen = new Set<string>();
  const out: T[] = [];
  for (const layer of LAYER_ORDER) {
    for (const d of layers.get(layer) ?? []) {
      const k = keyOf(d);
      if (seen.has(k)) continue;
      seen.add(k);
      out.push(d);
    }
  }
  return out;
}
