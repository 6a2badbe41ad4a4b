// What the Containers view shows, as plain data: built from the helper's ContainerInfo and
// the bundles found in the workspace. No `vscode` here, so the shape can be unit-tested;
// containersView.ts turns these nodes into TreeItems.
import type { ContainerInfo, ContainerStatus, MountSummary } from '../../helper/src/protocol';
import type { HelperProblem } from './diagnoseHelper';

export interface Bundle {
  /** Absolute path of the bundle directory. */
  dir: string;
  /** Absolute path of its config.json. */
  specPath: string;
  /** Workspace-relative name for display. */
  name: string;
}

export interface IconRef {
  id: string;
  color?: string;
}

export interface NodeCommand {
  command: string;
  title: string;
  args: unknown[];
}

export type NodeKind =
  'problem' | 'remedy' | 'group' | 'bundle' | 'container' | 'mount' | 'network-file' | 'process';

export interface TreeNode {
  kind: NodeKind;
  /** Stable across refreshes, so expanded rows stay expanded. */
  id: string;
  label: string;
  description?: string;
  /** Markdown. */
  tooltip?: string;
  icon?: IconRef;
  /** For `when` clauses in menus: `bundle`, `container.running`, … */
  contextValue?: string;
  collapsible: 'none' | 'collapsed' | 'expanded';
  command?: NodeCommand;
  children?: TreeNode[];
  /** What the node stands for, handed to commands invoked on it. */
  bundle?: Bundle;
  container?: ContainerInfo;
  mount?: MountSummary;
}

export interface ViewState {
  bundles: Bundle[];
  containers: ContainerInfo[];
  /** Set when the helper cannot be reached. */
  problem?: HelperProblem;
  /** True while we have no answer yet. */
  connecting?: boolean;
}

const STATUS_ORDER: ContainerStatus[] = ['running', 'creating', 'failed', 'stopped'];
const STATUS_TITLE: Record<ContainerStatus, string> = {
  running: 'Running',
  creating: 'Starting',
  failed: 'Failed',
  stopped: 'Stopped',
};

export function statusIcon(status: ContainerStatus): IconRef {
  switch (status) {
    case 'running':
      return { id: 'vm-running', color: 'charts.green' };
    case 'creating':
      return { id: 'loading~spin' };
    case 'failed':
      return { id: 'error', color: 'charts.red' };
    case 'stopped':
      return { id: 'vm-outline', color: 'disabledForeground' };
  }
}

export function buildRoots(state: ViewState): TreeNode[] {
  // Nothing to list: the view's welcome content explains the helper's state instead.
  if (state.bundles.length === 0 && state.containers.length === 0) return [];
  const roots: TreeNode[] = [];
  if (state.problem) roots.push(problemNode(state.problem));
  roots.push({
    kind: 'group',
    id: 'group:bundles',
    label: 'Bundles',
    description:
      state.bundles.length === 0 ? 'none in this workspace' : String(state.bundles.length),
    icon: { id: 'package' },
    collapsible: 'expanded',
    contextValue: 'group.bundles',
    children: state.bundles.map(bundleNode),
  });
  for (const status of STATUS_ORDER) {
    const members = state.containers.filter((c) => c.status === status);
    if (members.length === 0) continue;
    roots.push({
      kind: 'group',
      id: `group:${status}`,
      label: STATUS_TITLE[status],
      description: String(members.length),
      icon: statusIcon(status),
      collapsible: 'expanded',
      contextValue: `group.${status}`,
      children: members.sort((a, b) => b.createdAt.localeCompare(a.createdAt)).map(containerNode),
    });
  }
  return roots;
}

function problemNode(p: HelperProblem): TreeNode {
  return {
    kind: 'problem',
    id: `problem:${p.code}`,
    label: `Helper unreachable: ${p.short}`,
    tooltip: p.detail,
    icon: { id: 'warning', color: 'list.warningForeground' },
    contextValue: 'problem',
    collapsible: 'expanded',
    children: [
      {
        kind: 'remedy',
        id: `problem:${p.code}:why`,
        label: p.detail,
        icon: { id: 'info' },
        tooltip: p.detail,
        collapsible: 'none',
      },
      ...p.remedies.map((r, i): TreeNode => ({
        kind: 'remedy',
        id: `problem:${p.code}:${i}`,
        label: r.title,
        description: r.command,
        icon: { id: REMEDY_ICON[r.kind] },
        collapsible: 'none',
        command: { command: 'bindery.applyRemedy', title: r.title, args: [r] },
      })),
    ],
  };
}

const REMEDY_ICON: Record<string, string> = {
  copy: 'copy',
  terminal: 'terminal',
  docs: 'book',
  reconnect: 'refresh',
};

export function bundleNode(b: Bundle): TreeNode {
  return {
    kind: 'bundle',
    id: `bundle:${b.dir}`,
    label: b.name,
    tooltip: `**Bundle** \`${b.dir}\`\n\nSpec: \`${b.specPath}\``,
    icon: { id: 'package' },
    contextValue: 'bundle',
    collapsible: 'none',
    command: { command: 'bindery.openPath', title: 'Open spec', args: [b.specPath] },
    bundle: b,
  };
}

export function containerNode(c: ContainerInfo): TreeNode {
  const children: TreeNode[] = [
    processNode(c),
    ...c.mounts.map((m, i) => mountNode(c, m, i)),
    ...networkFileNodes(c),
  ];
  return {
    kind: 'container',
    id: `container:${c.id}`,
    label: c.id,
    description: `${c.status}${c.pid ? ` · pid ${c.pid}` : ''}${exitText(c) ? ` · ${exitText(c)}` : ''}`,
    tooltip: containerTooltip(c),
    icon: statusIcon(c.status),
    contextValue: `container.${c.status}`,
    collapsible: 'collapsed',
    children,
    container: c,
  };
}

function exitText(c: ContainerInfo): string | undefined {
  if (c.signal) return `killed by ${c.signal}`;
  if (c.exitCode !== undefined) return `exit ${c.exitCode}`;
  return undefined;
}

export function containerTooltip(c: ContainerInfo): string {
  const failed = c.mounts.filter((m) => m.state === 'failed');
  const rows = [
    `**${c.id}** — ${c.status}`,
    '',
    `| | |`,
    `|---|---|`,
    `| id | \`${c.id}\` |`,
    `| status | ${c.status}${exitText(c) ? ` (${exitText(c)})` : ''} |`,
    `| pid | ${c.pid ?? '—'} |`,
    `| owner | uid ${c.owner} |`,
    `| bundle | \`${c.bundle}\` |`,
    `| created | ${c.createdAt} |`,
    `| mounts | ${c.mounts.filter((m) => m.state === 'applied').length} applied${failed.length ? `, ${failed.length} failed` : ''} |`,
  ];
  return rows.join('\n');
}

function processNode(c: ContainerInfo): TreeNode {
  const state = c.pid
    ? `pid ${c.pid}`
    : (exitText(c) ?? (c.status === 'creating' ? 'starting' : 'not started'));
  return {
    kind: 'process',
    id: `container:${c.id}:process`,
    label: c.args.join(' ') || '(no args)',
    description: state,
    tooltip: `**Process**\n\nargs: \`${c.args.join(' ')}\`\n\npid: ${c.pid ?? '—'}\n\nexit code: ${c.exitCode ?? '—'}${c.signal ? `\n\nsignal: ${c.signal}` : ''}`,
    icon: { id: 'terminal' },
    contextValue: 'process',
    collapsible: 'none',
    command: { command: 'bindery.showOutput', title: 'Show output', args: [c.id] },
    container: c,
  };
}

export function mountNode(c: ContainerInfo, m: MountSummary, position: number): TreeNode {
  const icon: IconRef =
    m.state === 'applied'
      ? { id: 'pass', color: 'charts.green' }
      : m.state === 'failed'
        ? { id: 'error', color: 'charts.red' }
        : { id: 'circle-outline', color: 'disabledForeground' };
  const state = m.state === 'failed' ? `failed${m.errno ? `: ${m.errno}` : ''}` : m.state;
  return {
    kind: 'mount',
    id: `container:${c.id}:mount:${position}`,
    label: m.destination,
    // `proc proc` says nothing twice: show the source only when it adds something.
    description: `${m.type}${m.source && m.source !== m.type ? ` ${m.source}` : ''} · ${m.options || 'defaults'} · ${state}`,
    tooltip:
      `**${m.destination}** — ${state}\n\n` +
      `type \`${m.type}\`, source \`${m.source}\`\n\n` +
      `effective options: \`${m.options || 'defaults'}\`\n\n` +
      (m.index === null
        ? 'added by the runtime (not in config.json)'
        : `config.json: mounts[${m.index}]`),
    icon,
    contextValue: `mount.${m.state}`,
    collapsible: 'none',
    command:
      m.index === null
        ? undefined
        : {
            command: 'bindery.revealMount',
            title: 'Show in config.json',
            args: [c.bundle, m.index],
          },
    container: c,
    mount: m,
  };
}

function networkFileNodes(c: ContainerInfo): TreeNode[] {
  return c.networkFiles.map((f) => ({
    kind: 'network-file',
    id: `container:${c.id}:net:${f.name}`,
    label: `/etc/${f.name}`,
    description: f.path,
    tooltip: `Network file written by the helper and bind-mounted at \`/etc/${f.name}\`.\n\nHost path: \`${f.path}\``,
    icon: { id: 'globe' },
    contextValue: 'network-file',
    collapsible: 'none',
    command: { command: 'bindery.openPath', title: 'Open', args: [f.path] },
    container: c,
  }));
}
