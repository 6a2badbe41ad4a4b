// A launched container with a terminal (process.terminal) as an interactive VS Code
// terminal: what it prints is shown as a terminal shows it, typing goes to its terminal
// (Enter, Ctrl-C, Ctrl-D are characters there; the container's line discipline acts on
// them), and the panel's size is its size. Closing the panel while the container runs
// hangs up: the container is stopped, as closing a terminal window ends the shell in it.
// Once it exited, the panel says so and closes on the next key.
import * as vscode from 'vscode';
import {
  InputRequest,
  ResizeRequest,
  StopRequest,
} from '../../helper/src/protocol';
import { HelperError, type HelperConnection } from './helperConnection';

/** Per request, below the protocol's 16 KiB (a character is at most 4 bytes in UTF-8). */
const CHUNK_CHARS = 4096;
const RETRY_MS = 50;

/** The open panels by container id (the e2e tests reach a panel's size through it). */
const openTerminals = new Map<string, ContainerTerminal>();

export function containerTerminal(id: string): ContainerTerminal | undefined {
  return openTerminals.get(id);
}

export class ContainerTerminal implements vscode.Pseudoterminal {
  private readonly writeEmitter = new vscode.EventEmitter<string>();
  private readonly closeEmitter = new vscode.EventEmitter<number | void>();
  readonly onDidWrite = this.writeEmitter.event;
  readonly onDidClose = this.closeEmitter.event;
  /** Output that came before the panel opened. */
  private early: string[] = [];
  private opened = false;
  private running = false;
  private exited = false;
  private size?: vscode.TerminalDimensions;
  private input = Promise.resolve();
  private readonly subscriptions: vscode.Disposable[] = [];

  constructor(
    private readonly helper: HelperConnection,
    readonly id: string,
    private readonly stopTimeoutMs: () => number,
  ) {
    openTerminals.set(id, this);
    this.subscriptions.push(
      helper.onOutput((e) => {
        if (e.id === id) this.show(e.data);
      }),
      helper.onExited((e) => {
        if (e.id !== id) return;
        this.running = false;
        this.exited = true;
        const how = e.exitCode !== undefined ? `exited with code ${e.exitCode}` : e.signal ? `ended by ${e.signal}` : 'exited';
        this.show(`\r\n\x1b[2m[container ${id} ${how}; press any key to close]\x1b[0m\r\n`);
      }),
    );
  }

  /** The size VS Code last gave the panel (open, setDimensions); undefined before it said. */
  get dimensions(): vscode.TerminalDimensions | undefined {
    return this.size;
  }

  /** The container runs: its size can be set now. */
  started(): void {
    this.running = true;
    if (this.size) this.setDimensions(this.size);
  }

  /** The launch failed: say why, and close on the next key. */
  failed(message: string): void {
    this.exited = true;
    this.show(`\r\n[${message.replace(/\n/g, '\r\n')}]\r\n`);
  }

  open(dims: vscode.TerminalDimensions | undefined): void {
    this.opened = true;
    for (const text of this.early.splice(0)) this.writeEmitter.fire(text);
    if (dims) this.setDimensions(dims);
  }

  setDimensions(dims: vscode.TerminalDimensions): void {
    this.size = dims;
    if (!this.running || dims.rows < 1 || dims.columns < 1) return;
    void this.helper
      .request(ResizeRequest, { id: this.id, rows: dims.rows, cols: dims.columns })
      .catch(() => {}); // exited meanwhile
  }

  handleInput(data: string): void {
    if (this.exited) {
      if (openTerminals.get(this.id) === this) openTerminals.delete(this.id);
      this.closeEmitter.fire();
      return;
    }
    if (!this.running) return;
    for (let i = 0; i < data.length; i += CHUNK_CHARS) {
      const chunk = data.slice(i, i + CHUNK_CHARS);
      this.input = this.input.then(() => this.send(chunk));
    }
  }

  close(): void {
    if (openTerminals.get(this.id) === this) openTerminals.delete(this.id);
    for (const s of this.subscriptions) s.dispose();
    if (this.running) {
      this.running = false;
      void this.helper
        .request(StopRequest, { id: this.id, timeoutMs: this.stopTimeoutMs() })
        .catch(() => {});
    }
  }

  private show(text: string): void {
    if (this.opened) this.writeEmitter.fire(text);
    else this.early.push(text);
  }

  /** In order; a full input queue (the process is not reading) is retried, not dropped. */
  private async send(chunk: string): Promise<void> {
    while (this.running) {
      try {
        await this.helper.request(InputRequest, { id: this.id, data: chunk });
        return;
      } catch (e) {
        if (!(e instanceof HelperError) || e.data?.reason !== 'input-full') return;
        await new Promise((r) => setTimeout(r, RETRY_MS));
      }
    }
  }
}

/** Opens the panel for a container about to be launched; output from its first byte on. */
export function openContainerTerminal(
  helper: HelperConnection,
  id: string,
  stopTimeoutMs: () => number,
): { pty: ContainerTerminal; terminal: vscode.Terminal } {
  const pty = new ContainerTerminal(helper, id, stopTimeoutMs);
  const terminal = vscode.window.createTerminal({ name: `Bindery: ${id}`, pty });
  terminal.show();
  return { pty, terminal };
}
