// The fast path of parsing a spec: one pass over strict JSON that builds the same syntax tree
// as jsonc-parser's parseTree and the same value as its getNodeValue, together.
//
// Why: jsonc-parser's tree is built through a visitor with a callback per token, then walked
// again for the value; on a 1,000-mount spec that was about a third of planning. Nearly every
// spec is plain JSON, the only kind runtimes read. Anything this parser does not accept as
// plain JSON (comments, trailing commas, unusual whitespace, any error) returns undefined,
// and the caller parses with jsonc-parser as before, so findings and their positions for
// broken text come from one place only.
import type * as jsonc from 'jsonc-parser';

export interface StrictParse {
  tree: jsonc.Node;
  value: unknown;
}

/** Tree and value of `text` when it is strict JSON, else undefined. */
export function parseStrictJson(text: string): StrictParse | undefined {
  const parser = new StrictParser(text);
  try {
    return parser.parseDocument();
  } catch (e) {
    // RangeError: nested deeper than the stack allows; jsonc-parser reports what it can.
    if (e instanceof NotStrictJson || e instanceof RangeError) return undefined;
    throw e;
  }
}

class NotStrictJson extends Error {}

const enum Char {
  Tab = 0x09,
  LineFeed = 0x0a,
  CarriageReturn = 0x0d,
  Space = 0x20,
  Quote = 0x22,
  Plus = 0x2b,
  Comma = 0x2c,
  Minus = 0x2d,
  Dot = 0x2e,
  Zero = 0x30,
  Nine = 0x39,
  Colon = 0x3a,
  UpperE = 0x45,
  OpenBracket = 0x5b,
  Backslash = 0x5c,
  CloseBracket = 0x5d,
  LowerE = 0x65,
  LowerF = 0x66,
  LowerN = 0x6e,
  LowerT = 0x74,
  OpenBrace = 0x7b,
  CloseBrace = 0x7d,
}

class StrictParser {
  private pos = 0;

  constructor(private readonly text: string) {}

  parseDocument(): StrictParse {
    // parseTree hangs the root under a placeholder and removes the link at the end; same here.
    const holder = { children: [] } as unknown as jsonc.Node;
    this.skipWhitespace();
    const value = this.parseValue(holder);
    this.skipWhitespace();
    if (this.pos !== this.text.length) throw new NotStrictJson();
    const tree = holder.children![0];
    delete (tree as { parent?: jsonc.Node }).parent;
    return { tree, value };
  }

  /** Parses the value at `pos`, appends its node to `parent`, returns the value. */
  private parseValue(parent: jsonc.Node): unknown {
    const c = this.text.charCodeAt(this.pos);
    if (c === Char.OpenBrace) return this.parseObject(parent);
    if (c === Char.OpenBracket) return this.parseArray(parent);
    const offset = this.pos;
    let value: string | number | boolean | null;
    if (c === Char.Quote) value = this.parseString();
    else if (c === Char.Minus || (c >= Char.Zero && c <= Char.Nine)) value = this.parseNumber();
    else if (c === Char.LowerT) value = this.parseWord('true', true);
    else if (c === Char.LowerF) value = this.parseWord('false', false);
    else if (c === Char.LowerN) value = this.parseWord('null', null);
    else throw new NotStrictJson();
    const type = value === null ? 'null' : (typeof value as 'string' | 'number' | 'boolean');
    parent.children!.push({ type, offset, length: this.pos - offset, parent, value });
    return value;
  }

  private parseObject(parent: jsonc.Node): Record<string, unknown> {
    const node: jsonc.Node = { type: 'object', offset: this.pos, length: -1, parent, children: [] };
    parent.children!.push(node);
    // getNodeValue makes prototype-less objects, so a key like "constructor" is only data.
    const value = Object.create(null) as Record<string, unknown>;
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== Char.CloseBrace) {
      for (;;) {
        if (this.text.charCodeAt(this.pos) !== Char.Quote) throw new NotStrictJson();
        const keyOffset = this.pos;
        const name = this.parseString();
        const property: jsonc.Node = {
          type: 'property',
          offset: keyOffset,
          length: -1,
          parent: node,
          children: [],
        };
        node.children!.push(property);
        property.children!.push({
          type: 'string',
          value: name,
          offset: keyOffset,
          length: this.pos - keyOffset,
          parent: property,
        });
        this.skipWhitespace();
        if (this.text.charCodeAt(this.pos) !== Char.Colon) throw new NotStrictJson();
        property.colonOffset = this.pos;
        this.pos++;
        this.skipWhitespace();
        value[name] = this.parseValue(property);
        property.length = this.pos - keyOffset;
        this.skipWhitespace();
        if (this.text.charCodeAt(this.pos) !== Char.Comma) break;
        this.pos++;
        this.skipWhitespace();
      }
      if (this.text.charCodeAt(this.pos) !== Char.CloseBrace) throw new NotStrictJson();
    }
    this.pos++;
    node.length = this.pos - node.offset;
    return value;
  }

  private parseArray(parent: jsonc.Node): unknown[] {
    const node: jsonc.Node = { type: 'array', offset: this.pos, length: -1, parent, children: [] };
    parent.children!.push(node);
    const value: unknown[] = [];
    this.pos++;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.pos) !== Char.CloseBracket) {
      for (;;) {
        value.push(this.parseValue(node));
        this.skipWhitespace();
        if (this.text.charCodeAt(this.pos) !== Char.Comma) break;
        this.pos++;
        this.skipWhitespace();
      }
      if (this.text.charCodeAt(this.pos) !== Char.CloseBracket) throw new NotStrictJson();
    }
    this.pos++;
    node.length = this.pos - node.offset;
    return value;
  }

  private parseString(): string {
    const start = this.pos;
    const text = this.text;
    let escaped = false;
    let i = start + 1;
    for (;;) {
      const c = text.charCodeAt(i);
      if (c === Char.Quote) break;
      if (c === Char.Backslash) {
        escaped = true;
        i += 2;
        continue;
      }
      // Raw control characters (and the end of the text, NaN) are not strict JSON.
      if (!(c >= Char.Space)) throw new NotStrictJson();
      i++;
    }
    this.pos = i + 1;
    if (!escaped) return text.slice(start + 1, i);
    try {
      return JSON.parse(text.slice(start, i + 1)) as string;
    } catch {
      throw new NotStrictJson();
    }
  }

  /** -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)? */
  private parseNumber(): number {
    const start = this.pos;
    if (this.text.charCodeAt(this.pos) === Char.Minus) this.pos++;
    if (this.text.charCodeAt(this.pos) === Char.Zero) this.pos++;
    else this.digits();
    if (this.text.charCodeAt(this.pos) === Char.Dot) {
      this.pos++;
      this.digits();
    }
    const e = this.text.charCodeAt(this.pos);
    if (e === Char.LowerE || e === Char.UpperE) {
      this.pos++;
      const sign = this.text.charCodeAt(this.pos);
      if (sign === Char.Plus || sign === Char.Minus) this.pos++;
      this.digits();
    }
    return Number(this.text.slice(start, this.pos));
  }

  /** One or more decimal digits. */
  private digits(): void {
    const start = this.pos;
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (!(c >= Char.Zero && c <= Char.Nine)) break;
      this.pos++;
    }
    if (this.pos === start) throw new NotStrictJson();
  }

  private parseWord<T>(word: string, value: T): T {
    if (!this.text.startsWith(word, this.pos)) throw new NotStrictJson();
    this.pos += word.length;
    return value;
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.pos);
      if (c !== Char.Space && c !== Char.LineFeed && c !== Char.CarriageReturn && c !== Char.Tab)
        return;
      this.pos++;
    }
  }
}
