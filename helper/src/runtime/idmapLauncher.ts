// The launcher's side of an id-mapped bind (idmapMount.ts): the init has cloned the source
// as a detached mount and asks for the mapping of the plan's operation `index`. The launcher,
// root in the host's user namespace, takes that mount from the init through a pidfd
// (pidfd_getfd), makes or opens the user namespace carrying the mapping, and applies it
// (mount_setattr MOUNT_ATTR_IDMAP), as runc 1.2's parent does for its init. What the
// mapping is comes from the plan the launcher holds, never from the init's message.
import * as fs from 'node:fs';
import { MOUNT_ATTR, type Plan } from '@bindery/plan';
import { FirstStageError, newUserNamespace, openNamespace } from './firstStage';
import type { IdmapReply } from './initProtocol';
import { AT_EMPTY_PATH, AT_RECURSIVE, type DaemonSyscalls } from './syscalls';

export type IdmapSyscalls = Pick<DaemonSyscalls, 'pidfdOpen' | 'pidfdGetfd' | 'mountSetattr' | 'close'>;

export async function answerIdmapRequest(
  plan: Plan,
  index: number,
  fd: number,
  init: { pid: number | undefined; ownerUid: number },
  sys: IdmapSyscalls,
): Promise<IdmapReply> {
  const op = plan.operations[index];
  if (!op || op.op !== 'mount' || !op.idmap)
    return { ok: false, errno: 'EINVAL', message: `operation ${index} is not an id-mapped mount` };
  if (init.ownerUid !== 0)
    return { ok: false, errno: 'EPERM', message: `uid ${init.ownerUid} may not map ids on a mount` };
  if (init.pid === undefined || !Number.isInteger(fd) || fd < 0)
    return { ok: false, errno: 'EINVAL', message: 'the init named no mount to map' };
  const idmap = op.idmap;
  let userns: number | undefined;
  let pidfd: number | undefined;
  let tree: number | undefined;
  try {
    userns =
      'usernsPath' in idmap ? openNamespace(idmap.usernsPath, 'user') : await newUserNamespace(idmap);
    const p = sys.pidfdOpen(init.pid);
    if (!p.ok) return { ok: false, errno: p.errno, message: `pidfd_open of the init ${init.pid} failed` };
    pidfd = p.value;
    const got = sys.pidfdGetfd(pidfd, fd);
    if (!got.ok) return { ok: false, errno: got.errno, message: `cannot take the init's mount of ${op.source} (pidfd_getfd)` };
    tree = got.value;
    const r = sys.mountSetattr(
      tree,
      '',
      AT_EMPTY_PATH | (idmap.recursive ? AT_RECURSIVE : 0),
      MOUNT_ATTR.MOUNT_ATTR_IDMAP,
      0,
      0,
      userns,
    );
    if (!r.ok)
      return {
        ok: false,
        errno: r.errno,
        message:
          r.errno === 'EINVAL'
            ? `the kernel refused to id-map ${op.source} (its filesystem may not support idmapped mounts)`
            : `cannot id-map ${op.source} (mount_setattr MOUNT_ATTR_IDMAP)`,
      };
    return { ok: true };
  } catch (e) {
    if (e instanceof FirstStageError) return { ok: false, errno: e.errno, message: e.message };
    throw e;
  } finally {
    if (tree !== undefined) sys.close(tree);
    if (pidfd !== undefined) sys.close(pidfd);
    if (userns !== undefined) fs.closeSync(userns);
  }
}
