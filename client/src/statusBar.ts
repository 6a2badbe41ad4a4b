// The helper's connection state at a glance; clicking explains it and offers the fix.
import * as vscode from 'vscode';
import type { HelperConnection, HelperState } from './helperConnection';

export class HelperStatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem(
    'bindery.helper',
    vscode.StatusBarAlignment.Left,
    10,
  );
  private readonly subscription: vscode.Disposable;

  constructor(helper: HelperConnection) {
    this.item.name = 'Bindery helper';
    this.item.command = 'bindery.showConnectionStatus';
    this.subscription = helper.onDidChangeState((s) => this.render(s));
    this.render(helper.state);
    this.item.show();
  }

  private render(s: HelperState): void {
    switch (s.kind) {
      case 'connecting':
        this.item.text = '$(sync~spin) Bindery';
        this.item.tooltip = 'Connecting to the Bindery helper…';
        this.item.backgroundColor = undefined;
        break;
      case 'connected':
        this.item.text = `$(plug) Bindery ${s.version.helper}`;
        this.item.tooltip = `Connected to the Bindery helper ${s.version.helper} (protocol ${s.version.protocol}) at ${s.socketPath}`;
        this.item.backgroundColor = undefined;
        break;
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
    this.subscription.dispose();
    this.item.dispose();
  }
}
