// The spec's mounts as rules read them: raw values with their nodes, and how runc classifies
// each option. Built once per context; rules never re-derive bind-ness on their own.
import type * as jsonc from 'jsonc-parser';
import { optionInfo, type OptionKind } from '../flags';
import { asArray, asObject, asString } from '../json';
import { cleanDestination, resolveHostPath } from '../paths';
import type { RuleContext } from '../rule';
import type { JsonPath } from '../types';

export interface MountOption {
  value: string;
  /** Position in the `options` array. */
  index: number;
  path: JsonPath;
  kind: OptionKind;
}

export interface MountView {
  index: number;
  path: JsonPath;
  node: jsonc.Node | undefined;
  /** `mounts[3] (/data)`: how messages name the entry. */
  label: string;
  destination?: string;
  /** Cleaned absolute destination (runc's reading of a relative one). */
  cleanDestination?: string;
  type?: string;
  source?: string;
  /** Bind source on the host (relative sources resolved against the bundle). */
  hostSource?: string;
  options: MountOption[];
  /** Only the `bind` and `rbind` options make a bind mount, whatever `type` says. */
  bind: boolean;
  /** A bind, or meant as one (`type: "bind"` without the option, reported on its own). */
  meantAsBind: boolean;
  recursive: boolean;
  raw: Record<string, unknown>;
}

// Keyed by the plan's own normalised mounts (one array per plan), not by the context: a plan
// memo gives each rule a context of its own, and the rules of one plan still share the views.
// Reading `specMounts` first also tells the memo that the caller reads the mounts.
const cache = new WeakMap<readonly unknown[], MountView[]>();

export function mountViews(ctx: RuleContext): MountView[] {
  const key = ctx.specMounts;
  let views = cache.get(key);
  if (!views) {
    views = asArray(ctx.spec?.mounts).map((m, index) => viewOf(ctx, m, index));
    cache.set(key, views);
  }
  return views;
}

function viewOf(ctx: RuleContext, m: unknown, index: number): MountView {
  const raw = asObject(m) ?? {};
  const path: JsonPath = ['mounts', index];
  const destination = asString(raw.destination);
  const options: MountOption[] = [];
  asArray(raw.options).forEach((o, i) => {
    if (typeof o === 'string') {
      options.push({ value: o, index: i, path: ['mounts', index, 'options', i], kind: optionInfo(o).kind });
    }
  });
  const bind = options.some((o) => o.value === 'bind' || o.value === 'rbind');
  const source = asString(raw.source);
  const meantAsBind = bind || raw.type === 'bind';
  const normalized = ctx.specMounts[index];
  return {
    index,
    path,
    node: ctx.doc.nodeAt(path),
    label: destination !== undefined ? `mounts[${index}] (${destination})` : `mounts[${index}]`,
    destination,
    cleanDestination: destination ? cleanDestination(destination) : undefined,
    type: asString(raw.type),
    source,
    hostSource:
      normalized?.hostSource ??
      (meantAsBind && source ? resolveHostPath(ctx.bundleDir, source) : undefined),
    options,
    bind,
    meantAsBind,
    recursive: options.some((o) => o.value === 'rbind'),
    raw,
  };
}

/** Data options as runc passes them to mount(2), with their key (`size` of `size=64m`). */
export function dataOptions(view: MountView): (MountOption & { key: string })[] {
  return view.options
    .filter((o) => o.kind === 'data')
    .map((o) => ({ ...o, key: o.value.split('=')[0] }));
}

/** The spec's namespaces, by type, with the path of each entry. */
export function namespaceEntries(
  ctx: RuleContext,
): { type: string; path: JsonPath; nsPath?: string }[] {
  const linux = asObject(ctx.spec?.linux);
  const out: { type: string; path: JsonPath; nsPath?: string }[] = [];
  asArray(linux?.namespaces).forEach((n, i) => {
    const ns = asObject(n);
    const type = asString(ns?.type);
    if (type !== undefined)
      out.push({ type, path: ['linux', 'namespaces', i], nsPath: asString(ns?.path) });
  });
  return out;
}
