// The plan's cgroup step, done by the launcher on the host: a directory per hierarchy (and
// any missing parents, remembered so teardown removes exactly those), the init moved in
// before it unshares its cgroup namespace, then the limits — runc's Apply, then Set. The
// directories are removed at teardown, after the last process left them.
import * as fs from 'node:fs';
import * as posix from 'node:path/posix';
import type { CgroupOp } from '@bindery/plan';
import { attachDeviceProgram } from './cgroupDevices';
import type { DaemonSyscalls } from './syscalls';

export type CgroupResult =
  | { ok: true; made: string[] }
  | { ok: false; made: string[]; errno: string; message: string; hint: string };

const code = (e: unknown) => (e as NodeJS.ErrnoException).code ?? 'EIO';

/** The directory of the container in one hierarchy, never outside that hierarchy. */
function dirOf(mount: string, cgPath: string): string {
  const dir = posix.join(mount, posix.normalize(`/${cgPath}`));
  if (dir !== mount && !dir.startsWith(`${mount}/`))
    throw new Error(`cgroup path ${cgPath} leaves ${mount}`);
  return dir;
}

/**
 * A new v1 cpuset cgroup starts with no CPUs and no memory nodes, and takes no task until it
 * has them: copy the parent's (runc does the same).
 */
function inheritCpuset(dir: string): void {
  for (const f of ['cpuset.cpus', 'cpuset.mems']) {
    const file = posix.join(dir, f);
    if (!fs.existsSync(file) || fs.readFileSync(file, 'utf8').trim() !== '') continue;
    fs.writeFileSync(file, fs.readFileSync(posix.join(posix.dirname(dir), f), 'utf8').trim());
  }
}

/** The container's directory in each hierarchy (for a process joining it, and the freezer). */
export function cgroupDirs(op: CgroupOp): { hierarchy: CgroupOp['hierarchies'][number]; dir: string }[] {
  return op.hierarchies.map((h) => ({ hierarchy: h, dir: dirOf(h.mount, h.path) }));
}

/** What createCgroups needs of the kernel beyond files: the eBPF device program of a cgroup2 host. */
export type CgroupSyscalls = Pick<DaemonSyscalls, 'bpfLoadDeviceProgram' | 'bpfDeviceProgram' | 'close'>;

export function createCgroups(op: CgroupOp, pid: number, sys?: CgroupSyscalls): CgroupResult {
  const made: string[] = [];
  let step = 'create';
  let where = '';
  try {
    const dirs = op.hierarchies.map((h) => ({ h, dir: dirOf(h.mount, h.path) }));
    for (const { h, dir } of dirs) {
      // Parents first, each remembered when this launch made it.
      const parts = posix.relative(h.mount, dir).split('/').filter(Boolean);
      for (let i = 1; i <= parts.length; i++) {
        const d = posix.join(h.mount, ...parts.slice(0, i));
        where = d;
        try {
          fs.mkdirSync(d, { mode: 0o755 });
          made.push(d);
        } catch (e) {
          if (code(e) !== 'EEXIST') throw e;
        }
        if (!h.v2 && h.name.split(',').includes('cpuset')) inheritCpuset(d);
      }
    }
    step = 'join';
    for (const { dir } of dirs) {
      where = dir;
      fs.writeFileSync(posix.join(dir, 'cgroup.procs'), String(pid));
    }
    step = 'write';
    for (const w of op.writes) {
      where = w.file;
      fs.writeFileSync(w.file, w.value);
    }
    if (op.devices) {
      // runc's Set on cgroup2: the device list as an eBPF program on the container's cgroup.
      step = 'devices';
      const dir = dirs[0].dir;
      where = dir;
      if (!sys) throw Object.assign(new Error('no bpf'), { code: 'ENOSYS' });
      const prog = attachDeviceProgram(sys, dir, op.devices);
      if (!prog.ok) throw Object.assign(new Error(prog.call), { code: prog.errno, call: prog.call });
      sys.close(prog.value);
    }
    return { ok: true, made };
  } catch (e) {
    const errno = code(e);
    const message =
      step === 'create'
        ? `cannot create the cgroup ${where}`
        : step === 'join'
          ? `cannot move the container's init into ${where}`
          : step === 'devices'
            ? `cannot attach the device program (linux.resources.devices) to ${where}: ${(e as { call?: string }).call ?? (e as Error).message}`
            : `the kernel refused ${posix.basename(where)} in ${posix.dirname(where)}`;
    const hint =
      step === 'devices'
        ? 'the kernel needs CONFIG_CGROUP_BPF and the helper CAP_SYS_ADMIN (or CAP_BPF) to enforce device rules on cgroup2'
        : step === 'write'
        ? 'check the value in linux.resources (a memory limit below what the process already uses is refused)'
        : errno === 'EROFS' || errno === 'EACCES'
          ? 'the helper needs a writable /sys/fs/cgroup (is it running in a container itself?)'
          : 'check linux.cgroupsPath';
    return { ok: false, made, errno, message: `${errno}: ${message}`, hint };
  }
}

/**
 * Remove what createCgroups made, deepest first. A cgroup still holding a task is busy
 * (EBUSY) while the pid namespace's last processes are being reaped: tried again for up to
 * about a second. Returns the directories left.
 */
export async function removeCgroups(made: readonly string[]): Promise<string[]> {
  const left: string[] = [];
  for (const dir of [...made].sort((a, b) => b.length - a.length)) {
    for (let attempt = 0; ; attempt++) {
      try {
        fs.rmdirSync(dir);
        break;
      } catch (e) {
        if (code(e) === 'ENOENT') break;
        if (code(e) !== 'EBUSY' || attempt >= 100) {
          left.push(dir);
          break;
        }
        await new Promise((r) => setTimeout(r, 10));
      }
    }
  }
  return left;
}

export interface MemoryOutcome {
  /** Processes the kernel's OOM killer killed in the container's cgroup. */
  oomKills?: number;
  /** The most memory the cgroup used, in bytes. */
  memoryPeak?: number;
}

/** A counter of a `key value` file (memory.events, memory.oom_control), undefined when absent. */
function counter(file: string, key: string): number | undefined {
  try {
    const m = new RegExp(`^${key} (\\d+)$`, 'm').exec(fs.readFileSync(file, 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

function bytes(file: string): number | undefined {
  try {
    const n = Number(fs.readFileSync(file, 'utf8').trim());
    return Number.isFinite(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

/**
 * What the container's memory cgroup says once its process is gone, read before teardown
 * removes it: OOM kills (cgroup2 memory.events, v1 memory.oom_control, `oom_kill`, Linux
 * 4.13+) and the peak usage (memory.peak, v1 memory.max_usage_in_bytes).
 */
export function memoryOutcome(op: CgroupOp | undefined): MemoryOutcome {
  if (!op) return {};
  const mem = cgroupDirs(op).find(({ hierarchy: h }) =>
    h.v2 ? op.hierarchies.length === 1 : h.name.split(',').includes('memory'),
  );
  if (!mem) return {};
  const [events, peak] = mem.hierarchy.v2
    ? ['memory.events', 'memory.peak']
    : ['memory.oom_control', 'memory.max_usage_in_bytes'];
  const out: MemoryOutcome = {};
  const kills = counter(posix.join(mem.dir, events), 'oom_kill');
  if (kills !== undefined) out.oomKills = kills;
  const most = bytes(posix.join(mem.dir, peak));
  if (most !== undefined) out.memoryPeak = most;
  return out;
}
