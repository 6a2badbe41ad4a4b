// What each request does, for one peer. Transport-free: the connection hands in parsed
// params and the peer; this file decides, reads, plans and calls the registry.
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseSpec } from '../plan/document';
import { planBundle } from '../plan/planBundle';
import { launchRefusals } from '../plan/refusals';
import type { Finding, HostView, Plan } from '../plan/types';
import {
  ErrorCodes,
  PROTOCOL_VERSION,
  type ContainerInfo,
  type InspectResult,
  type LogsResult,
  type ValidateResult,
  type VersionResult,
} from '../protocol';
import { checkLaunch, isRoot, maySee, parseLimits, restrictPlan, type Peer } from './authorize';
import { HelperError, notFound, notOwner } from './errors';
import { idParams, launchParams, noParams, stopParams, validateParams } from './params';
import { deniedToPeer, readFileAsPeer, MAX_CONFIG_BYTES } from './peerAccess';
import type { Registry } from './registry';

export interface RequestContext {
  registry: Registry;
  host: HostView;
  helperVersion: string;
}

interface Bundle {
  dir: string;
  config: string;
  text: string;
}

async function readBundle(peer: Peer, bundle: string): Promise<Bundle> {
  const config = bundle.endsWith('/config.json') ? bundle : path.posix.join(bundle, 'config.json');
  const dir = path.posix.dirname(config);
  try {
    if (isRoot(peer)) {
      const st = await fs.promises.stat(config);
      if (st.size > MAX_CONFIG_BYTES) throw Object.assign(new Error(`larger than ${MAX_CONFIG_BYTES} bytes`), { code: 'EFBIG' });
      return { dir, config, text: await fs.promises.readFile(config, 'utf8') };
    }
    return { dir, config, text: await readFileAsPeer(peer, config) };
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? `is not readable by uid ${peer.uid}` : code === 'EISDIR' ? 'is a directory' : (e as Error).message;
    throw new HelperError(code === 'EACCES' ? ErrorCodes.PermissionDenied : ErrorCodes.InvalidParams, `${config} ${why}`, {
      reason: code === 'EACCES' ? 'bundle-not-readable' : 'bundle-not-found',
    });
  }
}

async function peerLimits(peer: Peer) {
  try {
    return parseLimits(await fs.promises.readFile(`/proc/${peer.pid}/limits`, 'utf8'));
  } catch {
    return undefined;
  }
}

/** The plan plus what this peer may not do with it, as error findings. */
async function planFor(ctx: RequestContext, peer: Peer, bundle: Bundle, stateDir?: string): Promise<{ plan: Plan; denials: Finding[] }> {
  const plan = planBundle({ text: bundle.text, bundleDir: bundle.dir, host: ctx.host, fileName: bundle.config, stateDir });
  if (isRoot(peer)) return { plan, denials: [] };
  const doc = parseSpec(bundle.text, bundle.config);
  const policy = checkLaunch(peer, doc, plan, ctx.host, await peerLimits(peer));
  const denials = [...policy.denials];
  for (const d of await deniedToPeer(peer, policy.mustRead)) {
    denials.push({
      code: d.what === 'rootfs' ? 'peer-rootfs-access' : 'peer-bind-source',
      severity: 'error',
      message: `${d.what} ${d.path} ${d.reason} for uid ${peer.uid}; a non-root peer may only use what it can read itself`,
      range: doc.rangeNear(d.specPath),
      path: d.specPath,
    });
  }
  return { plan, denials };
}

export function version(ctx: RequestContext, peer: Peer, params: unknown): VersionResult {
  noParams(params);
  return { protocol: PROTOCOL_VERSION, helper: ctx.helperVersion, peerUid: peer.uid };
}

export async function validate(ctx: RequestContext, peer: Peer, params: unknown): Promise<ValidateResult> {
  const p = validateParams(params);
  const bundle = await readBundle(peer, p.bundle);
  const { plan, denials } = await planFor(ctx, peer, bundle);
  return { findings: [...plan.findings, ...denials], plan: { ...plan, findings: [...plan.findings, ...denials] } };
}

export async function launch(ctx: RequestContext, peer: Peer, params: unknown): Promise<ContainerInfo> {
  const p = launchParams(params);
  const id = p.id ?? `c-${randomBytes(6).toString('hex')}`;
  const bundle = await readBundle(peer, p.bundle);
  ctx.registry.reserve(id, peer.uid, bundle.dir);
  try {
    const { plan, denials } = await planFor(ctx, peer, bundle, path.join(ctx.registry.stateRoot, id));
    const errors = launchRefusals(plan);
    if (errors.length > 0)
      throw new HelperError(ErrorCodes.PlanHasErrors, `${bundle.config}: the helper refuses to launch it (${errors.length} finding${errors.length > 1 ? 's' : ''}): ${errors[0].message}`, {
        reason: 'plan-has-errors',
        findings: errors,
      });
    if (denials.length > 0)
      throw new HelperError(ErrorCodes.PermissionDenied, `not allowed for uid ${peer.uid}: ${denials[0].message}`, { reason: 'peer-not-allowed', findings: denials });
    return await ctx.registry.launch(id, bundle.dir, restrictPlan(peer, plan), { uid: peer.uid, gid: peer.gid });
  } finally {
    ctx.registry.release(id);
  }
}

function visible(ctx: RequestContext, peer: Peer, id: string) {
  const e = ctx.registry.get(id);
  if (!e) throw notFound(id);
  if (!maySee(peer, e.owner)) throw notOwner(id, peer.uid);
  return e;
}

export function list(ctx: RequestContext, peer: Peer, params: unknown): ContainerInfo[] {
  noParams(params);
  return ctx.registry.list().filter((c) => maySee(peer, c.owner));
}

export async function inspect(ctx: RequestContext, peer: Peer, params: unknown): Promise<InspectResult> {
  const { id } = idParams(params);
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
  visible(ctx, peer, p.id);
  return ctx.registry.stop(p.id, p.timeoutMs);
}

export async function teardown(ctx: RequestContext, peer: Peer, params: unknown): Promise<void> {
  const { id } = idParams(params);
  visible(ctx, peer, id);
  await ctx.registry.teardown(id);
}

export function logs(ctx: RequestContext, peer: Peer, params: unknown): LogsResult {
  const { id } = idParams(params);
  visible(ctx, peer, id);
  return ctx.registry.logs(id);
}
