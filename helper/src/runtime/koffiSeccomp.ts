// seccomp through libseccomp (Debian: libseccomp2), for koffiSyscalls.ts — the one other
// file that touches koffi. The library is loaded when the init starts (warm, on the host):
// after pivot_root the container's root may have no libseccomp at all.
import type { IKoffiLib } from 'koffi';
import { koffi } from './koffiLoader';
import { notifies, type SeccompFilter } from '@bindery/plan';
import type { SysResult } from './syscalls';
import { errnoName } from './errno';

// enum scmp_filter_attr
const SCMP_FLTATR_CTL_NNP = 3;
const SCMP_FLTATR_CTL_TSYNC = 4;
const SCMP_FLTATR_CTL_LOG = 6;
const SCMP_FLTATR_CTL_SSB = 7;
const FLAG_ATTRS: Record<SeccompFilter['flags'][number], number> = {
  SECCOMP_FILTER_FLAG_TSYNC: SCMP_FLTATR_CTL_TSYNC,
  SECCOMP_FILTER_FLAG_LOG: SCMP_FLTATR_CTL_LOG,
  SECCOMP_FILTER_FLAG_SPEC_ALLOW: SCMP_FLTATR_CTL_SSB,
};
/** __NR_SCMP_ERROR: the name is not a syscall libseccomp knows. */
const NR_SCMP_ERROR = -1;
/** struct scmp_arg_cmp: unsigned int arg, enum scmp_compare op, scmp_datum_t datum_a, datum_b. */
const ARG_CMP_SIZE = 24;

/** The listener fd when the filter notifies (libseccomp adds SECCOMP_FILTER_FLAG_NEW_LISTENER then). */
export type SeccompLoader = (filter: SeccompFilter) => SysResult<number | undefined>;

/** The loader, or one answering ENOSYS when libseccomp is missing. */
export function koffiSeccomp(): SeccompLoader {
  let lib: IKoffiLib;
  try {
    lib = koffi.load('libseccomp.so.2');
  } catch {
    return () => ({ ok: false, errno: 'ENOSYS', call: 'libseccomp' });
  }
  const init = lib.func('void *seccomp_init(uint32_t def_action)');
  const release = lib.func('void seccomp_release(void *ctx)');
  const attrSet = lib.func('int seccomp_attr_set(void *ctx, int attr, uint32_t value)');
  const archResolve = lib.func('uint32_t seccomp_arch_resolve_name(const char *name)');
  const archAdd = lib.func('int seccomp_arch_add(void *ctx, uint32_t arch)');
  const syscallResolve = lib.func('int seccomp_syscall_resolve_name(const char *name)');
  const ruleAdd = lib.func(
    'int seccomp_rule_add_array(void *ctx, uint32_t action, int syscall, unsigned int arg_cnt, const void *args)',
  );
  const load = lib.func('int seccomp_load(void *ctx)');
  const notifyFd = lib.func('int seccomp_notify_fd(void *ctx)');
  // libseccomp answers -errno.
  const failed = (call: string, rc: number): SysResult<never> => ({
    ok: false,
    errno: errnoName(-rc),
    call,
  });

  return (filter) => {
    const ctx: unknown = init(filter.defaultAction);
    if (!ctx) return { ok: false, errno: 'EINVAL', call: 'seccomp_init' };
    try {
      // no_new_privs is the spec's to set (processSetup does), not libseccomp's.
      let rc = attrSet(ctx, SCMP_FLTATR_CTL_NNP, 0) as number;
      if (rc < 0) return failed('seccomp_attr_set', rc);
      for (const f of filter.flags) {
        rc = attrSet(ctx, FLAG_ATTRS[f], 1) as number;
        if (rc < 0) return failed('seccomp_attr_set', rc);
      }
      for (const name of filter.architectures) {
        const token = archResolve(name) as number;
        if (token === 0)
          return { ok: false, errno: 'EINVAL', call: `seccomp_arch_resolve_name(${name})` };
        rc = archAdd(ctx, token) as number;
        // EEXIST: the native architecture, which seccomp_init already added.
        if (rc < 0 && errnoName(-rc) !== 'EEXIST') return failed('seccomp_arch_add', rc);
      }
      for (const rule of filter.rules) {
        const nr = syscallResolve(rule.syscall) as number;
        if (nr === NR_SCMP_ERROR) continue;
        const args = Buffer.alloc(ARG_CMP_SIZE * rule.conditions.length);
        rule.conditions.forEach((c, i) => {
          args.writeUInt32LE(c.index, i * ARG_CMP_SIZE);
          args.writeUInt32LE(c.op, i * ARG_CMP_SIZE + 4);
          args.writeBigUInt64LE(BigInt.asUintN(64, BigInt(c.value)), i * ARG_CMP_SIZE + 8);
          args.writeBigUInt64LE(BigInt.asUintN(64, BigInt(c.valueTwo)), i * ARG_CMP_SIZE + 16);
        });
        rc = ruleAdd(
          ctx,
          rule.action,
          nr,
          rule.conditions.length,
          rule.conditions.length ? args : null,
        ) as number;
        if (rc < 0) return failed(`seccomp_rule_add(${rule.syscall})`, rc);
      }
      rc = load(ctx) as number;
      if (rc < 0) return failed('seccomp_load', rc);
      if (!notifies(filter)) return { ok: true, value: undefined };
      const fd = notifyFd(ctx) as number;
      if (fd < 0) return failed('seccomp_notify_fd', fd);
      return { ok: true, value: fd };
    } finally {
      release(ctx);
    }
  };
}
