// A `create` that failed leaves no state directory (as runc), so an editor watching the
// runtime's root would never see it. The reason is kept beside the containers instead:
// `<root>/failures@/<id>.json` (the `@` keeps it out of the container ids), at most
// MAX_FAILURE_RECORDS of them, the oldest removed first, so a root nobody watches does not
// grow. The daemon shows each as a failed container with the findings or the failed
// operation on its config.json entry, and removes it when the user clears it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Finding } from '@bindery/plan';
import type { OperationFailure } from '../protocol';
import { ID_PATTERN } from './containerId';
import type { EngineName } from './ociEngine';

export const FAILURES_DIR = 'failures@';
export const MAX_FAILURE_RECORDS = 16;
/** Findings kept per record: enough to show where the spec is wrong, bounded in size. */
const MAX_FINDINGS = 50;

export interface FailureRecord {
  version: 1;
  id: string;
  bundle: string;
  createdAt: string;
  engine: EngineName;
  /** The error the engine was given. */
  message: string;
  /** The plan refused the spec: what and where in config.json. */
  findings?: Finding[];
  /** An operation of the plan failed. */
  failure?: OperationFailure;
}

/** What a create failure carries besides its message, for the record. */
export interface FailureDetail {
  findings?: Finding[];
  failure?: OperationFailure;
}

export function failuresDirOf(root: string): string {
  return path.join(path.resolve(root), FAILURES_DIR);
}

/** Best effort: a record that cannot be written must not change what the engine is told. */
export function recordFailure(root: string, record: FailureRecord): void {
  try {
    const dir = failuresDirOf(root);
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    const kept: FailureRecord = {
      ...record,
      ...(record.findings ? { findings: record.findings.slice(0, MAX_FINDINGS) } : {}),
    };
    const file = path.join(dir, `${record.id}.json`);
    const tmp = path.join(dir, `.${record.id}.${process.pid}.tmp`);
    fs.writeFileSync(tmp, JSON.stringify(kept), { mode: 0o600 });
    fs.renameSync(tmp, file);
    pruneFailures(dir);
  } catch {
    // the engine still gets the error; only the editor misses it
  }
}

function pruneFailures(dir: string): void {
  const records = fs
    .readdirSync(dir)
    .filter((n) => n.endsWith('.json'))
    .map((n) => {
      try {
        return { n, t: fs.statSync(path.join(dir, n)).mtimeMs };
      } catch {
        return { n, t: 0 };
      }
    })
    .sort((a, b) => b.t - a.t);
  for (const r of records.slice(MAX_FAILURE_RECORDS))
    fs.rmSync(path.join(dir, r.n), { force: true });
}

/** A record as the daemon reads it: checked, since a root's contents are data, not orders. */
export function readFailure(file: string): FailureRecord | undefined {
  try {
    const r = JSON.parse(fs.readFileSync(file, 'utf8')) as FailureRecord;
    if (
      r.version !== 1 ||
      typeof r.id !== 'string' ||
      !ID_PATTERN.test(r.id) ||
      typeof r.bundle !== 'string' ||
      typeof r.message !== 'string' ||
      typeof r.engine?.name !== 'string'
    )
      return undefined;
    return r;
  } catch {
    return undefined;
  }
}
