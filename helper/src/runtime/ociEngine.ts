// Which engine made a container through `bindery create`, so the editor can group the
// containers it finds in the runtime's state roots by engine. Worked out once, at create,
// from who called the runtime: conmon (podman) or containerd's shim, and what they leave in
// the spec and the root; anything else is named by the calling program.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface EngineName {
  /** `podman`, `containerd`, or the name of the program that called the runtime. */
  name: string;
  /** containerd's namespace (the last part of the root it passes: /run/containerd/runc/NS). */
  namespace?: string;
}

/** podman marks its specs with this annotation (`libpod`). */
const PODMAN_ANNOTATION = 'io.container.manager';

/** `comm` of a process (at most 15 characters), or undefined when it is gone. */
export function commOf(pid: number): string | undefined {
  try {
    return fs.readFileSync(`/proc/${pid}/comm`, 'utf8').trim() || undefined;
  } catch {
    return undefined;
  }
}

export function identifyEngine(
  root: string,
  annotations: Record<string, string> | undefined,
  callerComm: string | undefined,
): EngineName {
  if (annotations?.[PODMAN_ANNOTATION] === 'libpod' || callerComm === 'conmon')
    return { name: 'podman' };
  const resolved = path.resolve(root);
  const inContainerdRoot = /\/containerd\/runc$/.test(path.dirname(resolved));
  if (callerComm?.startsWith('containerd-shim') || inContainerdRoot)
    return {
      name: 'containerd',
      ...(inContainerdRoot ? { namespace: path.basename(resolved) } : {}),
    };
  return { name: callerComm && /^[A-Za-z0-9_.+-]+$/.test(callerComm) ? callerComm : 'bindery' };
}

/** How the engine is named in the editor and in the daemon's container keys: `containerd.k8s.io`. */
export function engineLabel(e: EngineName): string {
  return e.namespace ? `${e.name}.${e.namespace}` : e.name;
}
