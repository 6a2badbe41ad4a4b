// The helper's connection state and the containers at a glance. The containers part comes
// from the same store and the same wording as the Containers view, redrawn on the same
// events, so the status bar never says "running" about a container the view shows as exited.
import * as vscode from 'vscode';
import type { ContainerStore } from './containerStore';
import type { HelperConnection } from './helperConnection';
import { containerCounts, containerState } from './treeModel';

export class HelperStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem(
    'bindery.helper',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly subscriptions: vscode.Disposable[];

  constructor(
    private readonly helper: HelperConnection,
    private readonly store: ContainerStore,
  ) {
    this.item.name = 'Bindery helper';
    this.item.command = 'bindery.showConnectionStatus';
    this.subscriptions = [
      helper.onDidChangeState(() => this.render()),
      store.onDidChange(() => this.render()),
    ];
    this.render();
    this.item.show();
  }

  private render(): void {
    const s = this.helper.state;
    switch (s.kind) {
      case 'connecting':
        this.item.text = '$(sync~spin) Bindery';
        this.item.tooltip = 'Connecting to the Bindery helper…';
        this.item.backgroundColor = undefined;
        break;
      case 'connected': {
        const containers = this.store.all();
        const running = containers.some((c) => c.status === 'running');
        this.item.text = `$(${running ? 'vm-running' : 'plug'}) Bindery: ${containerCounts(containers)}`;
        // Plain text: container ids and states, one a line, exactly as the view words them.
        this.item.tooltip = [
          `Connected to the Bindery helper ${s.version.helper} (protocol ${s.version.protocol}) at ${s.socketPath}`,
          ...containers.map((c) => `${c.id}: ${containerState(c)}`),
        ].join('\n');
        this.item.backgroundColor = undefined;
        break;
      }
      case 'unreachable':
        this.item.text = '$(debug-disconnect) Bindery: helper unreachable';
        this.item.tooltip = new vscode.MarkdownString(
          `**${s.problem.summary}**\n\n${s.problem.detail}\n\nClick for the fix.`,
        );
        this.item.backgroundColor = new vscode.ThemeColor('statusBarItem.warningBackground');
        break;
    }
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.item.dispose();
  }
}
