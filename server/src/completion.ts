// Completion in context: keys the spec allows at this level, mount types, the options that make
// sense for this mount's type, propagation, namespace types, common destinations, and whole
// mount entries as snippets.
import * as jsonc from 'jsonc-parser';
import {
  CompletionItemKind,
  InsertTextFormat,
  MarkupKind,
  type CompletionItem,
  type Position,
  type Range,
} from 'vscode-languageserver';
import {
  type JsonPath,
  knownDataOptions,
  MOUNT_OPTIONS,
  NAMESPACE_TYPES,
  optionInfo,
} from '@bindery/plan';
import type { Analysis } from './analysis';
import { DATA_OPTIONS } from './docs/mountOptions';
import { COMMON_DESTINATIONS, MOUNT_TYPES } from './docs/mountTypes';
import { NAMESPACE_DOCS } from './docs/namespaces';
import { enumAt, fieldsOf, type FieldInfo } from './fieldDocs';
import { mountTypeDoc, optionDoc } from './hover';
import { MOUNT_SNIPPETS } from './snippets';

export const COMPLETION_TRIGGERS = ['"', ':'];

/** The propagation options of the plan's table, the recursive forms (the usual choice) first. */
const PROPAGATION = Object.entries(MOUNT_OPTIONS)
  .filter(([, info]) => info.kind === 'propagation')
  .sort(([, a], [, b]) => Number(b.flags.includes('MS_REC')) - Number(a.flags.includes('MS_REC')))
  .map(([option]) => option);

export function provideCompletion(analysis: Analysis, position: Position): CompletionItem[] {
  const { spec } = analysis;
  const text = spec.text;
  const offset = spec.offsetAt(position);
  const location = jsonc.getLocation(text, offset);
  const path = location.path;
  // The string being typed, if any: completions replace it whole (quotes included).
  const prev = location.previousNode;
  const inString = prev?.type === 'string' && isInsideString(text, prev, offset);
  // An unclosed string runs to the end of the line: replace only what was typed of it.
  const replace: Range | undefined = !inString
    ? undefined
    : isClosedString(text, prev!)
      ? spec.rangeOfNode(prev!)
      : { start: spec.positionAt(prev!.offset), end: position };

  if (location.isAtPropertyKey) {
    return keyItems(analysis, path.slice(0, -1), replace, position);
  }
  // Between the properties of an object (after a value, before `}`): a new key.
  const container = spec.tree && !inString ? jsonc.findNodeAtOffset(spec.tree, offset) : undefined;
  if (container?.type === 'object') {
    return keyItems(analysis, jsonc.getNodePath(container), undefined, position);
  }
  const value = (
    labels: { label: string; detail?: string; doc?: string; kind?: CompletionItemKind }[],
  ) =>
    labels.map((l, i): CompletionItem => ({
      label: l.label,
      kind: l.kind ?? CompletionItemKind.Value,
      detail: l.detail,
      documentation: l.doc ? { kind: MarkupKind.Markdown, value: l.doc } : undefined,
      sortText: String(i).padStart(4, '0'),
      textEdit: {
        range: replace ?? { start: position, end: position },
        newText: JSON.stringify(l.label),
      },
      filterText: JSON.stringify(l.label),
    }));

  const mountIndex = path[0] === 'mounts' && typeof path[1] === 'number' ? path[1] : undefined;
  const entry = mountIndex !== undefined ? mountEntry(analysis, mountIndex) : undefined;

  if (mountIndex !== undefined && path.length === 2 && !inString) {
    // Between entries of `mounts`: whole entries.
    return MOUNT_SNIPPETS.map((s, i) => ({
      label: s.label,
      kind: CompletionItemKind.Snippet,
      detail: s.detail,
      sortText: String(i).padStart(4, '0'),
      insertTextFormat: InsertTextFormat.Snippet,
      textEdit: { range: { start: position, end: position }, newText: s.body },
    }));
  }
  if (entry && path.length === 3 && path[2] === 'type') {
    return value(
      Object.keys(MOUNT_TYPES).map((t) => ({
        label: t,
        kind: CompletionItemKind.EnumMember,
        doc: mountTypeDoc(t),
      })),
    );
  }
  if (entry && path.length === 3 && path[2] === 'destination') {
    const type = entry.type;
    const dests = Object.entries(COMMON_DESTINATIONS)
      .filter(([, t]) => !type || t === type || (t === 'bind' && entry.bind))
      .map(([d, t]) => ({ label: d, detail: t, kind: CompletionItemKind.Folder }));
    return value(dests);
  }
  if (
    entry &&
    path.length === 3 &&
    path[2] === 'source' &&
    entry.type &&
    entry.type !== 'bind' &&
    !entry.bind
  ) {
    return value([{ label: entry.type, detail: `source of a ${entry.type} mount` }]);
  }
  if (entry && path.length === 4 && path[2] === 'options') {
    return value(optionItems(entry, typeof path[3] === 'number' ? path[3] : -1));
  }
  if (path.length === 4 && path[0] === 'linux' && path[1] === 'namespaces' && path[3] === 'type') {
    // Namespaces already listed, except the one being edited.
    const present = new Set(namespaceTypes(analysis).filter((_, i) => i !== path[2]));
    return value(
      NAMESPACE_TYPES.filter((t) => !present.has(t)).map((t) => ({
        label: t,
        kind: CompletionItemKind.EnumMember,
        doc: NAMESPACE_DOCS[t],
      })),
    );
  }
  if (path.length === 2 && path[0] === 'linux' && path[1] === 'rootfsPropagation') {
    return value(
      PROPAGATION.map((p) => ({
        label: p,
        kind: CompletionItemKind.EnumMember,
        doc: optionDoc(p, undefined),
      })),
    );
  }
  // Any other field with a fixed set of values.
  const values = enumAt(path);
  if (values) return value(values.map((e) => ({ label: e, kind: CompletionItemKind.EnumMember })));
  return [];
}

/** Inside the quotes; right after a closing quote is outside, right after an unclosed one inside. */
function isInsideString(text: string, node: jsonc.Node, offset: number): boolean {
  const end = node.offset + node.length;
  return offset > node.offset && (isClosedString(text, node) ? offset < end : offset <= end);
}

function isClosedString(text: string, node: jsonc.Node): boolean {
  return node.length >= 2 && text[node.offset + node.length - 1] === '"';
}

interface MountEntry {
  type?: string;
  /**
   * Meant as a bind: `type: "bind"` or a bind option. Only the option makes it one (the plan
   * warns on the type alone); completion offers that option first, then what binds take.
   */
  bind: boolean;
  options: string[];
}

function mountEntry(analysis: Analysis, index: number): MountEntry | undefined {
  const node = analysis.spec.nodeAt(['mounts', index]);
  if (!node || node.type !== 'object') return undefined;
  const value = jsonc.getNodeValue(node) as Record<string, unknown>;
  const options = Array.isArray(value.options)
    ? value.options.filter((o): o is string => typeof o === 'string')
    : [];
  const type = typeof value.type === 'string' ? value.type : undefined;
  return {
    type,
    options,
    bind: type === 'bind' || options.includes('bind') || options.includes('rbind'),
  };
}

/** Options that make sense on this entry, most useful first; those already written are left out. */
function optionItems(entry: MountEntry, editing: number) {
  const present = new Set(
    entry.options.filter((_, i) => i !== editing).map((o) => o.split('=')[0]),
  );
  const items: { label: string; detail?: string; doc?: string; kind?: CompletionItemKind }[] = [];
  const add = (option: string, detail: string) => {
    if (!present.has(option))
      items.push({
        label: option,
        detail,
        doc: optionDoc(option, entry.type),
        kind: CompletionItemKind.Keyword,
      });
  };
  if (entry.bind) {
    if (!present.has('bind') && !present.has('rbind')) {
      add('rbind', 'bind with submounts');
      add('bind', 'bind, this mount only');
    }
  }
  for (const o of ['ro', 'rw', 'nosuid', 'nodev', 'noexec', 'relatime', 'noatime', 'strictatime'])
    add(o, optionInfo(o).flags.join('|'));
  for (const o of PROPAGATION) add(o, 'propagation');
  // runc applies recursive attributes to bind mounts only; follow runc.
  if (entry.bind)
    for (const [o, info] of Object.entries(MOUNT_OPTIONS))
      if (info.kind === 'recursive') add(o, 'mount_setattr, recursive');
  if (entry.bind) {
    add('idmap', 'ID-mapped bind mount');
    add('ridmap', 'ID-mapped, recursive');
  }
  if (entry.type === 'tmpfs') add('tmpcopyup', 'copy the image content in');
  if (!entry.bind && entry.type) {
    const keys = knownDataOptions(entry.type) ?? Object.keys(DATA_OPTIONS[entry.type] ?? {});
    for (const key of keys) {
      if (present.has(key)) continue;
      const doc = DATA_OPTIONS[entry.type]?.[key];
      const bare =
        key === 'newinstance' ||
        key === 'noswap' ||
        key === 'inode32' ||
        key === 'inode64' ||
        key === 'userxattr';
      items.push({
        label: bare ? key : `${key}=`,
        detail: `${entry.type} data`,
        doc,
        kind: CompletionItemKind.Property,
      });
    }
  }
  for (const o of ['dirsync', 'sync', 'lazytime', 'nosymfollow'])
    add(o, optionInfo(o).flags.join('|'));
  return items;
}

function namespaceTypes(analysis: Analysis): (string | undefined)[] {
  const node = analysis.spec.nodeAt(['linux', 'namespaces']);
  if (!node || node.type !== 'array') return [];
  return (jsonc.getNodeValue(node) as unknown[]).map((n) => {
    const type = n && typeof n === 'object' ? (n as Record<string, unknown>).type : undefined;
    return typeof type === 'string' ? type : undefined;
  });
}

function keyItems(
  analysis: Analysis,
  objectPath: JsonPath,
  replace: Range | undefined,
  position: Position,
): CompletionItem[] {
  const objectNode = analysis.spec.nodeAt(objectPath);
  const present = new Set<string>();
  if (objectNode?.type === 'object')
    for (const p of objectNode.children ?? [])
      if (p.children?.[0]) present.add(String(p.children[0].value));
  return fieldsOf(objectPath)
    .filter(
      (f) =>
        !present.has(f.key) ||
        (replace &&
          analysis.spec.text.slice(analysis.spec.offsetAt(replace.start) + 1).startsWith(f.key)),
    )
    .map((f, i): CompletionItem => ({
      label: f.key,
      kind: CompletionItemKind.Property,
      detail: f.type,
      documentation: f.doc ? { kind: MarkupKind.Markdown, value: f.doc } : undefined,
      sortText: `${f.required ? 0 : 1}${String(i).padStart(4, '0')}`,
      insertTextFormat: InsertTextFormat.Snippet,
      filterText: `"${f.key}"`,
      textEdit: {
        range: replace ?? { start: position, end: position },
        newText: keyText(analysis, f, replace ?? { start: position, end: position }, !!replace),
      },
    }));
}

/** The key snippet, with the commas JSON needs around it when inserted between properties. */
function keyText(analysis: Analysis, f: FieldInfo, range: Range, inString: boolean): string {
  const text = analysis.spec.text;
  if (inString && hasColonAfter(analysis, range)) return keySnippet(f, true);
  const before = text.slice(0, analysis.spec.offsetAt(range.start)).trimEnd();
  const after = text.slice(analysis.spec.offsetAt(range.end)).trimStart();
  const last = before[before.length - 1];
  const needsLeadingComma = last !== undefined && !'{[,:'.includes(last);
  const needsTrailingComma = after.startsWith('"');
  return `${needsLeadingComma ? ',' : ''}${keySnippet(f, false)}${needsTrailingComma ? ',' : ''}`;
}

function hasColonAfter(analysis: Analysis, range: Range): boolean {
  const rest = analysis.spec.text.slice(analysis.spec.offsetAt(range.end));
  return /^\s*:/.test(rest);
}

/** `"key": <placeholder for its type>`; only the key when the colon is already there. */
function keySnippet(f: FieldInfo, keyOnly: boolean): string {
  const key = JSON.stringify(f.key);
  if (keyOnly) return key;
  const example =
    f.example === undefined ? undefined : JSON.stringify(f.example).replace(/[$}\\]/g, '\\$&');
  switch (f.type) {
    case 'string':
      if (f.enum?.length) return `${key}: "\${1|${f.enum.join(',')}|}"`;
      return example ? `${key}: "\${1:${example.slice(1, -1)}}"` : `${key}: "$1"`;
    case 'array':
      return `${key}: [$1]`;
    case 'object':
      return `${key}: {$1}`;
    case 'boolean':
      return `${key}: \${1|true,false|}`;
    case 'integer':
    case 'number':
      return `${key}: \${1:${example ?? 0}}`;
    default:
      return `${key}: $1`;
  }
}
