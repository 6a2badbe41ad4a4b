// Everything the Containers view knows about one container, as a Markdown document: the
// rows keep to state and type (the sidebar is narrow), this has the full options, sources,
// spec entries and errnos. No `vscode` here, so it can be unit-tested.
import type { ContainerInfo, MountSummary } from '../../helper/src/protocol';
import { containerState, memoryText, outputChannelName } from './treeModel';

/** `entryLines`: 0-based line of each spec mount entry (by index), when the spec is readable. */
export function renderContainerDetails(
  c: ContainerInfo,
  entryLines: ReadonlyMap<number, number> = new Map(),
): string {
  const failed = c.mounts.filter((m) => m.state === 'failed');
  const lines = [
    `# ${c.id} — ${containerState(c)}`,
    '',
    `- bundle: \`${c.bundle}\``,
    `- status: ${c.status}`,
    `- owner: uid ${c.owner}`,
    `- created: ${c.createdAt}`,
    '',
    '## Process',
    '',
    `- args: \`${c.args.join(' ') || '(none)'}\``,
    `- pid: ${c.pid ?? '—'}`,
    `- exit code: ${c.exitCode ?? '—'}`,
    ...(c.signal ? [`- signal: ${c.signal}`] : []),
    ...(memoryText(c) ? [`- memory: ${memoryText(c)}`] : []),
    `- output: the Output panel, channel “${outputChannelName(c.id)}”`,
    '',
    `## Mounts (${c.mounts.length}${failed.length ? `, ${failed.length} failed` : ''})`,
  ];
  for (const m of [...failed, ...c.mounts.filter((x) => x.state !== 'failed')])
    lines.push('', ...mountSection(m, entryLines));
  if (c.networkFiles.length) {
    lines.push('', '## Network files', '');
    for (const f of c.networkFiles) lines.push(`- \`/etc/${f.name}\`: written at \`${f.path}\``);
  }
  return lines.join('\n') + '\n';
}

/** The heading of a mount's section: where the details document is scrolled for that row. */
export function mountHeading(m: MountSummary): string {
  return `### ${m.destination} — ${m.state === 'failed' ? `failed${m.errno ? ` (${m.errno})` : ''}` : m.state}`;
}

function mountSection(m: MountSummary, entryLines: ReadonlyMap<number, number>): string[] {
  const line = m.index === null ? undefined : entryLines.get(m.index);
  return [
    mountHeading(m),
    '',
    `- type: \`${m.type}\``,
    `- source: \`${m.source}\``,
    `- effective options: \`${m.options || 'defaults'}\``,
    `- spec entry: ${
      m.index === null
        ? 'none: added by the runtime'
        : `mounts[${m.index}]${line === undefined ? '' : `, config.json line ${line + 1}`}`
    }`,
    ...(m.errno ? [`- errno: \`${m.errno}\``] : []),
  ];
}
