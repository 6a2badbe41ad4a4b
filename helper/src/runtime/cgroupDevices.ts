// linux.resources.devices on a pure cgroup2 host: the plan's device list as an eBPF program
// (deviceProgram.ts) attached to the container's cgroup, as runc does there. The cgroup holds
// the program; it is released with the cgroup at teardown.
import * as fs from 'node:fs';
import type { CgroupDeviceRules } from '@bindery/plan';
import { deviceProgram } from './deviceProgram';
import type { DaemonSyscalls, SysResult } from './syscalls';

/** The license the program declares (the kernel asks; no GPL-only helper is called). */
const LICENSE = 'MIT';

/**
 * Loads the program for `rules` and attaches it to the cgroup2 directory `dir`; returns the
 * program's fd, which the caller closes (or uses to detach it).
 */
export function attachDeviceProgram(
  sys: Pick<DaemonSyscalls, 'bpfLoadDeviceProgram' | 'bpfDeviceProgram' | 'close'>,
  dir: string,
  rules: Pick<CgroupDeviceRules, 'defaultAllow' | 'exceptions'>,
): SysResult<number> {
  let cgroupFd: number;
  try {
    cgroupFd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  } catch (e) {
    return { ok: false, errno: (e as NodeJS.ErrnoException).code ?? 'EIO', call: `open(${dir})` };
  }
  try {
    const prog = sys.bpfLoadDeviceProgram(deviceProgram(rules), LICENSE);
    if (!prog.ok) return prog;
    const attached = sys.bpfDeviceProgram(true, cgroupFd, prog.value);
    if (!attached.ok) {
      sys.close(prog.value);
      return attached;
    }
    return prog;
  } finally {
    fs.closeSync(cgroupFd);
  }
}
