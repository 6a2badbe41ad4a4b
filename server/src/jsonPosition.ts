// From a cursor position to "which part of the spec is this": the node, its JSON path, and
// whether the cursor is on a property name or on a value.
import * as jsonc from 'jsonc-parser';
import type { Position } from 'vscode-languageserver';
import type { JsonPath, SpecDocument } from '@bindery/plan';

export interface NodeAt {
  node: jsonc.Node;
  /** Path of the value (for a key: of the value that key names). */
  path: JsonPath;
  isKey: boolean;
}

export function nodeAtPosition(spec: SpecDocument, position: Position): NodeAt | undefined {
  if (!spec.tree) return undefined;
  const offset = spec.offsetAt(position);
  let node = jsonc.findNodeAtOffset(spec.tree, offset, true);
  if (!node) return undefined;
  // On `:` or whitespace inside a property: treat as the property's key.
  if (node.type === 'property') node = node.children?.[0] ?? node;
  const parent = node.parent;
  if (parent?.type === 'property' && parent.children?.[0] === node) {
    const value = parent.children?.[1];
    const path = value
      ? jsonc.getNodePath(value)
      : [...jsonc.getNodePath(parent), String(node.value)];
    return { node, path, isKey: true };
  }
  return { node, path: jsonc.getNodePath(node), isKey: false };
}
