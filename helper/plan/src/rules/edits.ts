// Text edits for quick fixes that keep the user's formatting: the indent unit (tabs or N
// spaces), line endings, and whether an array or object is written on one line or many.
import type * as jsonc from 'jsonc-parser';
import type { SpecDocument } from '../document';
import type { Fix, JsonPath, Range, TextEdit } from '../types';

/** The last text asked about, and its unit: every fix of a plan asks about the same text. */
let lastIndent: { text: string; unit: string } | undefined;

/** The document's indent unit: a tab, or the smallest indent of an indented line. */
export function indentUnit(text: string): string {
  if (lastIndent?.text === text) return lastIndent.unit;
  const unit = scanIndentUnit(text);
  lastIndent = { text, unit };
  return unit;
}

function scanIndentUnit(text: string): string {
  let smallest = Infinity;
  for (const match of text.matchAll(/\n([ \t]+)\S/g)) {
    const ws = match[1];
    if (ws.startsWith('\t')) return '\t';
    smallest = Math.min(smallest, ws.length);
  }
  return Number.isFinite(smallest) ? ' '.repeat(smallest) : '  ';
}

function eolOf(text: string): string {
  return text.includes('\r\n') ? '\r\n' : '\n';
}

/** Leading white space of the line that holds `offset`. */
function lineIndent(text: string, offset: number): string {
  const lineStart = text.lastIndexOf('\n', offset - 1) + 1;
  let end = lineStart;
  while (text[end] === ' ' || text[end] === '\t') end++;
  return text.slice(lineStart, end);
}

function spansLines(doc: SpecDocument, node: jsonc.Node): boolean {
  return /\n/.test(doc.text.slice(node.offset, node.offset + node.length));
}

/** JSON on one line with a space after `:` and `,`, the way people write short entries. */
export function compactJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(compactJson).join(', ')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}: ${compactJson(v)}`).join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** JSON over several lines, first line unindented, the rest indented from `base`. */
function blockJson(value: unknown, base: string, unit: string, eol: string): string {
  return JSON.stringify(value, null, unit)
    .split('\n')
    .join(eol + base);
}

function rangeOf(doc: SpecDocument, start: number, end: number): Range {
  return { start: doc.positionAt(start), end: doc.positionAt(end) };
}

export function replaceNode(doc: SpecDocument, node: jsonc.Node, newText: string): TextEdit {
  return { range: doc.rangeOfNode(node), newText };
}

export function replaceWithJson(doc: SpecDocument, node: jsonc.Node, value: unknown): TextEdit {
  return replaceNode(doc, node, JSON.stringify(value));
}

/** Insert `values` into the array so the first becomes element `index` (`index` = length appends). */
export function insertArrayElement(
  doc: SpecDocument,
  array: jsonc.Node,
  index: number,
  ...values: unknown[]
): TextEdit {
  const text = doc.text;
  const eol = eolOf(text);
  const unit = indentUnit(text);
  const items = array.children ?? [];
  if (items.length === 0) {
    const open = array.offset + 1;
    const close = array.offset + array.length - 1;
    const structured = values.some((v) => typeof v === 'object' && v !== null);
    if (!/\n/.test(text) || !structured) {
      return { range: rangeOf(doc, open, close), newText: values.map(compactJson).join(', ') };
    }
    const outer = lineIndent(text, array.offset);
    const inner = outer + unit;
    const body = values.map((v) => blockJson(v, inner, unit, eol)).join(`,${eol}${inner}`);
    return { range: rangeOf(doc, open, close), newText: `${eol}${inner}${body}${eol}${outer}` };
  }
  const onOwnLines = spansLines(doc, array);
  const sample = items[Math.min(index, items.length - 1)];
  const indent = onOwnLines ? lineIndent(text, sample.offset) : '';
  const elementMultiline = items.some((item) => spansLines(doc, item));
  const separator = onOwnLines ? `,${eol}${indent}` : ', ';
  const serialized = values
    .map((v) => (elementMultiline ? blockJson(v, indent, unit, eol) : compactJson(v)))
    .join(separator);
  if (index < items.length) {
    const at = items[index].offset;
    return { range: rangeOf(doc, at, at), newText: serialized + separator };
  }
  const last = items[items.length - 1];
  const at = last.offset + last.length;
  return { range: rangeOf(doc, at, at), newText: separator + serialized };
}

/**
 * Remove the elements at `indices` from the array with one edit, keeping the separators the
 * user wrote between the remaining elements.
 */
export function removeArrayElements(
  doc: SpecDocument,
  array: jsonc.Node,
  indices: number[],
): TextEdit {
  const items = array.children ?? [];
  const drop = new Set(indices);
  const kept = items.filter((_, i) => !drop.has(i));
  if (kept.length === 0) {
    return { range: rangeOf(doc, array.offset + 1, array.offset + array.length - 1), newText: '' };
  }
  const first = items[0];
  const last = items[items.length - 1];
  const separator =
    items.length > 1 ? doc.text.slice(items[0].offset + items[0].length, items[1].offset) : ', ';
  const newText = kept.map((n) => doc.text.slice(n.offset, n.offset + n.length)).join(separator);
  return { range: rangeOf(doc, first.offset, last.offset + last.length), newText };
}

/** Add `"key": value` as the last property of an object. */
export function insertProperty(
  doc: SpecDocument,
  object: jsonc.Node,
  key: string,
  value: unknown,
): TextEdit {
  const text = doc.text;
  const eol = eolOf(text);
  const unit = indentUnit(text);
  const props = object.children ?? [];
  if (props.length === 0) {
    const open = object.offset + 1;
    const close = object.offset + object.length - 1;
    if (!/\n/.test(text)) {
      return {
        range: rangeOf(doc, open, close),
        newText: `${JSON.stringify(key)}: ${compactJson(value)}`,
      };
    }
    const outer = lineIndent(text, object.offset);
    const inner = outer + unit;
    return {
      range: rangeOf(doc, open, close),
      newText: `${eol}${inner}${JSON.stringify(key)}: ${blockJson(value, inner, unit, eol)}${eol}${outer}`,
    };
  }
  const last = props[props.length - 1];
  const at = last.offset + last.length;
  if (!spansLines(doc, object)) {
    return {
      range: rangeOf(doc, at, at),
      newText: `, ${JSON.stringify(key)}: ${compactJson(value)}`,
    };
  }
  const indent = lineIndent(text, last.offset);
  return {
    range: rangeOf(doc, at, at),
    newText: `,${eol}${indent}${JSON.stringify(key)}: ${blockJson(value, indent, unit, eol)}`,
  };
}

/**
 * Append `items` to the array at `path`, creating the array (and missing parent objects,
 * e.g. `linux`) when the spec lacks it. Returns undefined when a parent is not an object.
 */
export function appendAt(
  doc: SpecDocument,
  path: JsonPath,
  items: unknown[],
): TextEdit[] | undefined {
  const array = doc.nodeAt(path);
  if (array) {
    if (array.type !== 'array') return undefined;
    return [insertArrayElement(doc, array, array.children?.length ?? 0, ...items)];
  }
  // Build the missing tail from the innermost existing object outwards.
  let value: unknown = items;
  for (let depth = path.length - 1; depth >= 0; depth--) {
    const parentPath = path.slice(0, depth);
    const parent = parentPath.length === 0 ? doc.tree : doc.nodeAt(parentPath);
    const key = path[depth];
    if (parent) {
      if (parent.type !== 'object' || typeof key !== 'string') return undefined;
      return [insertProperty(doc, parent, key, value)];
    }
    if (typeof key !== 'string') return undefined;
    value = { [key]: value };
  }
  return undefined;
}

/** Insert several elements at (original) positions of one array, as non-overlapping edits. */
export function insertArrayElements(
  doc: SpecDocument,
  array: jsonc.Node,
  inserts: { index: number; value: unknown }[],
): TextEdit[] {
  if ((array.children ?? []).length === 0) {
    return [insertArrayElement(doc, array, 0, ...inserts.map((i) => i.value))];
  }
  // Elements going to the same position share one edit so their order is kept.
  const byIndex = new Map<number, unknown[]>();
  for (const { index, value } of inserts)
    byIndex.set(index, [...(byIndex.get(index) ?? []), value]);
  return [...byIndex]
    .sort((a, b) => a[0] - b[0])
    .map(([index, values]) => insertArrayElement(doc, array, index, ...values));
}

/** Apply edits to a text (used by tests and by anyone previewing a fix). */
export function applyEdits(text: string, edits: TextEdit[], doc: SpecDocument): string {
  const sorted = [...edits]
    .map((e) => ({
      start: doc.offsetAt(e.range.start),
      end: doc.offsetAt(e.range.end),
      newText: e.newText,
    }))
    .sort((a, b) => b.start - a.start || b.end - a.end);
  let out = text;
  for (const e of sorted) out = out.slice(0, e.start) + e.newText + out.slice(e.end);
  return out;
}

/** The quick fix that replaces `node` with `value`: "Change to …". */
export function changeTo(doc: SpecDocument, node: jsonc.Node, value: string): Fix {
  return {
    title: `Change to "${value}"`,
    edits: [replaceWithJson(doc, node, value)],
    preferred: true,
  };
}
