// Temporary bundles on disk (config.json beside a rootfs/ and bind sources), so the server's
// real HostView has something to look at. Removed after each test file.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { URI } from 'vscode-uri';
import { baseSpec, runcMounts, SYSTEM_MOUNT_POINTS } from '../../helper/test/baseSpec';

export interface Bundle {
  dir: string;
  /** URI of `<dir>/config.json` (the document is opened from memory, not read from disk). */
  uri: string;
  path(rel: string): string;
  mkdir(rel: string): void;
  write(rel: string, content?: string): void;
  remove(rel: string): void;
  cleanup(): void;
}

export function makeBundle(name = 'config.json'): Bundle {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-server-test-'));
  fs.mkdirSync(path.join(dir, 'rootfs'));
  const at = (rel: string) => path.join(dir, rel);
  return {
    dir,
    uri: URI.file(at(name)).toString(),
    path: at,
    mkdir: (rel) => fs.mkdirSync(at(rel), { recursive: true }),
    write: (rel, content = '') => {
      fs.mkdirSync(path.dirname(at(rel)), { recursive: true });
      fs.writeFileSync(at(rel), content);
    },
    remove: (rel) => fs.rmSync(at(rel), { recursive: true, force: true }),
    cleanup: () => fs.rmSync(dir, { recursive: true, force: true }),
  };
}

/** A small, valid spec in runc's layout; `mounts` replaced by the caller's. */
export function spec(mounts: unknown[], extra: Record<string, unknown> = {}): string {
  const value = {
    ...baseSpec({ mounts, maskedPaths: ['/proc/kcore'], readonlyPaths: ['/proc/sys'] }),
    ...extra,
  };
  return JSON.stringify(value, null, 2) + '\n';
}

export const STANDARD_MOUNTS = runcMounts(...SYSTEM_MOUNT_POINTS);
