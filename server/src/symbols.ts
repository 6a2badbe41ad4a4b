// The outline: process, root, each mount by its destination, the namespaces — the parts of a
// spec a person jumps between. Everything else in the spec stays out to keep it short.
import * as jsonc from 'jsonc-parser';
import { SymbolKind, type DocumentSymbol } from 'vscode-languageserver';
import type { Analysis } from './analysis';

export function provideDocumentSymbols(analysis: Analysis): DocumentSymbol[] {
  const { spec } = analysis;
  const root = spec.tree;
  if (!root || root.type !== 'object') return [];
  const symbols: DocumentSymbol[] = [];

  const section = (
    key: string,
    kind: SymbolKind,
    detail: string | undefined,
    children?: DocumentSymbol[],
  ) => {
    const value = spec.nodeAt([key]);
    const property = value?.parent;
    if (!value || property?.type !== 'property') return;
    symbols.push({
      name: key,
      detail,
      kind,
      range: spec.rangeOfNode(property),
      selectionRange: spec.rangeOfNode(property.children![0]),
      children,
    });
  };

  const args = spec.nodeAt(['process', 'args']);
  const argv =
    args?.type === 'array'
      ? (jsonc.getNodeValue(args) as unknown[]).filter((a) => typeof a === 'string')
      : [];
  section('process', SymbolKind.Function, argv.length ? argv.join(' ') : undefined);

  const rootPath = spec.nodeAt(['root', 'path']);
  const readonly = spec.nodeAt(['root', 'readonly']);
  section(
    'root',
    SymbolKind.Package,
    [
      rootPath?.type === 'string' ? String(rootPath.value) : undefined,
      readonly?.value === true ? 'read-only' : undefined,
    ]
      .filter(Boolean)
      .join(', ') || undefined,
  );

  const mounts = spec.nodeAt(['mounts']);
  if (mounts?.type === 'array') {
    const children = (mounts.children ?? []).map((entry, i): DocumentSymbol => {
      const field = (name: string) => {
        const n = entry.type === 'object' ? jsonc.findNodeAtLocation(entry, [name]) : undefined;
        return n?.type === 'string' ? (n.value as string) : undefined;
      };
      const destination =
        entry.type === 'object' ? jsonc.findNodeAtLocation(entry, ['destination']) : undefined;
      const detail = [field('type'), field('source')].filter(Boolean).join(' ← ');
      return {
        name: field('destination') || `mounts[${i}]`,
        detail: detail || undefined,
        kind: SymbolKind.Object,
        range: spec.rangeOfNode(entry),
        selectionRange: spec.rangeOfNode(destination ?? entry),
      };
    });
    section('mounts', SymbolKind.Array, `${children.length}`, children);
  }

  const namespaces = spec.nodeAt(['linux', 'namespaces']);
  if (namespaces?.type === 'array' && namespaces.parent?.type === 'property') {
    const children = (namespaces.children ?? []).map((entry, i): DocumentSymbol => {
      const type = entry.type === 'object' ? jsonc.findNodeAtLocation(entry, ['type']) : undefined;
      const nsPath =
        entry.type === 'object' ? jsonc.findNodeAtLocation(entry, ['path']) : undefined;
      return {
        name: type?.type === 'string' ? String(type.value) : `namespaces[${i}]`,
        detail: nsPath?.type === 'string' ? `join ${String(nsPath.value)}` : 'new',
        kind: SymbolKind.EnumMember,
        range: spec.rangeOfNode(entry),
        selectionRange: spec.rangeOfNode(type ?? entry),
      };
    });
    symbols.push({
      name: 'namespaces',
      detail: 'linux',
      kind: SymbolKind.Enum,
      range: spec.rangeOfNode(namespaces.parent),
      selectionRange: spec.rangeOfNode(namespaces.parent.children![0]),
      children,
    });
  }

  return symbols;
}
