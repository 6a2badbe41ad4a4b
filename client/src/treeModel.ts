// What the Containers view shows, as plain data: built from the helper's ContainerInfo and
// the bundles found in the workspace. No `vscode` here, so the shape can be unit-tested;
// containersView.ts turns these nodes into TreeItems.
import type {
  ContainerInfo,
  ContainerStatus,
  EngineInfo,
  HookRun,
  MountSummary,
} from '../../helper/src/protocol';
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
  | 'problem'
  | 'remedy'
  | 'group'
  | 'bundle'
  | 'container'
  | 'process'
  | 'mounts'
  | 'mount'
  | 'network-files'
  | 'network-file'
  | 'hooks'
  | 'hook';

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

/**
 * The groups the view shows, with their sizes, as one phrase ("1 running, 2 stopped"): what
 * the status bar says, from the same list, so the two always agree.
 */
export function containerCounts(containers: ContainerInfo[]): string {
  const parts = STATUS_ORDER.flatMap((status) => {
    const n = containers.filter((c) => c.status === status).length;
    return n ? [`${n} ${STATUS_TITLE[status].toLowerCase()}`] : [];
  });
  return parts.length ? parts.join(', ') : 'no containers';
}

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
  const own = state.containers.filter((c) => !c.engine);
  for (const status of STATUS_ORDER) {
    const members = own.filter((c) => c.status === status);
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
  roots.push(...engineGroups(state.containers.filter((c) => c.engine)));
  return roots;
}

/** `podman`, `containerd · k8s.io`: the engine as the user knows it. */
export function engineTitle(e: EngineInfo): string {
  return e.namespace ? `${e.name} · ${e.namespace}` : e.name;
}

/**
 * Containers engines run with `bindery` as their runtime, one group per engine (and
 * containerd namespace), running first. The engine owns them: the rows offer stop and kill,
 * the spec (read-only), the plan and the live mounts, not teardown.
 */
function engineGroups(containers: ContainerInfo[]): TreeNode[] {
  const byEngine = new Map<string, ContainerInfo[]>();
  for (const c of containers) {
    const title = engineTitle(c.engine!);
    byEngine.set(title, [...(byEngine.get(title) ?? []), c]);
  }
  return [...byEngine.keys()].sort().map((title) => {
    const members = byEngine.get(title)!;
    const rank = (c: ContainerInfo) => STATUS_ORDER.indexOf(c.status);
    return {
      kind: 'group',
      id: `group:engine:${title}`,
      label: title,
      description: containerCounts(members),
      tooltip: `Containers ${members[0].engine!.name} runs with \`bindery\` as its runtime (state root \`${members[0].engine!.root}\`). ${members[0].engine!.name} owns them.`,
      icon: { id: 'server-environment' },
      collapsible: 'expanded',
      contextValue: 'group.engine',
      children: members
        .sort((a, b) => rank(a) - rank(b) || b.createdAt.localeCompare(a.createdAt))
        .map(containerNode),
    };
  });
}

/** A 64-hex id (podman's) is shown as its first 12 characters, as podman does. */
function shortRuntimeId(id: string): string {
  return /^[0-9a-f]{64}$/.test(id) ? id.slice(0, 12) : id;
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

/** The Output channel a container's stdout and stderr go to (output.ts creates it). */
export function outputChannelName(id: string): string {
  return `Bindery: ${id}`;
}

/**
 * A container's children, grouped: its process, its mounts (failed first), the network
 * files. The runtime's own bind mounts of the network files (index null: the plan writes a
 * file only for those) are shown once, as network files.
 */
export function containerNode(c: ContainerInfo): TreeNode {
  const net = new Set(c.networkFiles.map((f) => networkFileDestination(f.name)));
  const mounts = c.mounts
    .map((m, position) => ({ m, position }))
    .filter(({ m }) => !(m.index === null && net.has(m.destination)));
  const failed = mounts.filter(({ m }) => m.state === 'failed');
  const children: TreeNode[] = [processNode(c)];
  if (mounts.length)
    children.push({
      kind: 'mounts',
      id: `container:${c.id}:mounts`,
      label: 'Mounts',
      description: `${mounts.length}${failed.length ? ` · ${failed.length} failed` : ''}`,
      tooltip: `${mounts.length} mounts in the order the helper performs them${failed.length ? `, the ${failed.length} failed one${failed.length > 1 ? 's' : ''} first` : ''}.`,
      icon: failed.length ? { id: 'error', color: 'charts.red' } : { id: 'files' },
      contextValue: 'mounts',
      collapsible: 'expanded',
      children: [...failed, ...mounts.filter(({ m }) => m.state !== 'failed')].map(
        ({ m, position }) => mountNode(c, m, position),
      ),
      container: c,
    });
  if (c.hooks?.length) children.push(hooksNode(c, c.hooks));
  if (c.networkFiles.length)
    children.push({
      kind: 'network-files',
      id: `container:${c.id}:net`,
      label: 'Network files',
      description: String(c.networkFiles.length),
      tooltip:
        'Files the helper writes for the container and binds over its /etc: hostname, hosts, resolv.conf.',
      icon: { id: 'globe' },
      contextValue: 'network-files',
      collapsible: 'collapsed',
      children: networkFileNodes(c),
      container: c,
    });
  if (c.engine)
    return {
      kind: 'container',
      id: `container:${c.id}`,
      label: shortRuntimeId(c.engine.runtimeId),
      description: c.failure ? 'create failed' : c.engine.ociStatus,
      tooltip: containerTooltip(c),
      icon: statusIcon(c.status),
      contextValue: `engine-container.${c.status}`,
      collapsible: 'collapsed',
      // Its spec is the engine's: opened read-only, with the diagnostics of any other spec.
      command: { command: 'bindery.openSpec', title: 'Open spec (read-only)', args: [c.id] },
      children: c.failure ? [failureNode(c), ...children.slice(1)] : children,
      container: c,
    };
  return {
    kind: 'container',
    id: `container:${c.id}`,
    label: c.id,
    description: containerState(c),
    tooltip: containerTooltip(c),
    icon: statusIcon(c.status),
    contextValue: `container.${c.status}`,
    collapsible: 'collapsed',
    children,
    container: c,
  };
}

/** The spec's hooks that have run, in order; a failed one shows what it printed. */
function hooksNode(c: ContainerInfo, runs: HookRun[]): TreeNode {
  const failed = runs.filter((h) => !h.ok).length;
  return {
    kind: 'hooks',
    id: `container:${c.id}:hooks`,
    label: 'Hooks',
    description: `${runs.length} ran${failed ? ` · ${failed} failed` : ''}`,
    tooltip:
      'The spec’s hooks (`hooks` in config.json) the helper has run for this container, in order. prestart, createRuntime, poststart and poststop run on the host; createContainer and startContainer in the container. poststop runs when the container is torn down: see its output channel.',
    icon: failed ? { id: 'error', color: 'charts.red' } : { id: 'zap' },
    contextValue: 'hooks',
    collapsible: failed ? 'expanded' : 'collapsed',
    children: runs.map((h, position) => hookNode(c, h, position)),
    container: c,
  };
}

/** What the tooltip and the output channel say about one hook run. */
export function hookDetails(h: HookRun): string {
  const fence = (name: string, text: string) =>
    text ? `\n\n${name}:\n\n\`\`\`\n${text.replace(/```/g, '` ` `')}\n\`\`\`` : '';
  return (
    `**hooks.${h.kind}[${h.index}]** \`${h.path}\` — ${h.ok ? 'ok' : 'failed'} in ${h.durationMs} ms\n\n${h.message}` +
    fence('stdout', h.stdout) +
    fence('stderr', h.stderr) +
    (h.truncated ? `\n\n(${h.truncated} earlier bytes not kept)` : '')
  );
}

function hookNode(c: ContainerInfo, h: HookRun, position: number): TreeNode {
  const how = h.ok
    ? 'ok'
    : h.timedOut
      ? 'timed out'
      : h.exitCode !== undefined
        ? `failed: exit ${h.exitCode}`
        : h.signal
          ? `failed: ${h.signal}`
          : 'failed';
  return {
    kind: 'hook',
    id: `container:${c.id}:hook:${position}`,
    label: `${h.kind}[${h.index}]`,
    description: `${h.path} · ${how}`,
    tooltip: hookDetails(h),
    icon: h.ok ? { id: 'pass', color: 'charts.green' } : { id: 'error', color: 'charts.red' },
    contextValue: `hook.${h.ok ? 'ok' : 'failed'}`,
    collapsible: 'none',
    command: { command: 'bindery.showOutput', title: 'Show output', args: [c.id] },
    container: c,
  };
}

/** Why an engine's create failed; a click shows it on its entry of config.json. */
function failureNode(c: ContainerInfo): TreeNode {
  const f = c.failure!;
  const first = f.operation
    ? `${f.operation.errno}: ${f.operation.message}`
    : (f.findings?.[0]?.message ?? f.message);
  return {
    kind: 'process',
    id: `container:${c.id}:failure`,
    label: 'Create failed',
    description: first,
    tooltip: f.message,
    icon: { id: 'error', color: 'charts.red' },
    contextValue: 'engine-failure',
    collapsible: 'none',
    command: { command: 'bindery.openSpec', title: 'Open spec (read-only)', args: [c.id] },
    container: c,
  };
}

function networkFileDestination(name: string): string {
  return `/etc/${name}`;
}

/** The memory cgroup's word on a stopped container: OOM kills and the peak. */
export function memoryText(c: ContainerInfo): string | undefined {
  const parts: string[] = [];
  if (c.oomKills) parts.push(`${c.oomKills} OOM kill${c.oomKills === 1 ? '' : 's'}`);
  if (c.memoryPeak !== undefined)
    parts.push(`memory peak ${(c.memoryPeak / 1048576).toFixed(1)} MiB`);
  return parts.length ? parts.join(', ') : undefined;
}

function exitText(c: ContainerInfo): string | undefined {
  // The kernel's OOM killer sends SIGKILL: say who sent it.
  if (c.oomKills && c.signal === 'SIGKILL') return 'killed by the OOM killer (memory limit)';
  if (c.signal) return `killed by ${c.signal}`;
  if (c.exitCode !== undefined) return `exit ${c.exitCode}`;
  return undefined;
}

/** One short phrase: what the view and the status bar both say about a container. */
export function containerState(c: ContainerInfo): string {
  switch (c.status) {
    case 'running':
      return 'running';
    case 'creating':
      return 'starting';
    case 'failed':
      return exitText(c) ? `failed, ${exitText(c)}` : 'failed';
    case 'stopped':
      return exitText(c) ?? 'stopped';
  }
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
    ...(memoryText(c) ? [`| memory | ${memoryText(c)} |`] : []),
    `| pid | ${c.pid ?? '—'} |`,
    `| owner | uid ${c.owner} |`,
    `| bundle | \`${c.bundle}\` |`,
    ...(c.engine
      ? [
          `| engine | ${engineTitle(c.engine)}, as \`${c.engine.runtimeId}\` (runtime status ${c.engine.ociStatus}) |`,
        ]
      : []),
    `| created | ${c.createdAt} |`,
    `| mounts | ${c.mounts.filter((m) => m.state === 'applied').length} applied${failed.length ? `, ${failed.length} failed` : ''} |`,
    c.engine
      ? `| output | ${c.engine.name}'s (e.g. \`${c.engine.name === 'podman' ? 'podman logs' : 'ctr task attach'}\`) |`
      : `| output | Output panel, “${outputChannelName(c.id)}” |`,
  ];
  return rows.join('\n');
}

function processNode(c: ContainerInfo): TreeNode {
  const state = c.pid
    ? `pid ${c.pid}`
    : (exitText(c) ?? (c.status === 'creating' ? 'starting' : 'not started'));
  const args = c.args.join(' ') || '(no args)';
  if (c.engine)
    return {
      kind: 'process',
      id: `container:${c.id}:process`,
      label: 'Process',
      // Its output goes to the engine (conmon, the shim), never through the helper.
      description: `${state} → ${c.engine.name}`,
      tooltip: `**Process** \`${args}\`\n\npid: ${c.pid ?? '—'}\n\nstdout and stderr go to ${c.engine.name}, which started it.`,
      icon: { id: 'terminal' },
      contextValue: 'process',
      collapsible: 'none',
      container: c,
    };
  return {
    kind: 'process',
    id: `container:${c.id}:process`,
    label: 'Process',
    // Where its output went, said on the row: the user should not have to hunt for it.
    description: `${state} → Output`,
    tooltip:
      `**Process** \`${args}\`\n\n` +
      `pid: ${c.pid ?? '—'}\n\nexit code: ${c.exitCode ?? '—'}${c.signal ? `\n\nsignal: ${c.signal}` : ''}${memoryText(c) ? `\n\nmemory: ${memoryText(c)}` : ''}\n\n` +
      `stdout and stderr: the Output panel, channel “${outputChannelName(c.id)}” (click to show).`,
    icon: { id: 'terminal' },
    contextValue: 'process',
    collapsible: 'none',
    command: { command: 'bindery.showOutput', title: 'Show output', args: [c.id] },
    container: c,
  };
}

function mountStateText(m: MountSummary): string {
  return m.state === 'failed' ? `failed${m.errno ? `: ${m.errno}` : ''}` : m.state;
}

function mountIcon(state: MountSummary['state']): IconRef {
  return state === 'applied'
    ? { id: 'pass', color: 'charts.green' }
    : state === 'failed'
      ? { id: 'error', color: 'charts.red' }
      : { id: 'circle-outline', color: 'disabledForeground' };
}

/** What the tooltip and the details document say about one mount. */
export function mountDetails(m: MountSummary): string {
  return (
    `**${m.destination}** — ${mountStateText(m)}\n\n` +
    `type \`${m.type}\`, source \`${m.source}\`\n\n` +
    `effective options: \`${m.options || 'defaults'}\`\n\n` +
    (m.index === null
      ? 'added by the runtime (not in config.json)'
      : `config.json: mounts[${m.index}]`) +
    (m.errno ? `\n\nerrno: \`${m.errno}\`` : '')
  );
}

export function mountNode(c: ContainerInfo, m: MountSummary, position: number): TreeNode {
  return {
    kind: 'mount',
    id: `container:${c.id}:mount:${position}`,
    label: m.destination,
    // State and type only: the sidebar is narrow. Options, source and entry: the tooltip.
    description: `${m.type} · ${mountStateText(m)}`,
    tooltip: mountDetails(m),
    icon: mountIcon(m.state),
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
  return c.networkFiles.map((f) => {
    const destination = networkFileDestination(f.name);
    const mount = c.mounts.find((m) => m.index === null && m.destination === destination);
    return {
      kind: 'network-file',
      id: `container:${c.id}:net:${f.name}`,
      label: destination,
      description: mount ? `bind · ${mountStateText(mount)}` : 'written',
      tooltip:
        `Network file written by the helper and bind-mounted at \`${destination}\`.\n\nHost path: \`${f.path}\`` +
        (mount ? `\n\n${mountDetails(mount)}` : ''),
      icon: mount ? mountIcon(mount.state) : { id: 'globe' },
      contextValue: 'network-file',
      collapsible: 'none',
      command: { command: 'bindery.openPath', title: 'Open', args: [f.path] },
      container: c,
      mount,
    };
  });
}
