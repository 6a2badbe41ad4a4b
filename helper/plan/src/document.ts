// The spec as text with positions: every later step asks "where is this?" through here.
import * as jsonc from 'jsonc-parser';
import { MAX_JSON_DEPTH, tooDeepAt } from './jsonDepth';
import type { Finding, JsonPath, Position, Range } from './types';

export interface SpecDocument {
  readonly text: string;
  readonly fileName: string;
  /** The syntax tree; undefined when the text holds no JSON value at all. */
  readonly tree: jsonc.Node | undefined;
  /** The parsed value, best effort: broken JSON still yields what could be read. */
  readonly value: unknown;
  /** Syntax problems (invalid JSON, comments, trailing commas) as findings, one per place. */
  readonly syntaxFindings: Finding[];
  /**
   * Offset of the first syntax error after which the tree is the parser's guess; undefined
   * when the whole document was read (comments and trailing commas are errors for runtimes,
   * yet leave nothing in doubt).
   */
  readonly brokenAt: number | undefined;
  nodeAt(path: JsonPath): jsonc.Node | undefined;
  /** Range of the value at `path`. */
  rangeOf(path: JsonPath): Range | undefined;
  /** Range of the property name at `path` (its last segment must be a key). */
  keyRangeOf(path: JsonPath): Range | undefined;
  /** Range of the value at `path`, else of the nearest existing ancestor, else the document start. */
  rangeNear(path: JsonPath): Range;
  positionAt(offset: number): Position;
  offsetAt(position: Position): number;
  rangeOfNode(node: jsonc.Node): Range;
}

export function parseSpec(text: string, fileName = 'config.json'): SpecDocument {
  const errors: jsonc.ParseError[] = [];
  // Too deep to parse safely: no tree at all, and one finding saying where.
  const deepAt = tooDeepAt(text);
  // Trailing commas are parsed as errors (runtimes read strict JSON) and told apart below.
  const tree =
    deepAt === undefined
      ? jsonc.parseTree(text, errors, { allowTrailingComma: false, disallowComments: false })
      : undefined;
  const value: unknown = tree ? jsonc.getNodeValue(tree) : undefined;
  const lineStarts = computeLineStarts(text);

  const positionAt = (offset: number): Position => {
    const clamped = Math.max(0, Math.min(offset, text.length));
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= clamped) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: clamped - lineStarts[lo] };
  };
  const offsetAt = (p: Position): number => {
    const line = Math.max(0, Math.min(p.line, lineStarts.length - 1));
    return Math.min(lineStarts[line] + p.character, text.length);
  };
  const rangeOfNode = (node: jsonc.Node): Range => ({
    start: positionAt(node.offset),
    end: positionAt(node.offset + node.length),
  });
  const nodeAt = (path: JsonPath) => (tree ? jsonc.findNodeAtLocation(tree, path) : undefined);
  const rangeOf = (path: JsonPath) => {
    const node = nodeAt(path);
    return node ? rangeOfNode(node) : undefined;
  };
  const keyRangeOf = (path: JsonPath) => {
    const node = nodeAt(path);
    const key = node?.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
    return key ? rangeOfNode(key) : undefined;
  };
  const rangeNear = (path: JsonPath): Range => {
    for (let n = path.length; n >= 0; n--) {
      const r = rangeOf(path.slice(0, n));
      if (r) return r;
    }
    return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  };

  const syntaxFindings: Finding[] = [];
  let brokenAt: number | undefined;
  const reported = new Set<number>();
  for (const e of errors) {
    // jsonc-parser says some breaks twice at one offset ("'}' expected" at the end, a
    // property name and a value after a trailing comma): one finding per place.
    if (reported.has(e.offset)) continue;
    reported.add(e.offset);
    const comma = trailingCommaBefore(text, e);
    if (comma !== undefined) {
      const range = { start: positionAt(comma), end: positionAt(comma + 1) };
      syntaxFindings.push({
        code: 'invalid-json',
        severity: 'error',
        message: 'trailing comma: runtimes read strict JSON, and runc and crun refuse this file',
        range,
        path: [],
        fixes: [
          { title: 'Remove the trailing comma', edits: [{ range, newText: '' }], preferred: true },
        ],
      });
      continue;
    }
    brokenAt ??= e.offset;
    syntaxFindings.push({
      code: 'invalid-json',
      severity: 'error',
      message: describeParseError(e.error),
      range: { start: positionAt(e.offset), end: positionAt(e.offset + Math.max(e.length, 1)) },
      path: [],
    });
  }
  if (deepAt !== undefined) {
    brokenAt = 0;
    syntaxFindings.push({
      code: 'json-too-deep',
      severity: 'error',
      message: `JSON nested more than ${MAX_JSON_DEPTH} levels deep; a runtime spec needs fewer than 10, so this file is not read further`,
      range: { start: positionAt(deepAt), end: positionAt(deepAt + 1) },
      path: [],
    });
  }
  // jsonc-parser accepts comments silently; runtimes do not. A comment needs one of these
  // two-character openers, so most files skip this second pass.
  else if (text.includes('//') || text.includes('/*'))
    jsonc.visit(
      text,
      {
        onComment: (offset, length) => {
          syntaxFindings.push({
            code: 'json-comment',
            severity: 'error',
            message: 'comments are not JSON; runc and crun refuse this file',
            range: { start: positionAt(offset), end: positionAt(offset + length) },
            path: [],
          });
        },
      },
      { allowTrailingComma: true, disallowComments: false },
    );
  if (!tree && syntaxFindings.length === 0) {
    brokenAt = 0;
    syntaxFindings.push({
      code: 'invalid-json',
      severity: 'error',
      message: `${fileName} is empty; a runtime spec is a JSON object`,
      range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      path: [],
    });
  }

  return {
    text,
    fileName,
    tree,
    value,
    syntaxFindings,
    brokenAt,
    nodeAt,
    rangeOf,
    keyRangeOf,
    rangeNear,
    positionAt,
    offsetAt,
    rangeOfNode,
  };
}

/** The offset of the comma when `e` is a closing bracket right after one (`[1,]`, `{"a": 1,}`). */
function trailingCommaBefore(text: string, e: jsonc.ParseError): number | undefined {
  if (
    e.error !== jsonc.ParseErrorCode.PropertyNameExpected &&
    e.error !== jsonc.ParseErrorCode.ValueExpected
  )
    return undefined;
  if (text[e.offset] !== '}' && text[e.offset] !== ']') return undefined;
  let i = e.offset - 1;
  while (i >= 0 && /\s/.test(text[i])) i--;
  return text[i] === ',' ? i : undefined;
}

function computeLineStarts(text: string): number[] {
  const starts = [0];
  if (!text.includes('\r')) {
    // Only \n ends lines: indexOf finds them several times faster than a loop over characters.
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
    return starts;
  }
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 13 /* \r */) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    } else if (c === 10 /* \n */) {
      starts.push(i + 1);
    }
  }
  return starts;
}

function describeParseError(code: jsonc.ParseErrorCode): string {
  switch (code) {
    case jsonc.ParseErrorCode.InvalidSymbol:
      return 'invalid symbol';
    case jsonc.ParseErrorCode.InvalidNumberFormat:
      return 'invalid number';
    case jsonc.ParseErrorCode.PropertyNameExpected:
      return 'property name expected';
    case jsonc.ParseErrorCode.ValueExpected:
      return 'value expected';
    case jsonc.ParseErrorCode.ColonExpected:
      return "':' expected";
    case jsonc.ParseErrorCode.CommaExpected:
      return "',' expected";
    case jsonc.ParseErrorCode.CloseBraceExpected:
      return "'}' expected";
    case jsonc.ParseErrorCode.CloseBracketExpected:
      return "']' expected";
    case jsonc.ParseErrorCode.EndOfFileExpected:
      return 'end of file expected';
    case jsonc.ParseErrorCode.InvalidCommentToken:
      return 'comment not allowed';
    case jsonc.ParseErrorCode.UnexpectedEndOfComment:
      return 'unterminated comment';
    case jsonc.ParseErrorCode.UnexpectedEndOfString:
      return 'unterminated string';
    case jsonc.ParseErrorCode.UnexpectedEndOfNumber:
      return 'unexpected end of number';
    case jsonc.ParseErrorCode.InvalidUnicode:
      return 'invalid unicode escape';
    case jsonc.ParseErrorCode.InvalidEscapeCharacter:
      return 'invalid escape character';
    case jsonc.ParseErrorCode.InvalidCharacter:
      return 'invalid character';
    default:
      return 'invalid JSON';
  }
}
