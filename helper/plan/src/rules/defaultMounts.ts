// Rule 21 and /tmp: the mounts a container is expected to have. The plan adds the runtime's
// defaults when the spec lacks them; these findings make that visible and offer to write them.
import { asObject } from '../json';
import { isAtOrBelow, joinInRoot } from '../paths';
import type { Rule, RuleContext } from '../rule';
import type { Fix, Range, TextEdit } from '../types';
import { systemMounts } from '../runtimeDefaults';
import { appendAt, insertArrayElements } from './edits';
import { mountViews } from './mountView';

interface MountEntry {
  destination: string;
  type: string;
  source: string;
  options: string[];
}

/** What a fix writes: the very mount the plan would add (runtimeDefaults), or a tmpfs for /tmp. */
function defaultEntry(ctx: RuleContext, destination: string): MountEntry {
  const added = systemMounts(ctx.spec).find((m) => m.destination === destination);
  if (added)
    return { destination, type: added.type, source: added.source, options: [...added.options] };
  return { destination, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777'] };
}

/** Where a new mount goes: after the mounts of its parents, before the mounts below it. */
function insertionIndex(ctx: RuleContext, destination: string): number {
  const mounts = mountViews(ctx);
  const firstChild = mounts.findIndex(
    (m) =>
      m.cleanDestination &&
      m.cleanDestination !== destination &&
      isAtOrBelow(m.cleanDestination, destination),
  );
  if (firstChild >= 0) return firstChild;
  return mounts.length;
}

function insertMountsFix(ctx: RuleContext, entries: MountEntry[], title: string): Fix | undefined {
  const array = ctx.doc.nodeAt(['mounts']);
  let edits: TextEdit[] | undefined;
  if (array?.type === 'array') {
    edits = insertArrayElements(
      ctx.doc,
      array,
      entries.map((e) => ({ index: insertionIndex(ctx, e.destination), value: e })),
    );
  } else if (!array) {
    edits = appendAt(ctx.doc, ['mounts'], entries);
  }
  return edits ? { title, edits } : undefined;
}

/** Missing things have no token of their own: point at `mounts`, else the document's start. */
function anchor(ctx: RuleContext): Range {
  return (
    ctx.doc.keyRangeOf(['mounts']) ??
    ctx.doc.keyRangeOf(['ociVersion']) ?? {
      start: { line: 0, character: 0 },
      end: { line: 0, character: 1 },
    }
  );
}

const EXPECTED: readonly [string, string][] = [
  ['/proc', 'proc'],
  ['/sys', 'sysfs'],
  ['/dev/pts', 'devpts (terminals)'],
  ['/dev/shm', 'a tmpfs for shared memory'],
];

export const defaultMountsRule: Rule = (ctx) => {
  if (!ctx.spec || (ctx.spec.mounts !== undefined && !Array.isArray(ctx.spec.mounts))) return;
  const views = mountViews(ctx);
  const present = new Set(views.map((m) => m.cleanDestination));
  // A /dev bound from the host brings its own pts and shm; the plan adds neither then.
  const devBound = views.some((m) => m.bind && m.cleanDestination === '/dev');
  const missing = EXPECTED.filter(
    ([dest]) => !present.has(dest) && !(devBound && dest.startsWith('/dev/')),
  );
  if (missing.length === 0) return;
  const all =
    missing.length > 1
      ? insertMountsFix(
          ctx,
          missing.map(([d]) => defaultEntry(ctx, d)),
          `Add the missing ${missing.map(([d]) => d).join(', ')} mounts`,
        )
      : undefined;
  for (const [dest, what] of missing) {
    const entry = defaultEntry(ctx, dest);
    const one = insertMountsFix(ctx, [entry], `Add a ${entry.type} mount on ${dest}`);
    if (one) one.preferred = true;
    const fixes = [one, all].filter((f): f is Fix => f !== undefined);
    ctx.report({
      code: 'default-mount-missing',
      severity: 'information',
      message: `${dest} is not in mounts; the runtime spec says a container SHOULD have ${what} there, so the plan adds the runtime's default (${entry.type}, ${entry.options.join(',')}). Write the mount in the spec to choose its options.`,
      range: anchor(ctx),
      path: ctx.doc.nodeAt(['mounts']) ? ['mounts'] : [],
      fixes: fixes.length ? fixes : undefined,
    });
  }
};

/** gVisor mounts a tmpfs on an empty /tmp when the spec does not; runc and crun never do. */
export const tmpMountRule: Rule = (ctx) => {
  const rootfs = ctx.rootfs;
  if (!ctx.spec || !rootfs || ctx.host.lstat(rootfs)?.type !== 'directory') return;
  if (ctx.spec.mounts !== undefined && !Array.isArray(ctx.spec.mounts)) return;
  if (
    mountViews(ctx).some(
      (m) =>
        m.cleanDestination && isAtOrBelow('/tmp', m.cleanDestination) && m.cleanDestination !== '/',
    )
  )
    return;
  const tmp = joinInRoot(rootfs, '/tmp');
  const entry = ctx.host.lstat(tmp);
  if (entry && (entry.type !== 'directory' || (ctx.host.readdir(tmp) ?? []).length > 0)) return;
  const fix = insertMountsFix(
    ctx,
    [defaultEntry(ctx, '/tmp')],
    'Add a tmpfs mount on /tmp (mode=1777)',
  );
  if (fix) fix.preferred = true;
  const readonly = asObject(ctx.spec.root)?.readonly === true;
  ctx.report({
    code: 'tmp-not-mounted',
    severity: 'information',
    message: `/tmp is not mounted and the image's /tmp is ${entry ? 'empty' : 'missing'}: gVisor would mount a tmpfs there, runc and crun do not, so /tmp stays the image's directory${readonly ? ', which is read-only because root.readonly is true' : ''}. Add a tmpfs mount on /tmp if the program writes there.`,
    range: anchor(ctx),
    path: ctx.doc.nodeAt(['mounts']) ? ['mounts'] : [],
    fixes: fix ? [fix] : undefined,
  });
};
