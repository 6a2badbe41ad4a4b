// `pause` and `resume` through the container's freezer cgroup (ociCgroups.ts), and `update`
// (new linux.resources through the plan's cgroup writes, ociUpdate.ts), as runc does them.
import * as fs from 'node:fs';
import { setFrozen } from '../../runtime/ociCgroups';
import { updateResources } from '../../runtime/ociUpdate';
import { loadState, RuntimeError, statusOf } from '../../runtime/ociState';
import { oneId, parseRuntimeArgs } from './args';
import type { RuntimeCommand } from './runtimeCli';

function freeze(command: 'pause' | 'resume', frozen: boolean): RuntimeCommand {
  return async (args, ctx) => {
    const { positionals } = parseRuntimeArgs(command, args, {});
    const { dir, state } = loadState(ctx.root, oneId(command, positionals));
    const status = statusOf(dir, state);
    if (status === 'stopped' || status === 'creating')
      throw new RuntimeError('container not running');
    if (frozen && status === 'paused') throw new RuntimeError('container already paused');
    if (!frozen && status !== 'paused') throw new RuntimeError('container not paused');
    await setFrozen(state.plan, frozen);
    return 0;
  };
}

export const pauseCommand = freeze('pause', true);
export const resumeCommand = freeze('resume', false);

const UPDATE_OPTIONS = {
  resources: { type: 'string', short: 'r' },
  'blkio-weight': { type: 'string' },
  'cpu-period': { type: 'string' },
  'cpu-quota': { type: 'string' },
  'cpu-share': { type: 'string' },
  'cpu-rt-period': { type: 'string' },
  'cpu-rt-runtime': { type: 'string' },
  'cpuset-cpus': { type: 'string' },
  'cpuset-mems': { type: 'string' },
  memory: { type: 'string' },
  'memory-reservation': { type: 'string' },
  'memory-swap': { type: 'string' },
  'pids-limit': { type: 'string' },
  'l3-cache-schema': { type: 'string' },
  'mem-bw-schema': { type: 'string' },
} as const;

type UpdateValues = Partial<Record<keyof typeof UPDATE_OPTIONS, string>>;

/** runc's memory sizes (docker's RAMInBytes): `64m`, `1.5G`, `512KiB`; binary units. */
export function parseBytes(flag: string, v: string): number {
  if (v === '-1') return -1;
  const m = /^(\d+(?:\.\d+)?) ?([kmgtp])?i?b?$/i.exec(v);
  if (!m) throw new RuntimeError(`invalid value for --${flag}: ${v}`);
  const power = m[2] ? 'kmgtp'.indexOf(m[2].toLowerCase()) + 1 : 0;
  return Math.floor(Number(m[1]) * 1024 ** power);
}

function parseInteger(flag: string, v: string): number {
  if (!/^-?\d+$/.test(v)) throw new RuntimeError(`invalid value for --${flag}: ${v}`);
  return Number(v);
}

/** The flag forms, as runc reads them when there is no --resources. */
export function resourcesFromFlags(v: UpdateValues): Record<string, Record<string, unknown>> {
  if (v['l3-cache-schema'] !== undefined || v['mem-bw-schema'] !== undefined)
    throw new RuntimeError(
      'bindery does not support Intel RDT (--l3-cache-schema, --mem-bw-schema)',
    );
  const r: Record<string, Record<string, unknown>> = {};
  const set = (group: string, key: string, value: unknown) => ((r[group] ??= {})[key] = value);
  const int = (flag: keyof UpdateValues, group: string, key: string) => {
    if (v[flag] !== undefined) set(group, key, parseInteger(flag, v[flag]!));
  };
  const bytes = (flag: keyof UpdateValues, key: string) => {
    if (v[flag] !== undefined) set('memory', key, parseBytes(flag, v[flag]!));
  };
  int('blkio-weight', 'blockIO', 'weight');
  int('cpu-period', 'cpu', 'period');
  int('cpu-quota', 'cpu', 'quota');
  int('cpu-share', 'cpu', 'shares');
  int('cpu-rt-period', 'cpu', 'realtimePeriod');
  int('cpu-rt-runtime', 'cpu', 'realtimeRuntime');
  if (v['cpuset-cpus'] !== undefined) set('cpu', 'cpus', v['cpuset-cpus']);
  if (v['cpuset-mems'] !== undefined) set('cpu', 'mems', v['cpuset-mems']);
  bytes('memory', 'limit');
  bytes('memory-reservation', 'reservation');
  bytes('memory-swap', 'swap');
  int('pids-limit', 'pids', 'limit');
  return r;
}

/** `--resources FILE` (`-`: stdin): linux.resources as JSON. */
function readResources(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = fs.readFileSync(file === '-' ? 0 : file, 'utf8');
  } catch (e) {
    throw new RuntimeError(
      `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
    );
  }
  try {
    const r = JSON.parse(text) as unknown;
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error('not an object');
    return r as Record<string, unknown>;
  } catch (e) {
    throw new RuntimeError(`decoding resources from ${file}: ${(e as Error).message}`);
  }
}

export const updateCommand: RuntimeCommand = (args, ctx) => {
  const { values, positionals } = parseRuntimeArgs('update', args, UPDATE_OPTIONS);
  const { dir, state } = loadState(ctx.root, oneId('update', positionals));
  const status = statusOf(dir, state);
  if (status === 'stopped' || status === 'creating')
    throw new RuntimeError('container not running');
  const update =
    values.resources !== undefined ? readResources(values.resources) : resourcesFromFlags(values);
  updateResources(dir, state, update);
  return 0;
};
