// `bindery features`: what this runtime implements, in the runtime-spec's features format.
// Read from the tables the plan itself uses (mount options, capabilities), so it cannot
// claim more than the plan accepts; cgroups, seccomp, AppArmor and SELinux say disabled
// because Bindery does not apply them yet (the plan warns `feature-not-applied`).
import { MOUNT_OPTIONS } from '../../plan/flags';
import { CAPABILITIES } from '../../plan/launchSpec';
import { OCI_VERSION } from '../../runtime/ociState';
import { parseRuntimeArgs } from './args';
import type { RuntimeCommand } from './runtimeCli';

export const featuresCommand: RuntimeCommand = (args, ctx) => {
  parseRuntimeArgs('features', args, {});
  const features = {
    ociVersionMin: '1.0.0',
    ociVersionMax: OCI_VERSION,
    hooks: [],
    mountOptions: Object.keys(MOUNT_OPTIONS).sort(),
    linux: {
      namespaces: ['cgroup', 'ipc', 'mount', 'network', 'pid', 'uts'],
      capabilities: [...CAPABILITIES],
      cgroup: { v1: false, v2: false, systemd: false, systemdUser: false },
      seccomp: { enabled: false },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: false } },
    },
    annotations: { 'org.opencontainers.runc.version': 'none (bindery)' },
  };
  ctx.io.out(JSON.stringify(features, null, 4));
  return 0;
};
