// `bindery features`: what this runtime implements, in the runtime-spec's features format.
// Read from the tables the plan itself uses (mount options, capabilities, seccomp actions
// and operators, hook kinds), so it cannot claim more than the plan accepts; AppArmor and
// SELinux say enabled, meaning supported by the runtime (the runtime-spec's sense; whether the
// host runs the module is the plan's `lsm-not-available`). cgroups through cgroupfs (v1,
// hybrid or v2), not systemd.
import {
  CAPABILITIES,
  HOOK_KINDS,
  MOUNT_OPTIONS,
  SECCOMP_ACTIONS,
  SECCOMP_FLAGS,
  SECCOMP_OPS,
} from '@bindery/plan';
import { OCI_VERSION } from '../../runtime/ociState';
import { parseRuntimeArgs } from './args';
import type { RuntimeCommand } from './runtimeCli';

export const featuresCommand: RuntimeCommand = (args, ctx) => {
  parseRuntimeArgs('features', args, {});
  const features = {
    ociVersionMin: '1.0.0',
    ociVersionMax: OCI_VERSION,
    hooks: [...HOOK_KINDS],
    mountOptions: Object.keys(MOUNT_OPTIONS).sort(),
    linux: {
      namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts'],
      capabilities: [...CAPABILITIES],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false },
      seccomp: {
        enabled: true,
        actions: Object.keys(SECCOMP_ACTIONS).sort(),
        operators: Object.keys(SECCOMP_OPS).sort(),
        knownFlags: [...SECCOMP_FLAGS],
      },
      apparmor: { enabled: true },
      selinux: { enabled: true },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: true } },
    },
    annotations: { 'org.opencontainers.runc.version': 'none (bindery)' },
  };
  ctx.io.out(JSON.stringify(features, null, 4));
  return 0;
};
