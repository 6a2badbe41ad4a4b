// Re-validating when the host changes: a bind source or the rootfs appears or disappears.
//
// What the client must send: `workspace/didChangeWatchedFiles` notifications for files and
// folders created, changed or deleted. The VS Code client registers a workspace-wide watcher
// (`**/*`) for bundles inside the workspace. Bind sources and rootfs directories often live
// outside it (`/srv/data`), so when the client allows dynamic registration of watchers with
// relative patterns (LSP 3.17), the server also asks for a watcher on each such path's parent
// folder. Editors that send nothing still get fresh results on the next keystroke.
import * as path from 'node:path';
import {
  DidChangeWatchedFilesNotification,
  type Connection,
  type Disposable,
} from 'vscode-languageserver';
import { URI } from 'vscode-uri';

/** True when `changed` is `watched`, inside it, or one of its parents (a parent removed takes it along). */
export function affects(changed: string, watched: string): boolean {
  const a = path.resolve(changed);
  const b = path.resolve(watched);
  return a === b || b.startsWith(a + path.sep) || a.startsWith(b + path.sep) || a === path.sep;
}

export function changedPaths(uris: string[]): string[] {
  return uris
    .map((u) => URI.parse(u))
    .filter((u) => u.scheme === 'file')
    .map((u) => u.fsPath);
}

/** More folders than this are left to the workspace watcher and the host cache's expiry. */
const MAX_WATCHED_FOLDERS = 256;

/** Keeps one dynamic watcher registration covering the host paths specs depend on. */
export class HostWatcher {
  private registration: Promise<Disposable> | undefined;
  private current = '';

  constructor(
    private readonly connection: Connection,
    private readonly enabled: boolean,
  ) {}

  update(hostPaths: Iterable<string>): void {
    if (!this.enabled) return;
    const parents = [...new Set([...hostPaths].map((p) => path.dirname(path.resolve(p))))]
      .sort()
      .slice(0, MAX_WATCHED_FOLDERS);
    const key = parents.join('\n');
    if (key === this.current) return;
    this.current = key;
    const previous = this.registration;
    this.registration = this.connection.client.register(DidChangeWatchedFilesNotification.type, {
      watchers: parents.map((dir) => ({
        globPattern: { baseUri: URI.file(dir).toString(), pattern: '*' },
      })),
    });
    void previous?.then((d) => d.dispose()).catch(() => undefined);
  }
}
