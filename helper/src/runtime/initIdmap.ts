// The init's request for an id mapping (idmapMount.ts): the launcher takes the detached
// mount through a pidfd, applies the plan's mapping and answers on the init channel.
import { fail, type StepOutcome } from './failure';
import type { RequestIdmap } from './idmapMount';
import { readLauncherAnswer } from './initHooks';
import type { IdmapReply, InitMessage } from './initProtocol';

export function initIdmapRequester(send: (msg: InitMessage) => void): RequestIdmap {
  return (index, fd): StepOutcome => {
    send({ type: 'idmap-request', index, fd });
    let reply: IdmapReply;
    try {
      reply = JSON.parse(readLauncherAnswer()) as IdmapReply;
    } catch {
      return fail('EIO', 'no answer from the launcher to the id mapping request', 'the helper went away during the launch');
    }
    if (reply.ok) return { ok: true };
    return fail(
      reply.errno ?? 'EIO',
      reply.message ?? 'the launcher did not map the mount',
      'idmapped mounts need Linux 5.12+ and a filesystem that supports them (ext4, xfs, btrfs, tmpfs since 6.3)',
    );
  };
}
