// `bindery update`: new linux.resources for a running container, written into the cgroup
// `create` made. What each field becomes (file, value, v1 or v2 form) is the plan's
// resourceWrites, the same the create wrote, so `update` decides nothing of its own.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { resourceWrites, type JsonPath } from '@bindery/plan';
import { cgroupOf } from './ociCgroups';
import { RuntimeError } from './runtimeError';
import type { OciContainerState } from './ociState';
import { writeState } from './stateFile';

type Resources = Record<string, unknown>;

/** The container's linux.resources now: the last update's, else its config.json's (what create set up). */
function currentResources(state: OciContainerState): Resources {
  if (state.resources) return state.resources;
  try {
    const spec = JSON.parse(fs.readFileSync(path.join(state.bundle, 'config.json'), 'utf8')) as {
      linux?: { resources?: Resources };
    };
    return spec.linux?.resources ?? {};
  } catch {
    return {};
  }
}

/** `update`'s fields over the ones the container has, one level deep (memory, cpu, pids …), as runc merges them. */
function merge(base: Resources, update: Resources): Resources {
  const out: Resources = { ...base };
  for (const [k, v] of Object.entries(update)) {
    const b = base[k];
    out[k] =
      v &&
      typeof v === 'object' &&
      !Array.isArray(v) &&
      b &&
      typeof b === 'object' &&
      !Array.isArray(b)
        ? { ...b, ...v }
        : v;
  }
  return out;
}

function fieldName(p: JsonPath): string {
  return p.slice(2).join('.');
}

/**
 * Writes the container's new limits and keeps them in its state, so the next update starts
 * from them (as runc keeps its config); throws naming the file the kernel refused.
 */
export function updateResources(dir: string, state: OciContainerState, update: Resources): void {
  const op = cgroupOf(state.plan);
  if (!op) throw new RuntimeError('the container has no cgroup (its plan places it in none)');
  const resources = merge(currentResources(state), update);
  const { writes, unapplied } = resourceWrites({ linux: { resources } }, op.hierarchies, () => ({
    kind: 'added',
    reason: 'bindery update',
  }));
  const asked = unapplied.filter((p) => p[2] !== undefined && update[p[2] as string] !== undefined);
  if (asked.length)
    throw new RuntimeError(
      `bindery does not apply ${asked.map(fieldName).join(', ')} yet (it applies memory, pids, cpu and cpuset)`,
    );
  // The device rules stay as create wrote them: rewriting them would briefly deny every device.
  for (const w of writes.filter((x) => !/\/devices\.(allow|deny)$/.test(x.file))) {
    try {
      fs.writeFileSync(w.file, w.value);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? String(e);
      throw new RuntimeError(
        `unable to set ${path.basename(w.file)} to ${w.value} in ${path.dirname(w.file)}: ${code}`,
      );
    }
  }
  const updated: OciContainerState = { ...state, resources };
  writeState(dir, updated);
}
