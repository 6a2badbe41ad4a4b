// How deeply a JSON text nests, found without recursion. jsonc-parser (and everything that
// walks its tree) recurses once per level, so a config.json of 100,000 `[` would overflow
// the stack: a crash, where the user needs a finding. A runtime spec nests about six levels.
//
// One pass over the characters that reads strings and comments as jsonc-parser's scanner
// does (a string ends at `"` or at a line break, `\` takes the next character whatever it
// is; `//` ends at a line break, `/*` at `*/`), so a bracket counts here exactly when the
// parser sees it. The scanner itself would do, at ten times the cost of this loop.

/** Far more than any runtime spec needs, far less than what overflows a recursive walk. */
export const MAX_JSON_DEPTH = 64;

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const SLASH = 0x2f;
const STAR = 0x2a;
const LF = 0x0a;
const CR = 0x0d;
const OPEN_BRACE = 0x7b;
const OPEN_BRACKET = 0x5b;
const CLOSE_BRACE = 0x7d;
const CLOSE_BRACKET = 0x5d;

/**
 * Where the text first nests deeper than `max` levels: the offset of the bracket that
 * opens level `max + 1`, or undefined.
 */
export function tooDeepAt(text: string, max = MAX_JSON_DEPTH): number | undefined {
  const n = text.length;
  let depth = 0;
  for (let i = 0; i < n; i++) {
    const c = text.charCodeAt(i);
    if (c === OPEN_BRACE || c === OPEN_BRACKET) {
      if (++depth > max) return i;
    } else if (c === CLOSE_BRACE || c === CLOSE_BRACKET) {
      if (depth > 0) depth--;
    } else if (c === QUOTE) {
      for (i++; i < n; i++) {
        const s = text.charCodeAt(i);
        if (s === QUOTE) break;
        if (s === BACKSLASH) i++;
        else if (s === LF || s === CR) {
          i--; // the line break is not part of the string
          break;
        }
      }
    } else if (c === SLASH && text.charCodeAt(i + 1) === SLASH) {
      while (i + 1 < n && text.charCodeAt(i + 1) !== LF && text.charCodeAt(i + 1) !== CR) i++;
    } else if (c === SLASH && text.charCodeAt(i + 1) === STAR) {
      const end = text.indexOf('*/', i + 2);
      i = end < 0 ? n : end + 1;
    }
  }
  return undefined;
}
