// One spec mount → what it really does, decided exactly the way runc decides it
// (libcontainer/specconv: parseMountOptions and createLibcontainerMount).
import { ATIME_ATTRS, optionInfo, sortMountAttrs, sortMsFlags } from './flags';
import { asArray, asObject, asString } from './json';
import { cleanDestination, resolveHostPath } from './paths';
import type { MountAttr, MsFlag, NormalizedMount, Origin, ParsedOptions } from './types';

export type { ParsedOptions };

/**
 * Applies the options in order, last one wins: a flag option sets its bits and forgets an
 * earlier clear, a clearing option does the opposite. Options that are not strings are
 * skipped (the schema rules report them).
 */
export function parseMountOptions(options: readonly unknown[]): ParsedOptions {
  const set = new Set<MsFlag>();
  const clear = new Set<MsFlag>();
  const attrSet = new Set<MountAttr>();
  const attrClr = new Set<MountAttr>();
  const propagation: MsFlag[][] = [];
  const data: string[] = [];
  let tmpcopyup = false;
  let idmap: ParsedOptions['idmap'] = 'none';

  for (const raw of options) {
    if (typeof raw !== 'string') continue;
    const info = optionInfo(raw);
    switch (info.kind) {
      case 'flag':
        for (const f of info.flags as MsFlag[]) {
          if (info.clear) {
            set.delete(f);
            clear.add(f);
          } else {
            set.add(f);
            clear.delete(f);
          }
        }
        break;
      case 'propagation':
        propagation.push(sortMsFlags(info.flags as MsFlag[]));
        break;
      case 'recursive': {
        const a = info.flags[0] as MountAttr;
        if (info.clear) {
          attrClr.add(a);
          attrSet.delete(a);
        } else {
          attrSet.add(a);
          attrClr.delete(a);
          // The access-time attributes are one field: mount_setattr(2) wants it cleared to set one.
          if (ATIME_ATTRS.has(a)) attrClr.add('MOUNT_ATTR__ATIME');
        }
        break;
      }
      case 'special':
        if (raw === 'tmpcopyup') tmpcopyup = true;
        else idmap = raw === 'ridmap' ? 'ridmap' : 'idmap';
        break;
      default:
        data.push(raw);
    }
  }
  return {
    flagsSet: sortMsFlags(set),
    flagsClear: sortMsFlags(clear),
    propagation,
    attrSet: sortMountAttrs(attrSet),
    attrClr: sortMountAttrs(attrClr),
    data,
    tmpcopyup,
    idmap,
  };
}

/**
 * Normalises `mounts[index]` of a spec (any shape: wrong types give empty fields, never a
 * throw). A mount is a bind mount iff its options hold `bind` or `rbind`; `type: "bind"`
 * alone is not enough (runc and crun then try to mount a filesystem called "bind").
 */
export function normalizeMount(
  entry: unknown,
  index: number | null,
  origin: Origin,
  bundleDir: string,
): NormalizedMount {
  const m = asObject(entry) ?? {};
  const opts = parseMountOptions(asArray(m.options));
  const bind = opts.flagsSet.includes('MS_BIND');
  const source = asString(m.source) ?? '';
  const type = asString(m.type) ?? '';
  let idmap = opts.idmap;
  // Per-mount mappings make an ID-mapped mount even without the `idmap` option (runc).
  if (idmap === 'none' && (asArray(m.uidMappings).length > 0 || asArray(m.gidMappings).length > 0))
    idmap = 'idmap';
  return {
    index,
    origin,
    destination: cleanDestination(asString(m.destination) ?? ''),
    // runc replaces whatever type a bind mount names with "bind": the kernel ignores it.
    type: bind ? 'bind' : type,
    source,
    hostSource: bind && source !== '' ? resolveHostPath(bundleDir, source) : undefined,
    bind,
    recursive: opts.flagsSet.includes('MS_REC'),
    flagsSet: opts.flagsSet,
    flagsClear: opts.flagsClear,
    propagation: opts.propagation,
    attrSet: opts.attrSet,
    attrClr: opts.attrClr,
    // mount(2) ignores data with MS_BIND (runc 1.1 passes it anyway): the plan drops it, and
    // the bind-with-data-options warning says so.
    data: bind ? [] : opts.data,
    tmpcopyup: opts.tmpcopyup,
    idmap,
  };
}
