// Which ids an id-mapped bind shows (runc 1.2's specconv): the mount's own uidMappings and
// gidMappings; without them, the container's user namespace — its linux.uidMappings and
// gidMappings, or the namespace it joins by path. Without either there is no mapping, and
// the idmap rule says so (runc: "id-mapped mounts must have both uid and gid mappings
// specified").
import { asArray, asObject, asString, get } from './json';
import { readIdMappings } from './launchSpec';
import type { MountIdmap, NormalizedMount } from './types';

export function mountIdmap(m: NormalizedMount, spec: unknown): MountIdmap | undefined {
  if (m.idmap === 'none' || !m.bind) return undefined;
  const recursive = m.idmap === 'ridmap';
  const raw = m.index === null ? undefined : asObject(asArray(get(spec, 'mounts'))[m.index]);
  const own = mappings(raw?.uidMappings, raw?.gidMappings);
  if (own) return { recursive, ...own };
  const user = asArray(get(spec, 'linux', 'namespaces'))
    .map(asObject)
    .find((n) => asString(n?.type) === 'user');
  if (!user) return undefined;
  const usernsPath = asString(user.path);
  if (usernsPath) return { recursive, usernsPath };
  const container = mappings(get(spec, 'linux', 'uidMappings'), get(spec, 'linux', 'gidMappings'));
  return container ? { recursive, ...container } : undefined;
}

function mappings(uids: unknown, gids: unknown) {
  const uidMappings = readIdMappings(uids);
  const gidMappings = readIdMappings(gids);
  return uidMappings?.length && gidMappings?.length ? { uidMappings, gidMappings } : undefined;
}
