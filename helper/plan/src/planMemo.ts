// Findings of a rule kept from one plan of a document to the next, so a keystroke re-runs only
// the rules whose input it changed. Each rule runs against a context that writes down what it
// reads: the spec's top-level members (`mounts`, `hostname`…, through the spec object and the
// document's look-ups by path), the host's answers, or anything wider (the whole text, the
// tree), which makes its findings never reused. A rule's findings are reused only when every
// member it read has the very same text as when it ran and the host answers the same; their
// places are kept relative to the member they lie in and moved to where that member is now.
//
// Internal to one process and keyed by exact text: the language server keeps one per open
// document; the helper plans every launch from scratch and never passes one.
import type * as jsonc from 'jsonc-parser';
import type { SpecDocument } from './document';
import type { Rule, RuleContext } from './rule';
import { normalizeMount } from './normalize';
import type {
  Finding,
  HostView,
  JsonPath,
  NormalizedMount,
  Origin,
  Position,
  Range,
} from './types';

/** A rule as the memo runs it: `key` names it across plans. */
export interface MemoUnit {
  key: string;
  rule: Rule;
}

/** Where an offset lies, independent of what moved around it. */
type Anchor = { member: string; at: number } | { root: 'start' | 'end'; at: number } | { doc: 0 };

interface HostCall {
  method: 'lstat' | 'readdir' | 'readFile' | 'readable' | 'kernelRelease';
  args: unknown[];
  answer: string;
}

interface Reads {
  members: Set<string>;
  /** Which members exist, and in what order (the spec's keys were listed). */
  keyList: boolean;
  /**
   * The text was read, as the quick fixes read it: around the nodes they edit (inside the
   * members they looked up, or on the line a member starts on) and for the document's
   * layout (indent unit, line ends), which must then be the same.
   */
  layout: boolean;
  /** Something the members cannot describe (the whole text, the tree): never reused. */
  everything: boolean;
  host: HostCall[];
}

interface Kept {
  reads: Reads;
  /** Members the findings lie in: they must be there, unchanged, to place the findings again. */
  placedIn: Set<string>;
  /** The findings with every offset as an anchor; see `anchorFinding`. */
  findings: AnchoredFinding[];
}

type AnchoredRange = { start: Anchor; end: Anchor };
type AnchoredFinding = Omit<Finding, 'range' | 'related' | 'fixes'> & {
  range: AnchoredRange;
  related?: { message: string; range: AnchoredRange }[];
  fixes?: {
    title: string;
    preferred?: boolean;
    edits: { range: AnchoredRange; newText: string }[];
  }[];
};

/**
 * The top-level members of a parsed spec: each property's span, and its text from the start
 * of the line it begins on (fixes copy that line's indentation).
 */
interface Members {
  byKey: Map<string, Member>;
  keyList: string;
  root: jsonc.Node;
  text: string;
  layout?: string;
}

interface Member {
  offset: number;
  length: number;
  lineStart: number;
  text: string;
  indents?: Indents;
}

/** The indented lines of some text: whether one starts with a tab, the smallest indent. */
interface Indents {
  tab: boolean;
  smallest: number;
}
/**
 * The layout fixes copy (indentUnit's answer, the line ends), from the indents of each
 * member's lines, kept with the member, and of the lines between members: an edit re-reads
 * only the members it changed, not the whole text. A line counted twice changes nothing.
 */
function layoutOf(members: Members, previous?: Members): string {
  if (members.layout !== undefined) return members.layout;
  const { text } = members;
  let tab = false;
  let smallest = Infinity;
  const add = (i: Indents) => {
    tab ||= i.tab;
    smallest = Math.min(smallest, i.smallest);
  };
  let from = 0;
  for (const [key, m] of members.byKey) {
    add(indentsIn(text, from, m.lineStart));
    const old = previous?.byKey.get(key);
    m.indents ??=
      old?.indents && old.text === m.text ? old.indents : indentsIn(m.text, 0, m.text.length);
    add(m.indents);
    from = m.lineStart + m.text.length;
  }
  add(indentsIn(text, from, text.length));
  const unit = tab ? '\t' : Number.isFinite(smallest) ? ' '.repeat(smallest) : '  ';
  members.layout = JSON.stringify([unit, text.includes('\r\n'), text.includes('\n')]);
  return members.layout;
}

/** The indents of the lines that start after a line break in [from, to) of `text`, as indentUnit reads them. */
function indentsIn(text: string, from: number, to: number): Indents {
  let tab = false;
  let smallest = Infinity;
  for (let nl = text.indexOf('\n', from); nl >= 0 && nl < to; nl = text.indexOf('\n', nl + 1)) {
    let end = nl + 1;
    while (text.charCodeAt(end) === 0x20 || text.charCodeAt(end) === 0x09) end++;
    if (end === nl + 1 || end >= text.length || /\s/.test(text[end])) continue;
    if (text.charCodeAt(nl + 1) === 0x09) tab = true;
    else smallest = Math.min(smallest, end - nl - 1);
  }
  return { tab, smallest };
}

/** The context and the shape it was made for; when they change, everything kept is dropped. */
function settingsOf(ctx: RuleContext): string {
  return JSON.stringify([ctx.bundleDir, ctx.doc.fileName, ctx.requester]);
}

export class PlanMemo {
  private kept = new Map<string, Kept>();
  private settings: string | undefined;
  private members: Members | undefined;
  /** Normalised mounts by entry text (in one bundle): those of the plan being made, and of the one before. */
  private mountsNow = new Map<string, NormalizedMount>();
  private mountsBefore = new Map<string, NormalizedMount>();
  private mountsDoc: SpecDocument | undefined;
  private mountsBundle: string | undefined;
  private membersOfDoc: { doc: SpecDocument; members: Members | undefined } | undefined;
  /** Rules run and rules reused in the last plan (for tests and benchmarks). */
  lastRun = { ran: 0, reused: 0 };

  /**
   * normalizeMount of `mounts[index]`, made again only for an entry whose text no earlier
   * plan had (normalising depends on nothing else but the bundle directory).
   */
  normalizeMount(
    doc: SpecDocument,
    entry: unknown,
    index: number,
    origin: Origin,
    bundleDir: string,
  ): NormalizedMount {
    const range = origin.kind === 'spec' ? origin.range : undefined;
    if (!range || !this.membersFor(doc)) return normalizeMount(entry, index, origin, bundleDir);
    if (doc !== this.mountsDoc || bundleDir !== this.mountsBundle) {
      this.mountsBefore = bundleDir === this.mountsBundle ? this.mountsNow : new Map();
      this.mountsNow = new Map();
      this.mountsDoc = doc;
      this.mountsBundle = bundleDir;
    }
    // The origin's range is the entry's own (the document is whole and names `mounts` once):
    // its offsets are two additions, where looking the entry up again is a walk.
    const key = doc.text.slice(doc.offsetAt(range.start), doc.offsetAt(range.end));
    let made = this.mountsNow.get(key) ?? this.mountsBefore.get(key);
    if (!made) made = normalizeMount(entry, index, origin, bundleDir);
    this.mountsNow.set(key, made);
    return { ...made, index, origin };
  }

  /** The document's top-level members, or undefined when the memo cannot follow its shape. */
  private membersFor(doc: SpecDocument): Members | undefined {
    if (this.membersOfDoc?.doc !== doc) this.membersOfDoc = { doc, members: membersOf(doc) };
    return this.membersOfDoc.members;
  }

  /**
   * Run `units` against `ctx` (whose `report` collects the plan's findings), reusing what
   * a unit found last time when nothing it read has changed. Returns false, having run
   * nothing, when the document has no shape the memo can follow (no object, a member
   * named twice): the caller then runs the rules as usual.
   */
  run(
    units: readonly MemoUnit[],
    ctx: RuleContext,
    onFailure: (unit: MemoUnit, e: unknown) => void,
  ): boolean {
    const members = this.membersFor(ctx.doc);
    if (!members) {
      this.forget();
      return false;
    }
    const settings = settingsOf(ctx);
    if (settings !== this.settings) {
      this.kept.clear();
      this.settings = settings;
    }
    const before = this.members;
    const check = before && comparison(before, members, ctx.host);
    const next = new Map<string, Kept>();
    this.lastRun = { ran: 0, reused: 0 };
    for (const unit of units) {
      const old = this.kept.get(unit.key);
      if (old && before && stillHolds(old, check)) {
        for (const f of old.findings) ctx.report(placeFinding(f, members, ctx.doc));
        next.set(unit.key, old);
        this.lastRun.reused++;
        continue;
      }
      this.lastRun.ran++;
      const reads: Reads = {
        members: new Set(),
        keyList: false,
        layout: false,
        everything: false,
        host: [],
      };
      const found: Finding[] = [];
      try {
        unit.rule(trackingContext(ctx, reads, (f) => found.push(f)));
      } catch (e) {
        for (const f of found) ctx.report(f);
        onFailure(unit, e);
        continue;
      }
      for (const f of found) ctx.report(f);
      if (reads.everything) continue;
      const anchored = found.map((f) => anchorFinding(f, members, ctx.doc));
      if (anchored.every((f) => f !== undefined))
        next.set(unit.key, {
          reads,
          findings: anchored as AnchoredFinding[],
          placedIn: new Set((anchored as AnchoredFinding[]).flatMap(anchoredMembers)),
        });
    }
    this.kept = next;
    this.members = members;
    return true;
  }

  private forget(): void {
    this.kept.clear();
    this.members = undefined;
    this.membersOfDoc = undefined;
  }
}

/**
 * What changed between two plans, each question answered once per plan however many rules
 * ask it: whether a member's text changed, the layout, the host's answer to a call.
 */
function comparison(before: Members, now: Members, host: HostView) {
  const memberSame = new Map<string, boolean>();
  const hostAnswers = new Map<string, string>();
  let layoutSame: boolean | undefined;
  return {
    member(key: string): boolean {
      let same = memberSame.get(key);
      if (same === undefined) {
        same = before.byKey.get(key)?.text === now.byKey.get(key)?.text;
        memberSame.set(key, same);
      }
      return same;
    },
    keyList: () => before.keyList === now.keyList,
    layout: () => (layoutSame ??= layoutOf(before) === layoutOf(now, before)),
    host(call: HostCall): string {
      const key = `${call.method}\0${call.args.join('\0')}`;
      let answer = hostAnswers.get(key);
      if (answer === undefined) {
        answer = askHost(host, call.method, call.args);
        hostAnswers.set(key, answer);
      }
      return answer;
    },
  };
}

function stillHolds(kept: Kept, check: ReturnType<typeof comparison> | undefined): boolean {
  if (!check) return false;
  const { reads } = kept;
  if (reads.keyList && !check.keyList()) return false;
  if (reads.layout && !check.layout()) return false;
  for (const key of reads.members) if (!check.member(key)) return false;
  for (const key of kept.placedIn) if (!check.member(key)) return false;
  return reads.host.every((call) => check.host(call) === call.answer);
}

function membersOf(doc: SpecDocument): Members | undefined {
  const root = doc.tree;
  if (doc.brokenAt !== undefined || !root || root.type !== 'object') return undefined;
  const byKey = new Map<string, Member>();
  const keys: string[] = [];
  for (const prop of root.children ?? []) {
    const key = prop.children?.[0]?.value;
    if (typeof key !== 'string' || byKey.has(key)) return undefined;
    keys.push(key);
    const lineStart = doc.text.lastIndexOf('\n', prop.offset - 1) + 1;
    byKey.set(key, {
      offset: prop.offset,
      length: prop.length,
      lineStart,
      text: doc.text.slice(lineStart, prop.offset + prop.length),
    });
  }
  return { byKey, keyList: JSON.stringify(keys), root, text: doc.text };
}

/** The host's answer, as text, so that two answers compare by value. */
function askHost(host: HostView, method: HostCall['method'], args: unknown[]): string {
  let answer: unknown;
  switch (method) {
    case 'lstat':
      answer = host.lstat(args[0] as string);
      break;
    case 'readdir':
      answer = host.readdir(args[0] as string);
      break;
    case 'readFile':
      answer = host.readFile ? host.readFile(args[0] as string, args[1] as number) : undefined;
      break;
    case 'readable':
      answer = host.readable ? host.readable(args[0] as string) : undefined;
      break;
    case 'kernelRelease':
      answer = host.kernelRelease;
      break;
  }
  return JSON.stringify(answer) ?? 'undefined';
}

/** `ctx` as one rule sees it, writing down in `reads` what the rule looks at. */
function trackingContext(
  ctx: RuleContext,
  reads: Reads,
  report: (f: Finding) => void,
): RuleContext {
  const member = (path: JsonPath) => {
    if (path.length === 0 || typeof path[0] !== 'string') reads.everything = true;
    else reads.members.add(path[0]);
  };
  const doc = ctx.doc;
  const trackedDoc: SpecDocument = {
    get text() {
      reads.layout = true;
      return doc.text;
    },
    fileName: doc.fileName,
    get tree() {
      reads.everything = true;
      return doc.tree;
    },
    get value() {
      reads.everything = true;
      return doc.value;
    },
    get syntaxFindings() {
      reads.everything = true;
      return doc.syntaxFindings;
    },
    brokenAt: doc.brokenAt,
    nodeAt: (path) => (member(path), doc.nodeAt(path)),
    rangeOf: (path) => (member(path), doc.rangeOf(path)),
    keyRangeOf: (path) => (member(path), doc.keyRangeOf(path)),
    // The nearest existing ancestor may be the root: its range is anchored to the root's ends.
    rangeNear: (path) => {
      if (path.length > 0) member(path);
      return doc.rangeNear(path);
    },
    positionAt: doc.positionAt,
    offsetAt: doc.offsetAt,
    rangeOfNode: doc.rangeOfNode,
  };
  const spec = ctx.spec && trackingSpec(ctx.spec, reads);
  const host = trackingHost(ctx.host, reads);
  return {
    doc: trackedDoc,
    spec,
    bundleDir: ctx.bundleDir,
    host,
    get specMounts() {
      reads.members.add('mounts');
      return ctx.specMounts;
    },
    get rootfs() {
      reads.members.add('root');
      return ctx.rootfs;
    },
    requester: ctx.requester,
    report,
  };
}

/** The spec object; its members themselves are handed out as they are (a member is read whole). */
function trackingSpec(spec: Record<string, unknown>, reads: Reads): Record<string, unknown> {
  const note = (key: string | symbol) => {
    if (typeof key === 'string') reads.members.add(key);
  };
  return new Proxy(spec, {
    get(target, key) {
      note(key);
      return Reflect.get(target, key);
    },
    has(target, key) {
      note(key);
      return Reflect.has(target, key);
    },
    getOwnPropertyDescriptor(target, key) {
      note(key);
      return Reflect.getOwnPropertyDescriptor(target, key);
    },
    ownKeys(target) {
      reads.keyList = true;
      return Reflect.ownKeys(target);
    },
    set() {
      reads.everything = true;
      return false;
    },
    deleteProperty() {
      reads.everything = true;
      return false;
    },
  });
}

function trackingHost(host: HostView, reads: Reads): HostView {
  const record = (method: HostCall['method'], args: unknown[], answer: unknown) => {
    reads.host.push({ method, args, answer: JSON.stringify(answer) ?? 'undefined' });
    return answer;
  };
  return {
    lstat: (p) => record('lstat', [p], host.lstat(p)) as ReturnType<HostView['lstat']>,
    readdir: (p) => record('readdir', [p], host.readdir(p)) as ReturnType<HostView['readdir']>,
    get kernelRelease() {
      return record('kernelRelease', [], host.kernelRelease) as string | undefined;
    },
    ...(host.readFile
      ? {
          readFile: (p: string, max: number) =>
            record('readFile', [p, max], host.readFile!(p, max)) as string | null,
        }
      : {}),
    ...(host.readable
      ? { readable: (p: string) => record('readable', [p], host.readable!(p)) as true | string }
      : {}),
  };
}

function anchorOf(offset: number, members: Members): Anchor | undefined {
  for (const [key, m] of members.byKey) {
    if (offset >= m.offset && offset <= m.offset + m.length)
      return { member: key, at: offset - m.offset };
  }
  const { root } = members;
  if (offset >= root.offset && offset <= root.offset + 1)
    return { root: 'start', at: offset - root.offset };
  if (offset === 0) return { doc: 0 };
  const end = root.offset + root.length;
  if (offset >= end - 1 && offset <= end) return { root: 'end', at: offset - end };
  return undefined;
}

function offsetOf(anchor: Anchor, members: Members): number {
  if ('member' in anchor) return members.byKey.get(anchor.member)!.offset + anchor.at;
  if ('root' in anchor)
    return anchor.root === 'start'
      ? members.root.offset + anchor.at
      : members.root.offset + members.root.length + anchor.at;
  return 0;
}

function anchorRange(range: Range, members: Members, doc: SpecDocument): AnchoredRange | undefined {
  const start = anchorOf(doc.offsetAt(range.start), members);
  const end = anchorOf(doc.offsetAt(range.end), members);
  // A place the offsets cannot give back exactly (past the end of a line) is not kept.
  if (!start || !end || !samePosition(doc.positionAt(doc.offsetAt(range.start)), range.start))
    return undefined;
  if (!samePosition(doc.positionAt(doc.offsetAt(range.end)), range.end)) return undefined;
  return { start, end };
}

function samePosition(a: Position, b: Position): boolean {
  return a.line === b.line && a.character === b.character;
}

function anchorFinding(
  f: Finding,
  members: Members,
  doc: SpecDocument,
): AnchoredFinding | undefined {
  const range = anchorRange(f.range, members, doc);
  if (!range) return undefined;
  // Keys kept as they are, even when undefined: the plan from scratch has them so.
  const out = { ...f, range } as unknown as AnchoredFinding;
  if (f.related) {
    out.related = [];
    for (const r of f.related) {
      const at = anchorRange(r.range, members, doc);
      if (!at) return undefined;
      out.related.push({ message: r.message, range: at });
    }
  }
  if (f.fixes) {
    out.fixes = [];
    for (const fix of f.fixes) {
      const edits = [];
      for (const e of fix.edits) {
        const at = anchorRange(e.range, members, doc);
        if (!at) return undefined;
        edits.push({ range: at, newText: e.newText });
      }
      out.fixes.push({ ...fix, edits });
    }
  }
  return structuredClone(out);
}

function anchoredMembers(f: AnchoredFinding): string[] {
  const out: string[] = [];
  const add = (r: AnchoredRange) => {
    for (const a of [r.start, r.end]) if ('member' in a) out.push(a.member);
  };
  add(f.range);
  for (const r of f.related ?? []) add(r.range);
  for (const fix of f.fixes ?? []) for (const e of fix.edits) add(e.range);
  return out;
}

function placeFinding(f: AnchoredFinding, members: Members, doc: SpecDocument): Finding {
  const place = (r: AnchoredRange): Range => ({
    start: doc.positionAt(offsetOf(r.start, members)),
    end: doc.positionAt(offsetOf(r.end, members)),
  });
  const out = { ...f, path: [...f.path], range: place(f.range) } as unknown as Finding;
  if (f.related)
    out.related = f.related.map((r) => ({ message: r.message, range: place(r.range) }));
  if (f.fixes)
    out.fixes = f.fixes.map((fix) => ({
      ...fix,
      edits: fix.edits.map((e) => ({ range: place(e.range), newText: e.newText })),
    }));
  return out;
}
