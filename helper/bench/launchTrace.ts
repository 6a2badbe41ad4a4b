// Reading `strace -f -ttt -T` output as a timeline: an ordered list of marks, each the first
// syscall line of one process role matching a pattern at or after the previous mark; the
// time between two marks is the span the later mark names.
export interface TraceLine {
  pid: number;
  t: number;
  text: string;
}

/**
 * One line per syscall, at its start: a call that strace split (`<unfinished ...>`, then
 * `<... name resumed>` once another process's call came between) is joined back together.
 */
export function parseTrace(text: string): TraceLine[] {
  const out: TraceLine[] = [];
  const pending = new Map<number, TraceLine>();
  for (const line of text.split('\n')) {
    const m = /^(\d+)\s+(\d+\.\d+)\s+(.*)$/.exec(line);
    if (!m) continue;
    const pid = Number(m[1]);
    const body = m[3];
    const resumed = /^<\.\.\. \S+ resumed>(.*)$/.exec(body);
    const started = pending.get(pid);
    if (resumed && started) {
      pending.delete(pid);
      started.text += resumed[1];
      continue;
    }
    const entry = { pid, t: Number(m[2]), text: body.replace(/ <unfinished \.\.\.>$/, '') };
    out.push(entry);
    if (entry.text !== body) pending.set(pid, entry);
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
