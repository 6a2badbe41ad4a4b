// The helper's public protocol: JSON-RPC 2.0 over a unix socket (vscode-jsonrpc framing).
// Clients (the extension, the CLI, scripts) import only this file and client.ts (the one
// JSON-RPC client, HelperClient) from the helper.
// Documented for people in helper/PROTOCOL.md; keep the two in step.
import { NotificationType, RequestType } from 'vscode-jsonrpc';
import type { Finding, HookKind, NetworkFile, Operation, Plan } from '@bindery/plan';

/** Bumped on any incompatible change; the client refuses a helper with another major. */
export const PROTOCOL_VERSION = '1.3.0';

export const DEFAULT_SOCKET_PATH = '/run/bindery/bindery.sock';
/** The group whose members may connect; membership is not root-equivalent (see PROTOCOL.md). */
export const SOCKET_GROUP = 'bindery';

export type ContainerStatus = 'creating' | 'running' | 'stopped' | 'failed';

/** Errors the helper returns: JSON-RPC error `code`, with `data` naming what and where. */
export const ErrorCodes = {
  InvalidParams: -32602,
  PlanHasErrors: 1001,
  NotFound: 1002,
  PermissionDenied: 1003,
  LaunchFailed: 1004,
  AlreadyExists: 1005,
  RequestTooLarge: 1006,
  Busy: 1007,
} as const;

/** `data` of an error reply. */
export interface ErrorData {
  /** Machine-readable, e.g. 'plan-has-errors', 'mount-failed', 'not-owner'. */
  reason: string;
  findings?: Finding[];
  /** The failed operation, when a launch step failed. */
  failure?: OperationFailure;
}

export interface OperationFailure {
  /** Index into the plan's operations. */
  index: number;
  operation: Operation;
  /** errno name, e.g. 'ENOENT'. */
  errno: string;
  message: string;
  /** What a person can do about it. */
  hint: string;
}

export interface MountSummary {
  /** Index in the spec's mounts, or null when the runtime added it. */
  index: number | null;
  destination: string;
  type: string;
  source: string;
  /** Effective options as a user reads them, e.g. 'ro,nosuid,nodev,rprivate'. */
  options: string;
  state: 'planned' | 'applied' | 'failed';
  errno?: string;
}

export interface ContainerInfo {
  id: string;
  bundle: string;
  status: ContainerStatus;
  /** Host pid of the container's PID 1, while it runs. */
  pid?: number;
  /** uid of the peer that launched it. */
  owner: number;
  createdAt: string;
  exitCode?: number;
  signal?: string;
  /** Processes the OOM killer killed in the container's cgroup (known once it stopped). */
  oomKills?: number;
  /** The most memory its cgroup used, in bytes (known once it stopped). */
  memoryPeak?: number;
  args: string[];
  /** Since 1.2: the process has a terminal (process.terminal) that `input` and `resize` reach. */
  terminal?: boolean;
  mounts: MountSummary[];
  /** Host paths of the network files written for it. */
  networkFiles: { name: NetworkFile; path: string }[];
  /** Since 1.2: the spec's hooks that have run so far, in the order they ran. */
  hooks?: HookRun[];
  /**
   * Since 1.2: set when an engine (podman, containerd …) made the container with `bindery`
   * as its runtime; the helper found it in the runtime's state root and does not own it.
   * Its `id` is then `ENGINE:RUNTIME_ID` (`podman:4f1c…`, `containerd.default:web`).
   */
  engine?: EngineInfo;
  /** Since 1.2: why an engine's `create` failed (status `failed`), to show on config.json. */
  failure?: CreateFailure;
}

export interface EngineInfo {
  /** `podman`, `containerd`, or the program that called the runtime. */
  name: string;
  /** containerd's namespace. */
  namespace?: string;
  /** The id the engine knows it by. */
  runtimeId: string;
  /** The runtime's state root it was found in (`--root`). */
  root: string;
  /** The runtime's own status: `created` (waiting for `start`), `running`, `paused`, `stopped`. */
  ociStatus: 'creating' | 'created' | 'running' | 'paused' | 'stopped' | 'failed';
}

export interface CreateFailure {
  /** The error the engine was given. */
  message: string;
  /** The plan refused the spec: the findings, with their ranges in config.json. */
  findings?: Finding[];
  /** A step of the plan failed. */
  operation?: OperationFailure;
}

/** One run of one of the spec's hooks (since 1.2). */
export interface HookRun {
  kind: HookKind;
  /** Index in `hooks.<kind>`. */
  index: number;
  path: string;
  ok: boolean;
  exitCode?: number;
  signal?: string;
  timedOut?: boolean;
  /** The end of what the hook wrote, at most HOOK_OUTPUT_SHOWN bytes of each stream. */
  stdout: string;
  stderr: string;
  /** Bytes of stdout or stderr left out of the two above. */
  truncated?: number;
  /** What happened, in runc's words when it failed (`error running hook #0: exit status 1, …`). */
  message: string;
  /** How long it ran, in milliseconds. */
  durationMs: number;
}

/** Bytes of each output stream of a hook kept in a HookRun. */
export const HOOK_OUTPUT_SHOWN = 8192;

export interface InspectResult extends ContainerInfo {
  plan: Plan;
  /** The container's /proc/PID/mountinfo, raw, while it runs. */
  mountinfo?: string;
}

// --- requests -----------------------------------------------------------------------

export interface VersionResult {
  protocol: string;
  helper: string;
  /** uid the helper sees for this connection (SO_PEERCRED). */
  peerUid: number;
}
export const VersionRequest = new RequestType<void, VersionResult, ErrorData>('version');

/** Since 1.3: what a client can receive beyond 1.2's notifications. Unknown fields are ignored. */
export interface FeaturesParams {
  /** Operation events in `container/operations` batches instead of one `container/operation` each. */
  operationBatches?: boolean;
}
/** What the helper turned on for this connection. */
export interface FeaturesResult {
  operationBatches: boolean;
}
/**
 * Since 1.3: a client says what it can receive; until it does (and for a client of 1.2 or
 * older, which never does), the helper sends only what 1.2 defined.
 */
export const FeaturesRequest = new RequestType<FeaturesParams, FeaturesResult, ErrorData>('features');

export interface ValidateParams {
  /** Absolute path of a bundle directory, or of its config.json. */
  bundle: string;
}
export interface ValidateResult {
  findings: Finding[];
  plan: Plan;
}
export const ValidateRequest = new RequestType<ValidateParams, ValidateResult, ErrorData>('validate');

export interface LaunchParams {
  bundle: string;
  /** Defaults to a generated id. [A-Za-z0-9_.-]{1,64}. */
  id?: string;
}
export const LaunchRequest = new RequestType<LaunchParams, ContainerInfo, ErrorData>('launch');

export const ListRequest = new RequestType<void, ContainerInfo[], ErrorData>('list');

export interface IdParams {
  id: string;
}
export const InspectRequest = new RequestType<IdParams, InspectResult, ErrorData>('inspect');

export interface StopParams extends IdParams {
  /** Grace period between SIGTERM and SIGKILL, ms. Default 10000. */
  timeoutMs?: number;
}
export const StopRequest = new RequestType<StopParams, ContainerInfo, ErrorData>('stop');
export const TeardownRequest = new RequestType<IdParams, void, ErrorData>('teardown');

export interface LogsResult {
  /** The latest output, in order: at most 1 MiB (UTF-8) per container, older chunks dropped. */
  chunks: OutputEvent[];
  /** True when older output was dropped. Optional: older helpers do not send it. */
  truncated?: boolean;
}
export const LogsRequest = new RequestType<IdParams, LogsResult, ErrorData>('logs');

/** Since 1.2: at most this many bytes (UTF-8) of `data` per `input` request. */
export const MAX_INPUT_BYTES = 16 * 1024;

export interface InputParams extends IdParams {
  /** What is typed, as a terminal sends it (UTF-8; `\r` for Enter, `\x03` for Ctrl-C). */
  data: string;
}
/**
 * Since 1.2: type into a container's terminal (ContainerInfo.terminal). Errors: `no-terminal`,
 * `input-full` (Busy: the process has not read the last 64 KiB yet; nothing was queued).
 */
export const InputRequest = new RequestType<InputParams, void, ErrorData>('input');

export interface ResizeParams extends IdParams {
  /** Rows and columns, 1–65535. The process gets SIGWINCH. */
  rows: number;
  cols: number;
}
/** Since 1.2: resize a container's terminal. Errors: `no-terminal`. */
export const ResizeRequest = new RequestType<ResizeParams, void, ErrorData>('resize');

// --- notifications (helper → client) ------------------------------------------------
// Sent to every connection allowed to see the container (its owner, and root).

export interface OperationEvent {
  id: string;
  index: number;
  operation: Operation;
  /** renderOperation(operation), for people. */
  text: string;
  ok: boolean;
  errno?: string;
  message?: string;
  hint?: string;
}
export const OperationNotification = new NotificationType<OperationEvent>('container/operation');

/**
 * Since 1.3, to a connection that asked for it (`features` `operationBatches`): the operation
 * events of one container that the helper got from its init together, in order, in one
 * notification instead of one `container/operation` each.
 */
export interface OperationsEvent {
  id: string;
  /** At least one; each is an OperationEvent of container `id`. */
  operations: OperationEvent[];
}
export const OperationsNotification = new NotificationType<OperationsEvent>('container/operations');

export interface StartedEvent {
  id: string;
  pid: number;
}
export const StartedNotification = new NotificationType<StartedEvent>('container/started');

export interface OutputEvent {
  id: string;
  stream: 'stdout' | 'stderr';
  data: string;
  /**
   * Since 1.1: bytes (UTF-8) of this stream that this connection was not sent right before
   * this event, because it was not reading fast enough; `data` may then be empty. `logs`
   * keeps the latest 1 MiB. Absent when nothing was left out.
   */
  dropped?: number;
}
export const OutputNotification = new NotificationType<OutputEvent>('container/output');

export interface ExitedEvent {
  id: string;
  exitCode?: number;
  signal?: string;
  /** Processes of the container the kernel's OOM killer killed (from its memory cgroup). */
  oomKills?: number;
  /** The most memory the container's cgroup used, in bytes. */
  memoryPeak?: number;
}
export interface HookEvent extends HookRun {
  id: string;
}
/** Since 1.2: a hook of the container ran (or could not be run). */
export const HookNotification = new NotificationType<HookEvent>('container/hook');

export const ExitedNotification = new NotificationType<ExitedEvent>('container/exited');

export const TornDownNotification = new NotificationType<IdParams>('container/tornDown');

/** Any change to a container's summary (status, mounts); carries the new summary. */
export const ChangedNotification = new NotificationType<ContainerInfo>('container/changed');
