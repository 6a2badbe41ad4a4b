// HOME for a process whose env has none: the home directory of its uid in the container's
// own /etc/passwd, else `/` — what runc does (libcontainer's setupUser) and what programs
// expect (shells, ssh, git all read $HOME). Read after pivot_root, so the file (and any
// symlink it is) is the container's; bounded, since the rootfs is untrusted.
import type { Syscalls } from './syscalls';

/** More than any real passwd file; a rootfs pointing /etc/passwd at /dev/zero gets `/`. */
const PASSWD_MAX_BYTES = 1 << 20;

export function homeOf(passwd: string, uid: number): string | undefined {
  for (const line of passwd.split('\n')) {
    const f = line.split(':');
    if (f.length >= 7 && f[2] === String(uid)) return f[5];
  }
  return undefined;
}

/** `env` with HOME added when it lacks one. */
export function withHome(sys: Syscalls, env: string[], uid: number): string[] {
  if (env.some((e) => e.startsWith('HOME='))) return env;
  const passwd = sys.readFile('/etc/passwd', PASSWD_MAX_BYTES);
  const home = (passwd.ok ? homeOf(passwd.value, uid) : undefined) || '/';
  return [...env, `HOME=${home}`];
}
