// Reading `strace -f -ttt -T` output as a timeline: an ordered list of marks, each the first
// syscall line of one process role matching a pattern at or after the previous mark; the
// time between two marks is the span the later mark names.
export interface TraceLine {
  pid: number;
  t: number;
  text: string;
}

export function parseTrace(text: string): TraceLine[] {
  const out: TraceLine[] = [];
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/.exec(line);
    if (m) out.push({ pid: Number(m[1]), t: Number(m[2]), text: m[3] });
  }
  return out;
}

export interface Mark {
  /** The process role whose syscall ends the span (roles are resolved per trace). */
  who: string;
  at: RegExp;
  /** What happened between the previous mark and this one. */
  span: string;
  /** The phase both tools share, for the comparison. */
  phase: string;
}

export interface Span {
  span: string;
  phase: string;
  ms: number;
}

/** Spans of one trace, or the label of the first mark not found. */
export function spansOf(lines: TraceLine[], roles: Record<string, number>, start: Mark, marks: Mark[]): Span[] | string {
  const find = (m: Mark, from: number) => lines.find((l) => l.t >= from && l.pid === roles[m.who] && m.at.test(l.text));
  const first = find(start, 0);
  if (!first) return start.span;
  let t = first.t;
  const out: Span[] = [];
  for (const m of marks) {
    const hit = find(m, t);
    if (!hit) return m.span;
    out.push({ span: m.span, phase: m.phase, ms: (hit.t - t) * 1000 });
    t = hit.t;
  }
  return out;
}

/** The first line of `pid` matching `at` (after `from`), its time. */
export function timeOf(lines: TraceLine[], pid: number, at: RegExp, from = 0): number | undefined {
  return lines.find((l) => l.t >= from && l.pid === pid && at.test(l.text))?.t;
}
