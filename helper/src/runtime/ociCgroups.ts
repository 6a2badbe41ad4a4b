// The container's cgroup for the OCI interface: the plan's `cgroup` step (made by `create`
// with cgroups.ts, as a daemon launch makes it), a process that joins it (`exec`), and its
// freezer (`pause`, `resume`): v1's freezer.state, or cgroup.freeze on a v2-only host.
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { CgroupOp, Plan } from '@bindery/plan';
import { cgroupDirs } from './cgroups';
import { RuntimeError } from './runtimeError';

export function cgroupOf(plan: Plan): CgroupOp | undefined {
  return plan.operations.find((o): o is CgroupOp => o.op === 'cgroup');
}

/** Put `pid` (a process joining the container) into the container's cgroup in every hierarchy. */
export function joinCgroups(op: CgroupOp, pid: number): void {
  for (const { dir } of cgroupDirs(op)) {
    try {
      fs.writeFileSync(path.join(dir, 'cgroup.procs'), String(pid));
    } catch (e) {
      throw new RuntimeError(
        `cannot move process ${pid} into the container's cgroup ${dir}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`,
      );
    }
  }
}

interface Freezer {
  file: string;
  frozen: string;
  thawed: string;
}

function freezerOf(op: CgroupOp | undefined): Freezer | undefined {
  if (!op) return undefined;
  const dirs = cgroupDirs(op);
  const v1 = dirs.find((d) => !d.hierarchy.v2 && d.hierarchy.name.split(',').includes('freezer'));
  if (v1) return { file: path.join(v1.dir, 'freezer.state'), frozen: 'FROZEN', thawed: 'THAWED' };
  if (dirs.length === 1 && dirs[0].hierarchy.v2)
    return { file: path.join(dirs[0].dir, 'cgroup.freeze'), frozen: '1', thawed: '0' };
  return undefined;
}

/** Whether the container's processes are frozen (`paused`). */
export function isFrozen(plan: Plan): boolean {
  const f = freezerOf(cgroupOf(plan));
  if (!f) return false;
  try {
    return fs.readFileSync(f.file, 'utf8').trim() === f.frozen;
  } catch {
    return false;
  }
}

/** Freeze or thaw every process of the container; resolves once the kernel says it is done. */
export async function setFrozen(plan: Plan, frozen: boolean): Promise<void> {
  const f = freezerOf(cgroupOf(plan));
  if (!f)
    throw new RuntimeError(
      'the container has no freezer cgroup (its plan places it in no cgroup, or the host has no freezer)',
    );
  const want = frozen ? f.frozen : f.thawed;
  fs.writeFileSync(f.file, want);
  // v1 passes through FREEZING while tasks stop; ask again (runc does the same).
  for (let i = 0; i < 1000; i++) {
    const now = fs.readFileSync(f.file, 'utf8').trim();
    if (now === want) return;
    if (frozen && now === f.thawed) fs.writeFileSync(f.file, want);
    await new Promise((r) => setTimeout(r, 1));
  }
  throw new RuntimeError(
    `the container did not become ${frozen ? 'frozen' : 'thawed'} (${f.file})`,
  );
}
