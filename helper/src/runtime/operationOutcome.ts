// What the init says about one operation: its index in the plan and how it went. The
// launcher holds the plan, so it adds the operation and its text (operationEvent) instead
// of the init serialising both for every step of a launch and the launcher parsing them back.
import { renderOperation, type Plan } from '@bindery/plan';
import type { OperationEvent } from '../protocol';

export interface OperationOutcome {
  index: number;
  ok: boolean;
  errno?: string;
  /** A note on success (`skipped`, `already exists`), the failure's message otherwise. */
  message?: string;
  hint?: string;
}

/** The protocol's event for an outcome; undefined when `index` is not one of the plan's operations. */
export function operationEvent(id: string, plan: Plan, o: OperationOutcome): OperationEvent | undefined {
  const operation = Number.isInteger(o.index) && o.index >= 0 ? plan.operations[o.index] : undefined;
  if (!operation) return undefined;
  return {
    id,
    index: o.index,
    operation,
    text: renderOperation(operation),
    ok: o.ok === true,
    ...(typeof o.errno === 'string' ? { errno: o.errno } : {}),
    ...(typeof o.message === 'string' ? { message: o.message } : {}),
    ...(typeof o.hint === 'string' ? { hint: o.hint } : {}),
  };
}
