// Where each mount entry sits in a config.json, read straight from the editor's text.
// Kept free of `vscode` so it can be unit-tested; ranges are 0-based like LSP's.
import * as jsonc from 'jsonc-parser';
import type { Range } from '@bindery/plan';

export interface SpecMountEntry {
  index: number;
  /** The whole `{ … }` of the entry. */
  range: Range;
  destination?: string;
  type?: string;
  source?: string;
  options: string[];
}

/** True when the text looks like an OCI runtime spec: a top-level `ociVersion` key. */
export function isOciSpecText(text: string): boolean {
  // Cheap pre-check first: most unrelated config.json files stop here.
  if (!text.includes('"ociVersion"')) return false;
  const tree = jsonc.parseTree(text, [], { allowTrailingComma: true });
  return tree?.type === 'object' && jsonc.findNodeAtLocation(tree, ['ociVersion']) !== undefined;
}

export function findSpecMounts(text: string): SpecMountEntry[] {
  const tree = jsonc.parseTree(text, [], { allowTrailingComma: true });
  const mounts = tree ? jsonc.findNodeAtLocation(tree, ['mounts']) : undefined;
  if (!mounts || mounts.type !== 'array' || !mounts.children) return [];
  const toPos = positionFinder(text);
  return mounts.children.map((node, index) => {
    const value = jsonc.getNodeValue(node) as Record<string, unknown> | null;
    const obj = value && typeof value === 'object' && !Array.isArray(value) ? value : {};
    return {
      index,
      range: { start: toPos(node.offset), end: toPos(node.offset + node.length) },
      destination: typeof obj.destination === 'string' ? obj.destination : undefined,
      type: typeof obj.type === 'string' ? obj.type : undefined,
      source: typeof obj.source === 'string' ? obj.source : undefined,
      options: Array.isArray(obj.options)
        ? obj.options.filter((o): o is string => typeof o === 'string')
        : [],
    };
  });
}

function positionFinder(text: string): (offset: number) => { line: number; character: number } {
  const starts = [0];
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) === 10) starts.push(i + 1);
  return (offset) => {
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: offset - starts[lo] };
  };
}
