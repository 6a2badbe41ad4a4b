// What each request does, for one peer. Transport-free: the connection hands in parsed
// params and the peer; this file decides, reads, plans and calls the registry.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  type Finding,
  type HostView,
  launchRefusals,
  type Plan,
  planBundle,
  type Requester,
} from '@bindery/plan';
import {
  ErrorCodes,
  PROTOCOL_VERSION,
  type ContainerInfo,
  type InspectResult,
  type LogsResult,
  type ValidateResult,
  type VersionResult,
} from '../protocol';
import { isRoot, maySee, parseLimits, type PeerLimits, type Peer } from './authorize';
import { HelperError, notFound, notOwner } from './errors';
import { idParams, inputParams, launchParams, noParams, resizeParams, stopParams, validateParams } from './params';
import { ConfigReadError, readConfigFile, type AsPeer } from './peerAccess';
import type { Registry } from './registry';
import type { EngineContainers } from './engineContainers';

export interface RequestContext {
  registry: Registry;
  /** The host as the calling thread sees it: run inside `asPeer`, as the peer sees it. */
  host: HostView;
  /** Runs synchronous file work with the peer's own access rights. */
  asPeer: AsPeer;
  helperVersion: string;
  /** Containers engines made with `bindery` as their runtime, when the daemon watches their roots. */
  engines?: EngineContainers;
}

interface Bundle {
  dir: string;
  config: string;
  text: string;
}

/** config.json, read with the peer's rights: the helper reads nothing for a peer it could not read itself. */
function readBundle(ctx: RequestContext, peer: Peer, bundle: string): Bundle {
  const config = bundle.endsWith('/config.json') ? bundle : path.posix.join(bundle, 'config.json');
  const dir = path.posix.dirname(config);
  try {
    return { dir, config, text: ctx.asPeer(peer, () => readConfigFile(config)) };
  } catch (e) {
    if (!(e instanceof ConfigReadError)) throw e;
    const denied = e.code === 'EACCES';
    const why = denied && !isRoot(peer) ? `${e.message} by uid ${peer.uid}` : e.message;
    throw new HelperError(denied ? ErrorCodes.PermissionDenied : ErrorCodes.InvalidParams, `${config} ${why}`, {
      reason: denied ? 'bundle-not-readable' : 'bundle-not-found',
    });
  }
}

/** The peer's own hard rlimits; read by pid, so the uid is checked after the read (pid reuse). */
async function peerLimits(peer: Peer): Promise<PeerLimits | undefined> {
  try {
    const limits = parseLimits(await fs.promises.readFile(`/proc/${peer.pid}/limits`, 'utf8'));
    const status = await fs.promises.readFile(`/proc/${peer.pid}/status`, 'utf8');
    const uids = /^Uid:\s+(\d+)/m.exec(status);
    return uids && Number(uids[1]) === peer.uid ? limits : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The plan for this peer: made for it (plan/requester.ts), with the host seen through the
 * peer's own rights, so no finding can tell it about a path it could not look at.
 */
async function planFor(ctx: RequestContext, peer: Peer, bundle: Bundle, stateDir?: string): Promise<Plan> {
  const requester: Requester = {
    uid: peer.uid,
    gid: peer.gid,
    groups: peer.groups,
    ...(isRoot(peer) ? {} : { hardLimits: await peerLimits(peer) }),
  };
  return ctx.asPeer(peer, () =>
    planBundle({ text: bundle.text, bundleDir: bundle.dir, host: ctx.host, fileName: bundle.config, stateDir, requester }),
  );
}

/** Findings that refuse a launch because of who asks, not because the spec is wrong. */
const isPeerRefusal = (f: Finding) => f.code.startsWith('peer-');

export function version(ctx: RequestContext, peer: Peer, params: unknown): VersionResult {
  noParams(params);
  return { protocol: PROTOCOL_VERSION, helper: ctx.helperVersion, peerUid: peer.uid };
}

export async function validate(ctx: RequestContext, peer: Peer, params: unknown): Promise<ValidateResult> {
  const p = validateParams(params);
  const plan = await planFor(ctx, peer, readBundle(ctx, peer, p.bundle));
  return { findings: plan.findings, plan };
}

export async function launch(ctx: RequestContext, peer: Peer, params: unknown): Promise<ContainerInfo> {
  const p = launchParams(params);
  const id = p.id ?? `c-${randomBytes(6).toString('hex')}`;
  const bundle = readBundle(ctx, peer, p.bundle);
  ctx.registry.reserve(id, peer.uid, bundle.dir);
  try {
    const plan = await planFor(ctx, peer, bundle, path.join(ctx.registry.stateRoot, id));
    const refusals = launchRefusals(plan);
    const specErrors = refusals.filter((f) => !isPeerRefusal(f));
    if (specErrors.length > 0)
      throw new HelperError(ErrorCodes.PlanHasErrors, `${bundle.config}: the helper refuses to launch it (${specErrors.length} finding${specErrors.length > 1 ? 's' : ''}): ${specErrors[0].message}`, {
        reason: 'plan-has-errors',
        findings: specErrors,
      });
    if (refusals.length > 0)
      throw new HelperError(ErrorCodes.PermissionDenied, `not allowed for uid ${peer.uid}: ${refusals[0].message}`, { reason: 'peer-not-allowed', findings: refusals });
    return await ctx.registry.launch(id, bundle.dir, plan, { uid: peer.uid, gid: peer.gid, groups: peer.groups });
  } finally {
    ctx.registry.release(id);
  }
}

/** An engine's container this peer may see (they are root's), or undefined when `id` is not one. */
function engineContainer(ctx: RequestContext, peer: Peer, id: string): EngineContainers | undefined {
  if (!ctx.engines?.has(id)) return undefined;
  if (!isRoot(peer)) throw notOwner(id, peer.uid);
  return ctx.engines;
}

function visible(ctx: RequestContext, peer: Peer, id: string) {
  const e = ctx.registry.get(id);
  if (!e) throw notFound(id);
  if (!maySee(peer, e.owner)) throw notOwner(id, peer.uid);
  return e;
}

export function list(ctx: RequestContext, peer: Peer, params: unknown): ContainerInfo[] {
  noParams(params);
  return [...ctx.registry.list(), ...(ctx.engines?.list() ?? [])].filter((c) => maySee(peer, c.owner));
}

export async function inspect(ctx: RequestContext, peer: Peer, params: unknown): Promise<InspectResult> {
  const { id } = idParams(params);
  const engines = engineContainer(ctx, peer, id);
  if (engines) {
    const r = await engines.inspect(id);
    return { ...r.info, plan: r.plan, ...(r.mountinfo !== undefined ? { mountinfo: r.mountinfo } : {}) };
  }
  const e = visible(ctx, peer, id);
  const info = ctx.registry.info(e);
  let mountinfo: string | undefined;
  if (info.pid && info.status === 'running') {
    try {
      mountinfo = await fs.promises.readFile(`/proc/${info.pid}/mountinfo`, 'utf8');
    } catch {
      mountinfo = undefined; // exited meanwhile
    }
  }
  const plan: Plan = e.plan ?? { mounts: [], operations: [], findings: [] };
  return { ...info, plan, ...(mountinfo !== undefined ? { mountinfo } : {}) };
}

export async function stop(ctx: RequestContext, peer: Peer, params: unknown): Promise<ContainerInfo> {
  const p = stopParams(params);
  const engines = engineContainer(ctx, peer, p.id);
  if (engines) return engines.stop(p.id, p.timeoutMs);
  visible(ctx, peer, p.id);
  return ctx.registry.stop(p.id, p.timeoutMs);
}

export async function teardown(ctx: RequestContext, peer: Peer, params: unknown): Promise<void> {
  const { id } = idParams(params);
  const engines = engineContainer(ctx, peer, id);
  if (engines) return engines.teardown(id);
  visible(ctx, peer, id);
  await ctx.registry.teardown(id);
}

export function logs(ctx: RequestContext, peer: Peer, params: unknown): LogsResult {
  const { id } = idParams(params);
  // An engine's container writes to the engine (conmon, the shim), not to the helper.
  if (engineContainer(ctx, peer, id)) return { chunks: [], truncated: false };
  visible(ctx, peer, id);
  return ctx.registry.logs(id);
}

/** The running container's terminal, for its owner or root. */
function terminalOf(ctx: RequestContext, peer: Peer, id: string) {
  const e = visible(ctx, peer, id);
  const c = e.container;
  if (!c || c.status !== 'running' || !c.hasTerminal)
    throw new HelperError(ErrorCodes.InvalidParams, `container ${id} has no terminal${c && c.status !== 'running' ? ` (it is ${c.status})` : ' (process.terminal is not true)'}`, { reason: 'no-terminal' });
  return c;
}

export function input(ctx: RequestContext, peer: Peer, params: unknown): void {
  const p = inputParams(params);
  const c = terminalOf(ctx, peer, p.id);
  if (!c.writeInput(Buffer.from(p.data, 'utf8')))
    throw new HelperError(ErrorCodes.Busy, `container ${p.id} has not read its earlier input yet (64 KiB wait); nothing was sent`, { reason: 'input-full' });
}

export function resize(ctx: RequestContext, peer: Peer, params: unknown): void {
  const p = resizeParams(params);
  const r = terminalOf(ctx, peer, p.id).resize(p.rows, p.cols);
  if (!r.ok) throw new HelperError(ErrorCodes.InvalidParams, `cannot resize the terminal of ${p.id}: ${r.errno}`, { reason: 'no-terminal' });
}
