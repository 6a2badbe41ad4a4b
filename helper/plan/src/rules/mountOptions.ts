// Rules 11, 12, 13 and 26, plus misspelt options: what each option string does to a mount.
import { MOUNT_OPTIONS, optionInfo } from '../flags';
import type { Rule, RuleContext } from '../rule';
import type { Fix } from '../types';
import { removeArrayElements, replaceWithJson } from './edits';
import {
  crunOnlyMeaning,
  DATA_OPTIONS_ANY_TYPE,
  FILESYSTEM_OPTIONS_NEAR_RUNTIME_NAMES,
  knownDataOptions,
} from './filesystemData';
import { dataOptions, mountViews, type MountOption, type MountView } from './mountView';
import { nearest } from './nearest';

const RUNTIME_OPTION_NAMES = Object.keys(MOUNT_OPTIONS);

/**
 * The option the user most likely meant, when `option` is passed on as filesystem data but
 * is one typo away from a runtime option (or from a data option of a known type).
 */
export function misspelling(view: MountView, option: MountOption): string | undefined {
  if (option.kind !== 'data' || crunOnlyMeaning(option.value)) return undefined;
  const eq = option.value.indexOf('=');
  const key = eq >= 0 ? option.value.slice(0, eq) : option.value;
  const known = view.meantAsBind ? [] : knownDataOptions(view.type);
  if (known?.includes(key) || DATA_OPTIONS_ANY_TYPE.includes(key) || key === 'defaults')
    return undefined;
  if (eq >= 0) {
    const near = known ? nearest(key, known) : undefined;
    return near ? near + option.value.slice(eq) : undefined;
  }
  // For a filesystem whose parameters are unknown, only a one-letter slip counts as a typo:
  // its own options (btrfs "nossd", …) may well sit two edits from a runtime option.
  if (!view.meantAsBind && !known && FILESYSTEM_OPTIONS_NEAR_RUNTIME_NAMES.includes(key))
    return undefined;
  const maxDistance = view.meantAsBind || known ? 2 : 1;
  return nearest(key, [...RUNTIME_OPTION_NAMES, ...(known ?? [])], maxDistance);
}

function removeOptionFix(
  ctx: RuleContext,
  m: MountView,
  options: MountOption[],
  title: string,
): Fix | undefined {
  const array = ctx.doc.nodeAt([...m.path, 'options']);
  if (!array) return undefined;
  return {
    title,
    edits: [
      removeArrayElements(
        ctx.doc,
        array,
        options.map((o) => o.index),
      ),
    ],
  };
}

export const misspeltOptionRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    for (const o of m.options) {
      const meant = misspelling(m, o);
      if (!meant) continue;
      const node = ctx.doc.nodeAt(o.path)!;
      // runc refuses data on a bind, and the kernel refuses unknown parameters of the
      // filesystems whose parameters are known; for others it is the filesystem's call.
      const refused = m.meantAsBind || knownDataOptions(m.type) !== undefined;
      ctx.report({
        code: 'unknown-mount-option',
        severity: refused ? 'error' : 'warning',
        message: `${m.label}: unknown option "${o.value}"; did you mean "${meant}"? ${
          m.meantAsBind
            ? 'runc passes unknown options to the filesystem, which a bind mount refuses.'
            : refused
              ? `The kernel refuses it for ${m.type} (EINVAL at launch).`
              : `It would be passed to the ${m.type ?? 'filesystem'} driver as data.`
        }`,
        range: ctx.doc.rangeOfNode(node),
        path: o.path,
        fixes: [
          {
            title: `Change to "${meant}"`,
            edits: [replaceWithJson(ctx.doc, node, meant)],
            preferred: true,
          },
        ],
      });
    }
  }
};

/** Rule 26: data options the kernel rejects for filesystems with a fixed parameter set. */
export const dataOptionsForTypeRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    if (m.bind) continue; // bindMount reports any data on a bind
    const known = knownDataOptions(m.type);
    if (!known) continue;
    for (const o of dataOptions(m)) {
      if (known.includes(o.key) || DATA_OPTIONS_ANY_TYPE.includes(o.key) || misspelling(m, o))
        continue;
      const accepted = known.length
        ? `it accepts ${known.map((k) => `"${k}"`).join(', ')}`
        : 'it takes no data options';
      ctx.report({
        code: 'unsupported-data-option',
        severity: 'error',
        message: `${m.label}: ${m.type} does not accept "${o.value}" (${accepted}); mount(2) would fail with EINVAL at launch. Remove it.${
          o.value === 'defaults'
            ? ' runc passes "defaults" on as filesystem data rather than ignoring it.'
            : ''
        }${crunSays(o.value)}`,
        range: ctx.doc.rangeNear(o.path),
        path: o.path,
        fixes: optionalFix(removeOptionFix(ctx, m, [o], `Remove "${o.value}"`)),
      });
    }
  }
};

/** ` ` + what crun does with the option, when crun reads it differently from runc. */
export function crunSays(option: string): string {
  const meaning = crunOnlyMeaning(option);
  return meaning ? ` ${meaning}` : '';
}

function optionalFix(fix: Fix | undefined): Fix[] | undefined {
  return fix ? [fix] : undefined;
}

function kernelAtLeast(
  release: string | undefined,
  major: number,
  minor: number,
): boolean | undefined {
  const match = release ? /^(\d+)\.(\d+)/.exec(release) : null;
  if (!match) return undefined;
  const [maj, min] = [Number(match[1]), Number(match[2])];
  return maj > major || (maj === major && min >= minor);
}

/** Rule 12: recursive attributes (rro, rnosuid, …). */
export const recursiveOptionRule: Rule = (ctx) => {
  const recentKernel = kernelAtLeast(ctx.host.kernelRelease, 5, 12);
  for (const m of mountViews(ctx)) {
    for (const o of m.options) {
      if (o.kind !== 'recursive') continue;
      const range = ctx.doc.rangeNear(o.path);
      if (recentKernel === false) {
        ctx.report({
          code: 'recursive-option-needs-newer-kernel',
          severity: 'error',
          message: `${m.label}: "${o.value}" is applied with mount_setattr(2), which needs Linux 5.12 or newer; this host runs ${ctx.host.kernelRelease}, so the launch would fail.`,
          range,
          path: o.path,
        });
      }
      if (!m.meantAsBind) {
        ctx.report({
          code: 'recursive-option-not-bind',
          severity: 'warning',
          message: `${m.label}: "${o.value}" is a recursive attribute; runc applies these only to bind mounts and ignores it on a ${m.type ?? 'non-bind'} mount (crun applies it). Use "${o.value.slice(1)}" for this mount.`,
          range,
          path: o.path,
        });
      }
    }
  }
};

/** Rule 13: options that undo each other, and more than one propagation option. */
export const conflictingOptionsRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    const reported = new Set<number>();
    for (let i = 0; i < m.options.length; i++) {
      const a = m.options[i];
      const infoA = optionInfo(a.value);
      if (infoA.kind !== 'flag' && infoA.kind !== 'recursive') continue;
      for (let j = i + 1; j < m.options.length; j++) {
        const b = m.options[j];
        const infoB = optionInfo(b.value);
        if (infoB.kind !== infoA.kind || infoB.clear === infoA.clear) continue;
        if (infoA.flags.join() !== infoB.flags.join() || reported.has(i)) continue;
        reported.add(i);
        ctx.report({
          code: 'conflicting-mount-options',
          severity: 'warning',
          message: `${m.label}: "${a.value}" is undone by "${b.value}" later in the list; options apply in order and the last one wins. Remove one of them.`,
          range: ctx.doc.rangeNear(a.path),
          path: a.path,
          related: [{ message: `"${b.value}" wins`, range: ctx.doc.rangeNear(b.path) }],
          fixes: optionalFix(removeOptionFix(ctx, m, [a], `Remove "${a.value}"`)),
        });
      }
    }
    const propagation = m.options.filter((o) => o.kind === 'propagation');
    if (propagation.length > 1) {
      const last = propagation[propagation.length - 1];
      for (const o of propagation.slice(0, -1)) {
        if (o.value === last.value) continue;
        ctx.report({
          code: 'multiple-propagation-options',
          severity: 'warning',
          message: `${m.label}: several propagation options; each is applied in turn, so "${last.value}" replaces "${o.value}". Keep one.`,
          range: ctx.doc.rangeNear(o.path),
          path: o.path,
          related: [
            { message: `"${last.value}" is applied last`, range: ctx.doc.rangeNear(last.path) },
          ],
          fixes: optionalFix(removeOptionFix(ctx, m, [o], `Remove "${o.value}"`)),
        });
      }
    }
  }
};

/** Rule 11: tmpcopyup copies the covered directory into a new tmpfs, so only tmpfs takes it. */
export const tmpcopyupRule: Rule = (ctx) => {
  for (const m of mountViews(ctx)) {
    const o = m.options.find((x) => x.value === 'tmpcopyup');
    if (!o) continue;
    if (m.type !== 'tmpfs' || m.bind) {
      ctx.report({
        code: 'tmpcopyup-not-tmpfs',
        severity: 'error',
        message: `${m.label}: "tmpcopyup" copies the destination's content into a new tmpfs, so it only works with "type": "tmpfs"${m.bind ? ' (not on a bind mount)' : ''}; crun refuses it here.`,
        range: ctx.doc.rangeNear(o.path),
        path: o.path,
        fixes: optionalFix(removeOptionFix(ctx, m, [o], 'Remove "tmpcopyup"')),
      });
    } else if (m.cleanDestination === '/') {
      ctx.report({
        code: 'tmpcopyup-on-root',
        severity: 'error',
        message: `${m.label}: "tmpcopyup" cannot be used on "/"; crun refuses it.`,
        range: ctx.doc.rangeNear(o.path),
        path: o.path,
      });
    }
  }
};
