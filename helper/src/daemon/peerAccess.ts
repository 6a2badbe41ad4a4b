// Asking the kernel, as the peer, whether the peer could read a path itself.
//
// Permission bits alone do not answer it (ACLs, LSMs, every parent's search bit, group
// membership, root squashing on network file systems), so the question goes to the kernel:
// a short-lived child runs with the peer's uid, gid and supplementary groups (setpriv from
// util-linux; no Node start-up) and tries. The same child reads config.json for the
// peer, so the helper never reads a file on behalf of someone who could not.
import { execFile } from 'node:child_process';
import type { Peer, ReadCheck } from './authorize';

const SETPRIV = '/usr/bin/setpriv';
/** config.json larger than this is refused (a runtime spec is a few KiB). */
export const MAX_CONFIG_BYTES = 4 * 1024 * 1024;

function asPeer(peer: Peer, argv: string[]): string[] {
  const groups = peer.groups.length > 0 ? [`--groups=${peer.groups.join(',')}`] : ['--clear-groups'];
  return [`--reuid=${peer.uid}`, `--regid=${peer.gid}`, ...groups, '--inh-caps=-all', '--', ...argv];
}

function run(argv: string[], maxBuffer: number): Promise<{ code: number; stdout: Buffer; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(SETPRIV, argv, { encoding: 'buffer', maxBuffer, timeout: 10_000, env: { PATH: '/usr/bin:/bin' } }, (err, stdout, stderr) => {
      if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err);
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr: stderr.toString() });
    });
  });
}

export interface ReadDenied extends ReadCheck {
  reason: string;
}

// One shell for all paths. For each path the child prints one line: "ok" or why not.
// A rootfs must also be writable, since the helper creates mount points in it.
const CHECK_SCRIPT = `
for p in "$@"; do
  kind=\${p%%:*}; f=\${p#*:}
  if [ ! -e "$f" ]; then echo "does not exist or a parent directory is not searchable"
  elif [ ! -r "$f" ]; then echo "is not readable"
  elif [ -d "$f" ] && [ ! -x "$f" ]; then echo "is a directory that is not searchable"
  elif [ "$kind" = w ] && [ ! -w "$f" ]; then echo "is not writable (the helper creates mount points in it)"
  else echo ok; fi
done`;

/** The checks the peer fails, each with the reason the kernel gave it. */
export async function deniedToPeer(peer: Peer, checks: ReadCheck[]): Promise<ReadDenied[]> {
  if (checks.length === 0) return [];
  const args = checks.map((c) => `${c.what === 'rootfs' ? 'w' : 'r'}:${c.path}`);
  const { code, stdout, stderr } = await run(asPeer(peer, ['/bin/sh', '-c', CHECK_SCRIPT, 'sh', ...args]), 1 << 20);
  const lines = stdout.toString().split('\n');
  if (code !== 0 || lines.length < checks.length) throw new Error(`access check as uid ${peer.uid} failed: ${stderr.trim() || `exit ${code}`}`);
  const out: ReadDenied[] = [];
  checks.forEach((c, i) => {
    if (lines[i] !== 'ok') out.push({ ...c, reason: lines[i] });
  });
  return out;
}

/** Reads a file with the peer's rights; rejects with a code like the fs module's. */
export async function readFileAsPeer(peer: Peer, path: string): Promise<string> {
  const { code, stdout, stderr } = await run(asPeer(peer, ['/bin/cat', '--', path]), MAX_CONFIG_BYTES);
  if (code !== 0) {
    const err = new Error(stderr.trim().replace(/^\/bin\/cat: /, '') || `cannot read ${path}`) as NodeJS.ErrnoException;
    err.code = /Permission denied/.test(stderr) ? 'EACCES' : /No such file/.test(stderr) ? 'ENOENT' : 'EIO';
    throw err;
  }
  return stdout.toString('utf8');
}
