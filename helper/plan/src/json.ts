// Narrowing helpers for a spec of unknown shape: the planner never trusts a type.

export type JsonObject = Record<string, unknown>;

export function asObject(v: unknown): JsonObject | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as JsonObject) : undefined;
}

export function asArray(v: unknown): unknown[] {
  return Array.isArray(v) ? v : [];
}

export function asString(v: unknown): string | undefined {
  return typeof v === 'string' ? v : undefined;
}

export function asBoolean(v: unknown): boolean {
  return v === true;
}

/** The value at `path` inside `root`, or undefined as soon as a step does not fit. */
export function get(root: unknown, ...path: (string | number)[]): unknown {
  let cur: unknown = root;
  for (const seg of path) {
    if (typeof seg === 'number') {
      if (!Array.isArray(cur)) return undefined;
      cur = cur[seg];
    } else {
      const o = asObject(cur);
      if (!o || !Object.prototype.hasOwnProperty.call(o, seg)) return undefined;
      cur = o[seg];
    }
  }
  return cur;
}
