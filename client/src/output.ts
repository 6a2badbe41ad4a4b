// Where text goes: the extension's own log, and one output channel per container that
// streams its stdout/stderr live from the helper's `container/output` notifications.
import * as vscode from 'vscode';
import { LogsRequest, type HookEvent, type OutputEvent } from '../../helper/src/protocol';
import type { HelperConnection } from './helperConnection';
import { outputChannelName } from './treeModel';

/** Per container, what we keep in memory beyond the channel (for the tests and late openers). */
const MAX_BUFFER_CHARS = 1 << 20;

export class ContainerOutput implements vscode.Disposable {
  private readonly channels = new Map<string, vscode.OutputChannel>();
  private readonly buffers = new Map<string, string>();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(private readonly helper: HelperConnection) {
    this.subscriptions.push(
      helper.onOutput((e) => this.append(e)),
      helper.onExited((e) => {
        const how = e.signal ? `killed by ${e.signal}` : `exited with code ${e.exitCode ?? '?'}`;
        this.channels.get(e.id)?.appendLine(`[bindery] process ${how}`);
      }),
      helper.onHook((e) => this.appendHook(e)),
      helper.onTornDown((e) =>
        this.channels.get(e.id)?.appendLine('[bindery] container torn down'),
      ),
    );
  }

  private append(e: OutputEvent): void {
    // The helper left out output this window did not read fast enough (PROTOCOL.md).
    const gap = e.dropped
      ? `\n[bindery] … ${e.dropped} bytes of ${e.stream} not shown: the container printed faster than this window read\n`
      : '';
    const text = gap + e.data;
    const prev = this.buffers.get(e.id) ?? '';
    const next = prev + text;
    this.buffers.set(
      e.id,
      next.length > MAX_BUFFER_CHARS ? next.slice(next.length - MAX_BUFFER_CHARS) : next,
    );
    this.channels.get(e.id)?.append(text);
  }

  /** A hook run, in the container's channel (poststop's too, which runs as the container goes). */
  private appendHook(e: HookEvent): void {
    const what = `[bindery] hook ${e.kind}[${e.index}] ${e.path}: ${e.ok ? 'ok' : e.message} (${e.durationMs} ms)\n`;
    const printed = (name: string, text: string) =>
      text ? text.replace(/^/gm, `[bindery]   ${name}| `).replace(/\n?$/, '\n') : '';
    const text = what + (e.ok ? '' : printed('stdout', e.stdout) + printed('stderr', e.stderr));
    const prev = this.buffers.get(e.id) ?? '';
    this.buffers.set(e.id, (prev + text).slice(-MAX_BUFFER_CHARS));
    this.channels.get(e.id)?.append(text);
  }

  /** Everything the container wrote that we saw, stdout and stderr interleaved. */
  text(id: string): string {
    return this.buffers.get(id) ?? '';
  }

  /**
   * Show a container's output. A channel opened late first gets the helper's backlog
   * (`logs`), then streams.
   */
  async show(id: string, preserveFocus = false): Promise<vscode.OutputChannel> {
    let channel = this.channels.get(id);
    if (!channel) {
      channel = vscode.window.createOutputChannel(outputChannelName(id));
      this.channels.set(id, channel);
      const seen = this.buffers.get(id);
      if (seen === undefined) {
        try {
          const { chunks } = await this.helper.request(LogsRequest, { id });
          const backlog = chunks.map((c) => c.data).join('');
          // Output that arrived while we waited is already in the buffer; keep the backlog first.
          this.buffers.set(id, backlog + (this.buffers.get(id) ?? ''));
        } catch (e) {
          channel.appendLine(
            `[bindery] no earlier output: ${e instanceof Error ? e.message : String(e)}`,
          );
        }
      }
      channel.append(this.buffers.get(id) ?? '');
    }
    channel.show(preserveFocus);
    return channel;
  }

  /**
   * Open the channel before the container starts and show it (keeping the focus where it
   * is), so the output is in front of the user from its first line.
   */
  prepare(id: string): void {
    if (!this.channels.has(id)) {
      this.buffers.set(id, this.buffers.get(id) ?? '');
      const channel = vscode.window.createOutputChannel(outputChannelName(id));
      channel.append(this.buffers.get(id) ?? '');
      this.channels.set(id, channel);
    }
    this.channels.get(id)?.show(true);
  }

  /** A line of ours in the container's channel (not part of its output). */
  note(id: string, text: string): void {
    this.channels.get(id)?.appendLine(`[bindery] ${text}`);
  }

  dispose(): void {
    this.subscriptions.forEach((s) => s.dispose());
    this.channels.forEach((c) => c.dispose());
  }
}
