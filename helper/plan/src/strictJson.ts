// Strict JSON read in one pass into jsonc-parser's syntax tree and the value together, for
// the common case of a well-formed config.json (about three times faster than parseTree and
// getNodeValue, which the language server pays on every keystroke). Anything else — a
// comment, a trailing comma, any syntax error, white space JSON does not allow, nesting
// deeper than MAX_JSON_DEPTH — returns undefined, and the caller reads the text with
// jsonc-parser, which says what is wrong and where. The tree is the very tree parseTree
// builds (same nodes, offsets, lengths, parents, colon offsets) and the value the very value
// getNodeValue gives (objects without a prototype, the last of duplicate keys).
import type * as jsonc from 'jsonc-parser';
import { MAX_JSON_DEPTH } from './jsonDepth';

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const COMMA = 0x2c;
const COLON = 0x3a;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACE = 0x7d;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACKET = 0x5d;
const MINUS = 0x2d;

/** jsonc-parser's node as built here, its lengths set once the end is reached. */
type Node = { -readonly [K in keyof jsonc.Node]: jsonc.Node[K] };

/** Thrown inside the reader only; never leaves this file. */
class NotStrict extends Error {}
const NOT_STRICT = new NotStrict();

// A strict JSON number: what JSON.parse accepts, and jsonc-parser reads the same.
const NUMBER = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;

export function parseStrictJson(text: string): { tree: jsonc.Node; value: unknown } | undefined {
  let i = 0;
  const n = text.length;

  const skipSpace = () => {
    for (; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
    }
  };

  /** The string starting at `i` (a quote), decoded; `i` ends after the closing quote. */
  const readString = (): string => {
    const start = i;
    let escaped = false;
    for (i++; i < n; i++) {
      const c = text.charCodeAt(i);
      if (c === QUOTE) break;
      if (c === BACKSLASH) {
        escaped = true;
        i++;
      } else if (c < 0x20) throw NOT_STRICT;
    }
    if (i >= n) throw NOT_STRICT;
    i++;
    if (!escaped) return text.slice(start + 1, i - 1);
    try {
      return JSON.parse(text.slice(start, i)) as string;
    } catch {
      throw NOT_STRICT;
    }
  };

  // Returns the node; the value goes to `out.value` so that no pair is allocated per node.
  const out = { value: undefined as unknown };
  const readValue = (parent: Node | undefined, depth: number): Node => {
    skipSpace();
    if (i >= n) throw NOT_STRICT;
    const c = text.charCodeAt(i);
    const offset = i;
    if (c === OPEN_BRACE) {
      if (depth >= MAX_JSON_DEPTH) throw NOT_STRICT;
      const node: Node = { type: 'object', offset, length: -1, parent, children: [] };
      const value = Object.create(null) as Record<string, unknown>;
      i++;
      skipSpace();
      if (text.charCodeAt(i) !== CLOSE_BRACE) {
        for (;;) {
          skipSpace();
          if (text.charCodeAt(i) !== QUOTE) throw NOT_STRICT;
          const keyOffset = i;
          const key = readString();
          const property: Node = {
            type: 'property',
            offset: keyOffset,
            length: -1,
            parent: node,
            children: [],
          };
          property.children!.push({
            type: 'string',
            value: key,
            offset: keyOffset,
            length: i - keyOffset,
            parent: property,
          });
          skipSpace();
          if (text.charCodeAt(i) !== COLON) throw NOT_STRICT;
          property.colonOffset = i;
          i++;
          const child = readValue(property, depth + 1);
          property.children!.push(child);
          property.length = child.offset + child.length - keyOffset;
          value[key] = out.value;
          node.children!.push(property);
          skipSpace();
          const next = text.charCodeAt(i);
          if (next === COMMA) {
            i++;
            continue;
          }
          if (next === CLOSE_BRACE) break;
          throw NOT_STRICT;
        }
      }
      i++;
      node.length = i - offset;
      out.value = value;
      return node;
    }
    if (c === OPEN_BRACKET) {
      if (depth >= MAX_JSON_DEPTH) throw NOT_STRICT;
      const node: Node = { type: 'array', offset, length: -1, parent, children: [] };
      const value: unknown[] = [];
      i++;
      skipSpace();
      if (text.charCodeAt(i) !== CLOSE_BRACKET) {
        for (;;) {
          node.children!.push(readValue(node, depth + 1));
          value.push(out.value);
          skipSpace();
          const next = text.charCodeAt(i);
          if (next === COMMA) {
            i++;
            continue;
          }
          if (next === CLOSE_BRACKET) break;
          throw NOT_STRICT;
        }
      }
      i++;
      node.length = i - offset;
      out.value = value;
      return node;
    }
    if (c === QUOTE) {
      const value = readString();
      out.value = value;
      return { type: 'string', offset, length: i - offset, parent, value };
    }
    if (c === MINUS || (c >= 0x30 && c <= 0x39)) {
      NUMBER.lastIndex = i;
      const m = NUMBER.exec(text);
      if (!m) throw NOT_STRICT;
      i += m[0].length;
      const value = Number(m[0]);
      out.value = value;
      return { type: 'number', offset, length: i - offset, parent, value };
    }
    for (const [word, value] of LITERALS) {
      if (text.startsWith(word, i)) {
        i += word.length;
        out.value = value;
        return {
          type: value === null ? 'null' : 'boolean',
          offset,
          length: word.length,
          parent,
          value,
        };
      }
    }
    throw NOT_STRICT;
  };

  try {
    const tree = readValue(undefined, 0);
    const value = out.value;
    skipSpace();
    if (i !== n) return undefined;
    // parseTree leaves no `parent` key on the root at all.
    delete tree.parent;
    return { tree: tree as jsonc.Node, value };
  } catch (e) {
    if (e === NOT_STRICT) return undefined;
    throw e;
  }
}

const LITERALS: readonly [string, boolean | null][] = [
  ['true', true],
  ['false', false],
  ['null', null],
];
