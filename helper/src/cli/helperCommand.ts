// What every command that talks to binderyd shares: connect (socket from --socket or
// BINDERY_SOCKET), run, and turn a refusal into one line a person can act on.
import { HelperClient, HelperError } from '../client';
import type { CliIO } from './command';

export const SOCKET_OPTION = { socket: { type: 'string' } } as const;

export async function withHelper(io: CliIO, name: string, socketPath: string | undefined, fn: (c: HelperClient) => Promise<number>): Promise<number> {
  let client: HelperClient;
  try {
    client = await HelperClient.connect({ socketPath });
  } catch (e) {
    if (e instanceof HelperError) {
      io.err(`bindery ${name}: ${e.message}`);
      return 1;
    }
    throw e;
  }
  try {
    return await fn(client);
  } catch (e) {
    if (e instanceof HelperError) {
      io.err(`bindery ${name}: ${e.message}`);
      for (const f of e.data?.findings ?? []) io.err(`  ${f.range.start.line + 1}:${f.range.start.character + 1} ${f.severity} ${f.code}: ${f.message}`);
      if (e.data?.failure) io.err(`  ${e.data.failure.errno}: ${e.data.failure.message}\n  hint: ${e.data.failure.hint}`);
      return 1;
    }
    throw e;
  } finally {
    client.close();
  }
}

/** `2026-11-22T05:00:00.000Z` → `12s ago` / `5m ago` / the date. */
export function age(iso: string, now = Date.now()): string {
  const s = Math.round((now - Date.parse(iso)) / 1000);
  if (!Number.isFinite(s)) return iso;
  if (s < 60) return `${Math.max(s, 0)}s ago`;
  if (s < 3600) return `${Math.floor(s / 60)}m ago`;
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`;
  return iso.slice(0, 10);
}

export function table(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  '));
}
