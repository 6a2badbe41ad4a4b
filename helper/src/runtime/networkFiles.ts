// The contents of /etc/hosts, /etc/hostname and /etc/resolv.conf, the way Docker writes them.
//
// The files are written into the container's state directory and bind-mounted by the plan.
// - hosts: the localhost entries Docker writes, then the container's own name. Bindery
//   configures no interface but loopback, so the name maps to 127.0.1.1 (Debian's
//   convention for a host without a fixed address) instead of a container IP.
// - hostname: `hostname[.domainname]` and a newline.
// - resolv.conf: the host's. When the container has its own network namespace, nameservers
//   on loopback (127.0.0.0/8, ::1) point at nothing inside it, so they are dropped; when the
//   host only lists systemd-resolved's stub, its upstream file is used instead, like Docker.
//   Only when no nameserver is left do Docker's public defaults (8.8.8.8, 8.8.4.4) go in,
//   and the file says so in a comment.
import type { NetworkFile } from '@bindery/plan';
import type { SysResult, Syscalls } from './syscalls';

export interface NetworkIdentity {
  hostname: string;
  domainname?: string;
  /** True when the container gets a network namespace of its own (not the host's). */
  ownNetworkNamespace: boolean;
}

export const HOST_RESOLV_CONF = '/etc/resolv.conf';
export const SYSTEMD_RESOLVED_UPSTREAM = '/run/systemd/resolve/resolv.conf';
export const DEFAULT_NAMESERVERS = ['8.8.8.8', '8.8.4.4'];

export function renderHosts(id: NetworkIdentity): string {
  const fqdn = id.domainname ? `${id.hostname}.${id.domainname}` : '';
  const names = fqdn ? `${fqdn} ${id.hostname}` : id.hostname;
  return [
    '127.0.0.1\tlocalhost',
    '::1\tlocalhost ip6-localhost ip6-loopback',
    'fe00::0\tip6-localnet',
    'ff00::0\tip6-mcastprefix',
    'ff02::1\tip6-allnodes',
    'ff02::2\tip6-allrouters',
    `127.0.1.1\t${names}`,
    '',
  ].join('\n');
}

export function renderHostname(id: NetworkIdentity): string {
  return `${id.domainname ? `${id.hostname}.${id.domainname}` : id.hostname}\n`;
}

function isLoopbackNameserver(line: string): boolean {
  const m = /^\s*nameserver\s+(\S+)/.exec(line);
  if (!m) return false;
  const addr = m[1].replace(/%.*$/, '');
  return /^127\./.test(addr) || addr === '::1' || /^0*:(0*:)*0*1$/.test(addr);
}

function nameserverCount(text: string): number {
  return text.split('\n').filter((l) => /^\s*nameserver\s+\S/.test(l)).length;
}

/**
 * resolv.conf for the container from the host's text (`upstream` is systemd-resolved's
 * upstream file, when the host has one).
 */
export function renderResolvConf(
  hostText: string,
  ownNetworkNamespace: boolean,
  upstream?: string,
): string {
  if (!ownNetworkNamespace)
    return hostText.endsWith('\n') || hostText === '' ? hostText : `${hostText}\n`;
  let source = hostText;
  const dropLoopback = (t: string) =>
    t
      .split('\n')
      .filter((l) => !isLoopbackNameserver(l))
      .join('\n');
  if (
    nameserverCount(dropLoopback(source)) === 0 &&
    upstream !== undefined &&
    nameserverCount(dropLoopback(upstream)) > 0
  ) {
    source = upstream;
  }
  let text = dropLoopback(source).replace(/\n*$/, '\n');
  if (text.trim() === '') text = '';
  if (nameserverCount(text) === 0) {
    text +=
      '# bindery: the host has no nameserver reachable from this network namespace; public defaults follow\n';
    text += DEFAULT_NAMESERVERS.map((ns) => `nameserver ${ns}\n`).join('');
  }
  return text;
}

/** Write one network file to its host path in the state directory. */
export function writeNetworkFile(
  sys: Syscalls,
  file: NetworkFile,
  hostPath: string,
  id: NetworkIdentity,
): SysResult {
  let content: string;
  if (file === 'hosts') content = renderHosts(id);
  else if (file === 'hostname') content = renderHostname(id);
  else {
    const host = sys.readFile(HOST_RESOLV_CONF);
    const upstream = sys.readFile(SYSTEMD_RESOLVED_UPSTREAM);
    content = renderResolvConf(
      host.ok ? host.value : '',
      id.ownNetworkNamespace,
      upstream.ok ? upstream.value : undefined,
    );
  }
  return sys.writeFile(hostPath, content, 0o644);
}
