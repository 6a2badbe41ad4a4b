// The Containers view: bundles of the workspace and the helper's containers grouped by state.
// Redraws only on events (helper notifications, file watcher) and only while visible;
// a hidden view just remembers that it is stale.
import * as vscode from 'vscode';
import type { BundleFinder } from './bundles';
import type { ContainerStore } from './containerStore';
import type { HelperConnection, HelperState } from './helperConnection';
import { buildRoots, type TreeNode } from './treeModel';

export const VIEW_ID = 'bindery.containers';

export class ContainersView implements vscode.TreeDataProvider<TreeNode>, vscode.Disposable {
  private readonly emitter = new vscode.EventEmitter<TreeNode | undefined>();
  readonly onDidChangeTreeData = this.emitter.event;
  readonly view: vscode.TreeView<TreeNode>;
  private stale = false;
  private readonly parents = new Map<string, TreeNode>();
  private readonly subscriptions: vscode.Disposable[] = [];
  private readonly visibilityEmitter = new vscode.EventEmitter<boolean>();
  readonly onDidChangeVisibility = this.visibilityEmitter.event;

  constructor(
    private readonly helper: HelperConnection,
    private readonly store: ContainerStore,
    private readonly bundles: BundleFinder,
  ) {
    this.view = vscode.window.createTreeView(VIEW_ID, {
      treeDataProvider: this,
      showCollapseAll: true,
    });
    this.subscriptions.push(
      this.view,
      this.view.onDidChangeVisibility((e) => this.visibilityChanged(e.visible)),
      helper.onDidChangeState((s) => {
        this.updateMessage(s);
        this.changed();
      }),
      store.onDidChange(() => {
        this.updateBadge();
        this.changed();
      }),
      bundles.onDidChange(() => this.changed()),
    );
    this.updateMessage(helper.state);
    if (this.view.visible) this.visibilityChanged(true);
  }

  get visible(): boolean {
    return this.view.visible;
  }

  private visibilityChanged(visible: boolean): void {
    this.helper.setKeepTrying(visible);
    if (visible) {
      void this.bundles.ensureScanned();
      if (this.helper.state.kind !== 'connected') void this.helper.connect();
      if (this.stale) {
        this.stale = false;
        this.emitter.fire(undefined);
      }
    }
    this.visibilityEmitter.fire(visible);
  }

  /** Redraw now if someone is looking, else on the next show. */
  changed(): void {
    if (this.view.visible) this.emitter.fire(undefined);
    else this.stale = true;
  }

  private updateBadge(): void {
    const running = this.store.all().filter((c) => c.status === 'running').length;
    this.view.badge = running ? { value: running, tooltip: `${running} running` } : undefined;
  }

  private updateMessage(s: HelperState): void {
    this.updateBadge();
    this.view.message =
      s.kind === 'unreachable'
        ? `Helper unreachable: ${s.problem.summary}`
        : s.kind === 'connecting'
          ? 'Connecting to the helper…'
          : undefined;
    void vscode.commands.executeCommand(
      'setContext',
      'bindery.helperState',
      s.kind === 'unreachable' ? s.problem.code : s.kind,
    );
  }

  /** The current roots, as the view would show them (also the test API's entry point). */
  roots(): TreeNode[] {
    const s = this.helper.state;
    this.updateMessage(s);
    return buildRoots({
      bundles: this.bundles.list(),
      containers: this.store.all(),
      problem: s.kind === 'unreachable' ? s.problem : undefined,
      connecting: s.kind === 'connecting',
    });
  }

  getChildren(node?: TreeNode): TreeNode[] {
    const children = node ? (node.children ?? []) : this.roots();
    for (const c of children) {
      if (node) this.parents.set(c.id, node);
      else this.parents.delete(c.id);
    }
    return children;
  }

  /** Lets TreeView.reveal walk up from a container to its group. */
  getParent(node: TreeNode): TreeNode | undefined {
    return this.parents.get(node.id);
  }

  getTreeItem(node: TreeNode): vscode.TreeItem {
    const item = new vscode.TreeItem(
      node.label,
      node.collapsible === 'none'
        ? vscode.TreeItemCollapsibleState.None
        : node.collapsible === 'expanded'
          ? vscode.TreeItemCollapsibleState.Expanded
          : vscode.TreeItemCollapsibleState.Collapsed,
    );
    item.id = node.id;
    item.description = node.description;
    item.contextValue = node.contextValue;
    if (node.icon)
      item.iconPath = new vscode.ThemeIcon(
        node.icon.id,
        node.icon.color ? new vscode.ThemeColor(node.icon.color) : undefined,
      );
    if (node.tooltip) {
      const md = new vscode.MarkdownString(node.tooltip);
      // Untrusted on purpose: tooltips carry paths from the workspace and the helper, and
      // a crafted name must not become a clickable command link.
      md.isTrusted = false;
      md.supportHtml = false;
      item.tooltip = md;
    }
    if (node.command)
      item.command = {
        command: node.command.command,
        title: node.command.title,
        arguments: node.command.args,
      };
    if (node.bundle) item.resourceUri = vscode.Uri.file(node.bundle.specPath);
    return item;
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.emitter.dispose();
    this.visibilityEmitter.dispose();
  }
}
