// PATH on the command line → the bundle's config.json text, or a one-line reason why not.
import * as fs from 'node:fs';
import * as path from 'node:path';

export interface BundleFile {
  /** config.json as the user would name it (relative to the working directory when below it). */
  displayPath: string;
  configPath: string;
  bundleDir: string;
  text: string;
}

export class UsageError extends Error {}

function describe(err: unknown, p: string): string {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return `${p}: no such file or directory`;
    case 'EACCES':
    case 'EPERM':
      return `${p}: permission denied`;
    case 'EISDIR':
      return `${p}: is a directory`;
    case 'ENOTDIR':
      return `${p}: a part of the path is not a directory`;
    default:
      return `${p}: cannot read (${code ?? (err instanceof Error ? err.message : String(err))})`;
  }
}

/** PATH is a bundle directory (holding config.json) or the config file itself. */
export function readBundle(arg: string): BundleFile {
  const abs = path.resolve(arg);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (e) {
    throw new UsageError(describe(e, arg));
  }
  const configPath = st.isDirectory() ? path.join(abs, 'config.json') : abs;
  if (st.isDirectory() && !fs.existsSync(configPath)) {
    throw new UsageError(
      `${arg}: no config.json in this directory (a bundle is a directory with config.json and rootfs/)`,
    );
  }
  let text: string;
  try {
    text = fs.readFileSync(configPath, 'utf8');
  } catch (e) {
    throw new UsageError(describe(e, path.relative(process.cwd(), configPath) || configPath));
  }
  const rel = path.relative(process.cwd(), configPath);
  return {
    displayPath: rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : configPath,
    configPath,
    bundleDir: path.dirname(configPath),
    text,
  };
}
