// The state of a container made through Bindery's OCI runtime interface (`bindery create`):
// `<root>/<id>/state.json` (the runtime's ContainerState, so the same reader serves the
// daemon and the editor) and `<root>/<id>/exec.fifo`, which exists from `create` until
// `start`. The status is never trusted from the file alone: it is worked out from the init's
// pid *and* start time (a recycled pid is not the container) and the fifo, as runc does.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ID_PATTERN, isContainerId } from './containerId';
import { isFrozen } from './ociCgroups';
import type { EngineName } from './ociEngine';
import { RuntimeError } from './runtimeError';
import { processStartTime, readState, type ContainerState } from './stateFile';

/** runc 1.1's default is /run/runc; Bindery's own runtime state lives beside the daemon's. */
export const DEFAULT_RUNTIME_ROOT = '/run/bindery-runtime';
export const EXEC_FIFO = 'exec.fifo';
/** runc's words when the id is in use (engines match them). */
export const ID_TAKEN = 'container with given ID already exists';
/** The version of the runtime spec whose state and features Bindery reports. */
export const OCI_VERSION = '1.1.0';

export type OciStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface OciContainerState extends ContainerState {
  /** root.path resolved against the bundle. */
  rootfs: string;
  annotations?: Record<string, string>;
  /** The init was started in a PID namespace of its own (killing it ends every process in it). */
  ownPidNamespace: boolean;
  /** Who made it (ociEngine.ts): how the editor groups it. */
  engine?: EngineName;
  /** linux.resources as the last `update` left them (ociUpdate.ts). */
  resources?: Record<string, unknown>;
}

export { RuntimeError } from './runtimeError';

export function checkId(id: string | undefined): string {
  if (!id) throw new RuntimeError('container id cannot be empty');
  if (!isContainerId(id))
    throw new RuntimeError(`invalid id format: ${id}`);
  return id;
}

export function stateDirOf(root: string, id: string): string {
  return path.join(path.resolve(root), id);
}

/** The container's state, or a "does not exist" error in runc's words. */
export function loadState(root: string, id: string): { dir: string; state: OciContainerState } {
  const dir = stateDirOf(root, checkId(id));
  const state = readState(dir) as OciContainerState | undefined;
  if (!state || state.id !== id) throw new RuntimeError('container does not exist');
  return { dir, state };
}

/** Whether the init recorded in the state is still that very process (not exited, not a zombie). */
export function initAlive(state: OciContainerState): boolean {
  return (
    state.pid !== undefined &&
    state.startTime !== undefined &&
    processStartTime(state.pid) === state.startTime
  );
}

export function statusOf(dir: string, state: OciContainerState): OciStatus {
  if (state.pid === undefined) return 'creating';
  if (!initAlive(state)) return 'stopped';
  if (fs.existsSync(path.join(dir, EXEC_FIFO))) return 'created';
  return isFrozen(state.plan) ? 'paused' : 'running';
}

/** The state as `runc state` prints it (runtime-spec's state plus runc's rootfs, created, owner). */
export function ociStateJson(dir: string, state: OciContainerState) {
  const status = statusOf(dir, state);
  return {
    ociVersion: OCI_VERSION,
    id: state.id,
    pid: status === 'stopped' || status === 'creating' ? 0 : state.pid,
    status,
    bundle: state.bundle,
    rootfs: state.rootfs,
    created: state.createdAt,
    ...(state.annotations && Object.keys(state.annotations).length
      ? { annotations: state.annotations }
      : {}),
    owner: '',
  };
}

/** Ids of the containers under `root` (directories holding a state file). */
export function listIds(root: string): string[] {
  let names: string[];
  try {
    names = fs.readdirSync(root);
  } catch {
    return [];
  }
  return names
    .filter((n) => ID_PATTERN.test(n) && fs.existsSync(path.join(root, n, 'state.json')))
    .sort();
}
