// Request parameters as the daemon accepts them: checked field by field, never trusted.
import * as posix from 'node:path/posix';
import type { IdParams, LaunchParams, StopParams, ValidateParams } from '../protocol';
import { ID_PATTERN } from '../runtime/containerId';
import { invalidParams } from './errors';

/** An engine's container (engineContainers.ts): `ENGINE[.NAMESPACE]:RUNTIME_ID`. */
export const ENGINE_KEY_PATTERN = /^[A-Za-z0-9_.+-]{1,80}:[A-Za-z0-9_.-]{1,64}$/;
/** Names the state directory already uses for itself. */
const RESERVED_IDS = new Set(['.', '..', 'bindery.sock']);
const MAX_PATH = 4096;
export const MAX_STOP_TIMEOUT_MS = 10 * 60 * 1000;

function object(params: unknown): Record<string, unknown> {
  if (typeof params !== 'object' || params === null || Array.isArray(params)) throw invalidParams('params must be an object');
  return params as Record<string, unknown>;
}

function only(o: Record<string, unknown>, allowed: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) throw invalidParams(`unknown parameter "${k.slice(0, 64)}"`);
}

export function checkId(v: unknown): string {
  if (typeof v !== 'string' || !ID_PATTERN.test(v) || RESERVED_IDS.has(v))
    throw invalidParams(`id must match [A-Za-z0-9_.-]{1,64} and not be "." or ".."; got ${typeof v === 'string' ? JSON.stringify(v.slice(0, 80)) : v === null ? 'null' : typeof v}`);
  return v;
}

function checkBundle(v: unknown): string {
  if (typeof v !== 'string' || v.length === 0 || v.length > MAX_PATH || v.includes('\0'))
    throw invalidParams('bundle must be a non-empty path without NUL bytes');
  if (!v.startsWith('/')) throw invalidParams(`bundle must be an absolute path; got ${JSON.stringify(v.slice(0, 200))}`);
  return posix.normalize(v);
}

export function validateParams(params: unknown): ValidateParams {
  const o = object(params);
  only(o, ['bundle']);
  return { bundle: checkBundle(o.bundle) };
}

export function launchParams(params: unknown): LaunchParams {
  const o = object(params);
  only(o, ['bundle', 'id']);
  return { bundle: checkBundle(o.bundle), id: o.id === undefined ? undefined : checkId(o.id) };
}

/** An id of a container that exists: one the helper launched, or an engine's. */
function checkContainerRef(v: unknown): string {
  if (typeof v === 'string' && ENGINE_KEY_PATTERN.test(v)) return v;
  return checkId(v);
}

export function idParams(params: unknown): IdParams {
  const o = object(params);
  only(o, ['id']);
  return { id: checkContainerRef(o.id) };
}

export function stopParams(params: unknown): StopParams {
  const o = object(params);
  only(o, ['id', 'timeoutMs']);
  const t = o.timeoutMs;
  if (t !== undefined && (typeof t !== 'number' || !Number.isInteger(t) || t < 0 || t > MAX_STOP_TIMEOUT_MS))
    throw invalidParams(`timeoutMs must be an integer from 0 to ${MAX_STOP_TIMEOUT_MS}`);
  return { id: checkContainerRef(o.id), timeoutMs: t as number | undefined };
}

/**
 * Requests without parameters accept none, an empty object or array, or `[null]` (what
 * vscode-jsonrpc sends for a `RequestType<void, …>`).
 */
export function noParams(params: unknown): void {
  if (params === undefined || params === null) return;
  if (Array.isArray(params) && params.every((p) => p === null)) return;
  if (typeof params === 'object' && !Array.isArray(params) && Object.keys(params).length === 0) return;
  throw invalidParams('this request takes no parameters');
}
