// Bundles in the workspace: folders whose config.json carries `ociVersion`. Found with one
// findFiles when first needed, then kept current by a file watcher (no rescans on a timer).
import { dirname } from 'node:path';
import * as vscode from 'vscode';
import { isOciSpecText } from './specMounts';
import type { Bundle } from './treeModel';

const SPEC_GLOB = '**/config.json';
const EXCLUDE = '{**/node_modules/**,**/.git/**,**/rootfs/**}';
const SKIPPED = /\/(node_modules|\.git|rootfs)\//;

export class BundleFinder implements vscode.Disposable {
  private readonly bundles = new Map<string, Bundle>();
  private readonly emitter = new vscode.EventEmitter<void>();
  readonly onDidChange = this.emitter.event;
  private readonly removedEmitter = new vscode.EventEmitter<string[]>();
  /** Fires with the spec paths of bundles that are gone (their folder or config.json deleted). */
  readonly onDidRemove = this.removedEmitter.event;
  private watcher: vscode.FileSystemWatcher | undefined;
  private folders: vscode.FileSystemWatcher | undefined;
  private scanned: Promise<void> | undefined;
  /** The latest check of each config.json in flight, by its number. */
  private readonly checks = new Map<string, number>();
  private checkCount = 0;

  list(): Bundle[] {
    return [...this.bundles.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  has(specPath: string): boolean {
    return this.bundles.has(dirname(specPath));
  }

  /** Scan once and start watching; later calls wait for the first scan. */
  ensureScanned(): Promise<void> {
    if (!this.scanned) {
      this.watcher = vscode.workspace.createFileSystemWatcher(SPEC_GLOB);
      this.watcher.onDidCreate((u) => void this.check(u));
      this.watcher.onDidChange((u) => void this.check(u));
      this.watcher.onDidDelete((u) => this.remove(u));
      // Deleting a folder reports the folder, not the config.json files inside it. Creating
      // one (`cp -r`, a test writing a bundle) may report only the folder: a file written
      // before the watcher saw its new parent never gets an event of its own.
      this.folders = vscode.workspace.createFileSystemWatcher('**', false, true, false);
      this.folders.onDidCreate((u) => void this.checkCreated(u));
      this.folders.onDidDelete((u) => this.removeUnder(u));
      this.scanned = this.scan();
    }
    return this.scanned;
  }

  /** Explicit refresh (the view's refresh button). */
  async rescan(): Promise<void> {
    await this.ensureScanned();
    this.bundles.clear();
    await this.scan();
  }

  private async scan(): Promise<void> {
    const uris = await vscode.workspace.findFiles(SPEC_GLOB, EXCLUDE);
    await Promise.all(uris.map((u) => this.check(u, false)));
    this.changed();
  }

  /** A new folder in a workspace folder: look for specs inside it. */
  private async checkCreated(uri: vscode.Uri): Promise<void> {
    if (uri.scheme !== 'file' || SKIPPED.test(`${uri.path}/`)) return;
    if (!vscode.workspace.getWorkspaceFolder(uri)) return;
    let stat: vscode.FileStat;
    try {
      stat = await vscode.workspace.fs.stat(uri);
    } catch {
      return; // gone again
    }
    if ((stat.type & vscode.FileType.Directory) === 0) return;
    const uris = await vscode.workspace.findFiles(
      new vscode.RelativePattern(uri, SPEC_GLOB),
      EXCLUDE,
    );
    await Promise.all(uris.filter((u) => !this.has(u.fsPath)).map((u) => this.check(u)));
  }

  private async check(uri: vscode.Uri, notify = true): Promise<void> {
    if (uri.scheme !== 'file' || SKIPPED.test(uri.path)) return;
    // Events for one file can come close together (created, then written): only the last
    // read counts, whichever finishes first.
    const turn = ++this.checkCount;
    this.checks.set(uri.fsPath, turn);
    let isSpec = false;
    try {
      isSpec = isOciSpecText(Buffer.from(await vscode.workspace.fs.readFile(uri)).toString('utf8'));
    } catch {
      isSpec = false;
    }
    if (this.checks.get(uri.fsPath) !== turn) return;
    this.checks.delete(uri.fsPath);
    const dir = dirname(uri.fsPath);
    const had = this.bundles.has(dir);
    if (isSpec)
      this.bundles.set(dir, {
        dir,
        specPath: uri.fsPath,
        name: vscode.workspace.asRelativePath(dir),
      });
    else this.bundles.delete(dir);
    if (notify && (isSpec || had)) this.changed();
  }

  private remove(uri: vscode.Uri): void {
    const gone = this.bundles.get(dirname(uri.fsPath));
    if (!gone) return;
    this.bundles.delete(gone.dir);
    this.removedEmitter.fire([gone.specPath]);
    this.changed();
  }

  private removeUnder(uri: vscode.Uri): void {
    // The '**' watcher also reports files outside the workspace that an editor has open (an
    // engine's config.json); only a deletion inside a workspace folder can remove bundles.
    if (!vscode.workspace.getWorkspaceFolder(uri)) return;
    const root = uri.fsPath.replace(/\/+$/, '');
    if (root === '') return;
    const gone = [...this.bundles.values()].filter(
      (b) => b.dir === root || b.dir.startsWith(`${root}/`),
    );
    if (gone.length === 0) return;
    for (const b of gone) this.bundles.delete(b.dir);
    this.removedEmitter.fire(gone.map((b) => b.specPath));
    this.changed();
  }

  private changed(): void {
    void vscode.commands.executeCommand(
      'setContext',
      'bindery.specFiles',
      this.list().map((b) => b.specPath),
    );
    this.emitter.fire();
  }

  dispose(): void {
    this.watcher?.dispose();
    this.folders?.dispose();
    this.emitter.dispose();
    this.removedEmitter.dispose();
  }
}
