// Hover: what a field means, what a mount type or option does, and — on a mount entry — the
// exact calls the helper will make for it, taken from the plan's operations.
import * as jsonc from 'jsonc-parser';
import { MarkupKind, type Hover, type Position } from 'vscode-languageserver';
import {
  type CgroupOp,
  knownDataOptions,
  type NormalizedMount,
  optionInfo,
  renderOperation,
} from '@bindery/plan';
import type { Analysis } from './analysis';
import { CRUN_ONLY_NOTES, DATA_OPTIONS, DEFAULTS_NOTE, OPTION_NOTES } from './docs/mountOptions';
import { MOUNT_TYPES } from './docs/mountTypes';
import { namespaceDoc } from './docs/namespaces';
import { fieldAt } from './fieldDocs';
import { nodeAtPosition } from './jsonPosition';

export function provideHover(analysis: Analysis, position: Position): Hover | null {
  const at = nodeAtPosition(analysis.spec, position);
  if (!at) return null;
  const { path, node, isKey } = at;
  const sections: string[] = [];
  const valueOf = (n: jsonc.Node) => (n.type === 'string' ? (n.value as string) : undefined);

  const mountIndex = path[0] === 'mounts' && typeof path[1] === 'number' ? path[1] : undefined;
  const entryType = mountIndex !== undefined ? mountTypeAt(analysis, mountIndex) : undefined;

  if (
    !isKey &&
    mountIndex !== undefined &&
    path.length === 3 &&
    path[2] === 'type' &&
    valueOf(node)
  ) {
    sections.push(mountTypeDoc(valueOf(node)!));
  } else if (
    !isKey &&
    mountIndex !== undefined &&
    path.length === 4 &&
    path[2] === 'options' &&
    valueOf(node) !== undefined
  ) {
    sections.push(optionDoc(valueOf(node)!, entryType));
  } else if (
    !isKey &&
    path.length === 4 &&
    path[0] === 'linux' &&
    path[1] === 'namespaces' &&
    path[3] === 'type' &&
    valueOf(node)
  ) {
    const doc = namespaceDoc(valueOf(node)!);
    sections.push(
      doc
        ? `**\`${valueOf(node)}\` namespace**\n\n${doc}`
        : `\`${valueOf(node)}\` is not a namespace type.`,
    );
  } else if (
    !isKey &&
    path.length === 2 &&
    path[0] === 'linux' &&
    path[1] === 'rootfsPropagation' &&
    valueOf(node)
  ) {
    sections.push(optionDoc(valueOf(node)!, undefined));
  } else {
    const field = fieldAt(path);
    if (field) sections.push(field);
  }

  // On the `mounts` key: what the runtime adds beside the spec's own entries.
  if (isKey && path.length === 1 && path[0] === 'mounts') sections.push(addedMountsDoc(analysis));

  // On the mount object itself, or its destination: the operations.
  const onEntry =
    mountIndex !== undefined &&
    (path.length === 2 || (path.length === 3 && path[2] === 'destination'));
  if (onEntry) sections.push(operationsDoc(analysis, mountIndex!));
  else if (mountIndex === undefined) {
    // Other fields that become calls: root.path, root.readonly, hostname, maskedPaths[i]…
    const ops = analysis.plan.operations.filter(
      (op) =>
        op.origin.kind === 'spec' &&
        op.origin.mountIndex === undefined &&
        (samePath(op.origin.path, path) ||
          (path.length === 1 && path[0] === 'root' && op.origin.path[0] === 'root') ||
          // A hook, one of its fields, or the list it is in: every hook it covers.
          (path[0] === 'hooks' && (startsWith(path, op.origin.path) || startsWith(op.origin.path, path)))),
    );
    if (ops.length)
      sections.push(
        `What the helper does for this:\n\n\`\`\`c\n${ops.map((op) => renderOperation(op)).join('\n')}\n\`\`\``,
      );
    // linux.resources fields are files of the one cgroup operation: the writes of this field.
    const cgroup = analysis.plan.operations.find((op): op is CgroupOp => op.op === 'cgroup');
    const writes = (cgroup?.writes ?? []).filter(
      (w) => w.origin.kind === 'spec' && path.length >= 2 && startsWith(w.origin.path, path),
    );
    if (writes.length)
      sections.push(
        `What the helper writes in the container's cgroup:\n\n\`\`\`c\n${writes.map((w) => `write(${JSON.stringify(w.file)}, ${JSON.stringify(w.value)})`).join('\n')}\n\`\`\``,
      );
  }

  if (sections.length === 0) return null;
  return {
    contents: { kind: MarkupKind.Markdown, value: sections.join('\n\n---\n\n') },
    range: analysis.spec.rangeOfNode(node),
  };
}

function startsWith(a: readonly (string | number)[], prefix: readonly (string | number)[]): boolean {
  return prefix.length <= a.length && prefix.every((seg, i) => seg === a[i]);
}

function samePath(a: readonly (string | number)[], b: readonly (string | number)[]): boolean {
  return a.length === b.length && a.every((seg, i) => seg === b[i]);
}

function mountTypeAt(analysis: Analysis, index: number): string | undefined {
  return analysis.plan.mounts.find((m) => m.index === index)?.type;
}

export function mountTypeDoc(type: string): string {
  const doc = MOUNT_TYPES[type];
  if (!doc)
    return `**\`${type}\`**: passed to mount(2) as the filesystem type; the kernel must know it (see /proc/filesystems).`;
  return `**\`${type}\`** mount\n\n${doc.summary}\n\nSource: ${doc.source}.`;
}

export function optionDoc(option: string, mountType: string | undefined): string {
  const info = optionInfo(option);
  const lines: string[] = [];
  switch (info.kind) {
    case 'flag':
      lines.push(
        `**\`${option}\`** · mount flag · ${info.clear ? 'clears' : 'sets'} \`${info.flags.join('|')}\``,
      );
      break;
    case 'propagation':
      lines.push(
        `**\`${option}\`** · propagation · a separate \`mount(NULL, target, NULL, ${info.flags.join('|')}, NULL)\` after the mount`,
      );
      break;
    case 'recursive':
      lines.push(
        `**\`${option}\`** · recursive attribute · \`mount_setattr(target, AT_RECURSIVE)\` ${info.clear ? 'clears' : 'sets'} \`${info.flags.join('|')}\``,
      );
      break;
    case 'special':
      lines.push(
        `**\`${option}\`** · handled by the runtime${info.flags.length ? ` · \`${info.flags.join('|')}\`` : ''}`,
      );
      break;
    case 'data': {
      const [key, value] = splitData(option);
      lines.push(`**\`${option}\`** · filesystem data (the last argument of mount(2))`);
      if (key === 'defaults') {
        lines.push(DEFAULTS_NOTE);
        return lines.join('\n\n');
      }
      if (CRUN_ONLY_NOTES[option]) {
        lines.push(
          `${CRUN_ONLY_NOTES[option]} runc does not know it and passes it to the filesystem as data; the helper follows runc, so the kernel will most likely refuse the mount.`,
        );
        return lines.join('\n\n');
      }
      const doc = mountType ? DATA_OPTIONS[mountType]?.[key] : undefined;
      const known = knownDataOptions(mountType);
      if (doc) lines.push(doc + (value !== undefined ? ` Here: \`${value}\`.` : ''));
      else if (known && !known.includes(key))
        lines.push(
          `\`${mountType}\` does not accept \`${key}\`: the kernel would refuse the mount (EINVAL).`,
        );
      else
        lines.push(
          mountType ? `Passed to \`${mountType}\` as is.` : 'Passed to the filesystem as is.',
        );
      return lines.join('\n\n');
    }
  }
  lines.push(info.doc);
  if (OPTION_NOTES[option]) lines.push(OPTION_NOTES[option]);
  return lines.join('\n\n');
}

function splitData(option: string): [string, string | undefined] {
  const eq = option.indexOf('=');
  return eq < 0 ? [option, undefined] : [option.slice(0, eq), option.slice(eq + 1)];
}

function operationsDoc(analysis: Analysis, index: number): string {
  const mount = analysis.plan.mounts.find((m) => m.index === index);
  const ops = analysis.plan.operations.filter(
    (op) => op.origin.kind === 'spec' && op.origin.mountIndex === index,
  );
  const title = `**mounts[${index}]${mount ? ` → \`${mount.destination}\`` : ''}**`;
  if (ops.length === 0) {
    const errors = analysis.plan.findings.some(
      (f) => f.severity === 'error' && f.path[0] === 'mounts' && f.path[1] === index,
    );
    return `${title}\n\nNo operation planned for this entry${errors ? ': fix its errors first.' : '.'}`;
  }
  const summary = mount ? effectiveSummary(mount) : '';
  return `${title} — what the helper will do, in order:\n\n\`\`\`c\n${ops.map((op) => renderOperation(op)).join('\n')}\n\`\`\`${summary}`;
}

function addedMountsDoc(analysis: Analysis): string {
  const added = analysis.plan.mounts.filter((m) => m.origin.kind === 'added');
  if (added.length === 0)
    return 'The helper adds no mount of its own: every mount is in this list.';
  const lines = added.map(
    (m) =>
      `- \`${m.destination}\` (${m.type}): ${m.origin.kind === 'added' ? m.origin.reason : ''}`,
  );
  return `**Added by the helper** (write a mount with the same destination to replace one):\n\n${lines.join('\n')}`;
}

function effectiveSummary(m: NormalizedMount): string {
  const parts: string[] = [];
  parts.push(m.bind ? (m.recursive ? 'recursive bind' : 'bind (submounts not included)') : m.type);
  if (m.flagsSet.length) parts.push(`sets ${m.flagsSet.join(', ')}`);
  if (m.flagsClear.length) parts.push(`clears ${m.flagsClear.join(', ')}`);
  if (m.propagation.length)
    parts.push(`propagation ${m.propagation.map((p) => p.join('|')).join(' then ')}`);
  if (m.attrSet.length || m.attrClr.length)
    parts.push(
      `recursive attributes +${m.attrSet.join('+')}${m.attrClr.length ? ` −${m.attrClr.join('−')}` : ''}`,
    );
  if (m.data.length) parts.push(`data \`${m.data.join(',')}\``);
  return `\n\nEffective: ${parts.join(' · ')}.`;
}
