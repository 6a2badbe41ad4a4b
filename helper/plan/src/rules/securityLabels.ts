// Rule: AppArmor and SELinux labels on a host without that security module. runc refuses
// such a spec ("selinux label is specified in config, but selinux is disabled or not
// supported"; "apparmor failed to apply profile: write /proc/self/attr/exec: invalid
// argument"), so the helper does too, rather than run the process unconfined.
import { get } from '../json';
import type { Rule } from '../rule';
import type { HostView, JsonPath } from '../types';

export type Lsm = 'AppArmor' | 'SELinux';

/** Whether the host runs `lsm`; undefined when the view shows no Linux sysfs to tell by. */
export function hostHasLsm(host: HostView, lsm: Lsm): boolean | undefined {
  if (host.lstat('/sys/kernel')?.type !== 'directory') return undefined;
  if (lsm === 'SELinux') return host.lstat('/sys/fs/selinux/enforce')?.type === 'file';
  const enabled = host.readFile?.('/sys/module/apparmor/parameters/enabled', 16);
  return enabled === undefined ? undefined : enabled?.trim() === 'Y';
}

export const LABEL_KEYS: { path: JsonPath; lsm: Lsm }[] = [
  { path: ['process', 'apparmorProfile'], lsm: 'AppArmor' },
  { path: ['process', 'selinuxLabel'], lsm: 'SELinux' },
  { path: ['linux', 'mountLabel'], lsm: 'SELinux' },
];

export const securityLabelRule: Rule = (ctx) => {
  if (!ctx.spec) return;
  for (const { path, lsm } of LABEL_KEYS) {
    const v = get(ctx.spec, ...path);
    if (typeof v !== 'string' || v === '' || hostHasLsm(ctx.host, lsm) !== false) continue;
    ctx.report({
      code: 'lsm-not-available',
      severity: 'error',
      message: `${path.join('.')}: this host does not run ${lsm}, so "${v}" cannot be applied; runc refuses the spec the same way rather than run the process unconfined. Remove the field to run it here.`,
      range: ctx.doc.keyRangeOf(path) ?? ctx.doc.rangeNear(path),
      path,
    });
  }
};
