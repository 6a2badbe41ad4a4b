// linux.devices: what the schema cannot say about a device node. Types are the structure
// rule's; this file checks what depends on the type.
import { asArray, asObject } from '../json';
import type { Rule } from '../rule';
import { hasOnlyFileTypeBits, S_IFMT } from '../schema';
import { replaceWithJson } from './edits';

/** The spec: `major` and `minor` are REQUIRED unless the type is `p` (a FIFO has no numbers). */
export const deviceNumbersRule: Rule = (ctx) => {
  asArray(asObject(ctx.spec?.linux)?.devices).forEach((entry, i) => {
    const device = asObject(entry);
    const type = device?.type;
    if (!device || (type !== 'c' && type !== 'b' && type !== 'u')) return;
    const node = ctx.doc.nodeAt(['linux', 'devices', i]);
    for (const field of ['major', 'minor'] as const) {
      if (device[field] !== undefined && device[field] !== null) continue;
      ctx.report({
        code: 'missing-required-field',
        severity: 'error',
        message: `linux.devices[${i}] is missing the required "${field}": a "${type}" device node needs its major and minor numbers (only type "p", a FIFO, has none); runc cannot create the node without them.`,
        range: node
          ? { start: ctx.doc.positionAt(node.offset), end: ctx.doc.positionAt(node.offset + 1) }
          : ctx.doc.rangeNear(['linux', 'devices', i]),
        path: ['linux', 'devices', i],
      });
    }
  });
};

/**
 * A fileMode with the file-type bits (Docker once wrote 8576 = S_IFCHR|0600): outside the
 * schema's 0…0777, yet runc and crun strip those bits and create the node. Said once per spec.
 */
export const deviceFileModeRule: Rule = (ctx) => {
  const withTypeBits: number[] = [];
  asArray(asObject(ctx.spec?.linux)?.devices).forEach((entry, i) => {
    const mode = asObject(entry)?.fileMode;
    if (typeof mode === 'number' && Number.isInteger(mode) && hasOnlyFileTypeBits(mode))
      withTypeBits.push(i);
  });
  if (withTypeBits.length === 0) return;
  const [first] = withTypeBits;
  const path = ['linux', 'devices', first, 'fileMode'];
  const node = ctx.doc.nodeAt(path);
  const mode = node?.value as number;
  const perm = mode & ~S_IFMT;
  const others = withTypeBits.length - 1;
  ctx.report({
    code: 'device-file-mode-type-bits',
    severity: 'information',
    message: `linux.devices[${first}].fileMode ${mode} (0${mode.toString(8)}) carries the file-type bits; the spec wants only the permissions (0${perm.toString(8)} = ${perm}). runc and crun drop the type bits and create the node as written, so this works.${others > 0 ? ` ${others} more device${others > 1 ? 's do' : ' does'} the same.` : ''}`,
    range: ctx.doc.rangeNear(path),
    path,
    fixes: node
      ? [
          {
            title: `Change to ${perm} (0${perm.toString(8)})`,
            edits: [replaceWithJson(ctx.doc, node, perm)],
          },
        ]
      : undefined,
  });
};
