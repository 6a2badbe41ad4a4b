// Request parameters as the daemon accepts them: checked field by field, never trusted.
import * as posix from 'node:path/posix';
import { DEFAULT_SOCKET_PATH, MAX_INPUT_BYTES, type FeaturesParams, type IdParams, type InputParams, type LaunchParams, type ResizeParams, type StopParams, type ValidateParams } from '../protocol';
import { ID_PATTERN, isContainerId } from '../runtime/containerId';
import { invalidParams } from './errors';

/** An engine's container (engineContainers.ts): `ENGINE[.NAMESPACE]:RUNTIME_ID`. */
export const ENGINE_KEY_PATTERN = new RegExp(`^[A-Za-z0-9_.+-]{1,80}:${ID_PATTERN.source.slice(1)}`);
/** The state directory holds the socket too: no container may take its name. */
const SOCKET_NAME = posix.basename(DEFAULT_SOCKET_PATH);
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
  if (typeof v !== 'string' || !isContainerId(v) || v === SOCKET_NAME)
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

export function inputParams(params: unknown): InputParams {
  const o = object(params);
  only(o, ['id', 'data']);
  if (typeof o.data !== 'string') throw invalidParams('data must be a string');
  if (Buffer.byteLength(o.data) > MAX_INPUT_BYTES) throw invalidParams(`data must be at most ${MAX_INPUT_BYTES} bytes (UTF-8); send more in several requests`);
  return { id: checkId(o.id), data: o.data };
}

export function resizeParams(params: unknown): ResizeParams {
  const o = object(params);
  only(o, ['id', 'rows', 'cols']);
  for (const k of ['rows', 'cols'] as const) {
    const v = o[k];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 1 || v > 0xffff) throw invalidParams(`${k} must be an integer from 1 to 65535`);
  }
  return { id: checkId(o.id), rows: o.rows as number, cols: o.cols as number };
}

/**
 * Unknown fields are ignored (unlike every other request's): a newer client names features
 * this helper does not have, and the answer tells it which ones it got.
 */
export function featuresParams(params: unknown): FeaturesParams {
  const o = object(params);
  const batches = o.operationBatches;
  if (batches !== undefined && typeof batches !== 'boolean') throw invalidParams('operationBatches must be true or false');
  return batches === undefined ? {} : { operationBatches: batches };
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
