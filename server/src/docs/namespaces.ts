// What each `linux.namespaces[].type` isolates, for hover and completion. The types are the
// plan's (NAMESPACE_TYPES); the key type makes a missing or extra one a compile error.
import type { NamespaceType } from '@bindery/plan';

export const NAMESPACE_DOCS: Readonly<Record<NamespaceType, string>> = {
  mount:
    'Its own mount table: every mount of the spec happens here, invisible to the host. Needed for `mounts`, `maskedPaths` and `readonlyPaths`.',
  pid: "Its own process IDs: the process becomes PID 1, and `/proc` shows only the container's processes.",
  network:
    "Its own network stack: only a loopback interface (brought up by the helper) until something adds more. Without it the container shares the host's network.",
  uts: 'Its own host and domain name. Required when the spec sets `hostname` or `domainname` (runc, crun and youki refuse otherwise).',
  ipc: 'Its own System V IPC objects and POSIX message queues (`/dev/mqueue`).',
  user: 'Its own user and group IDs, mapped to host IDs by `linux.uidMappings`/`gidMappings`. Root in the container is then not root on the host. With it, sysfs needs a network namespace too.',
  cgroup:
    "Its own view of the cgroup tree: `/sys/fs/cgroup` and `/proc/self/cgroup` start at the container's cgroup instead of showing the host's.",
  time: 'Its own offsets for the monotonic and boot-time clocks (`linux.timeOffsets`). Kernel 5.6+.',
};

/** The doc of a namespace type as written in a spec, if the type is one. */
export function namespaceDoc(type: string): string | undefined {
  return Object.prototype.hasOwnProperty.call(NAMESPACE_DOCS, type)
    ? NAMESPACE_DOCS[type as NamespaceType]
    : undefined;
}
