import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { renderHostname, renderHosts, renderResolvConf } from '../../src/runtime/networkFiles';

describe('network files', () => {
  it('hosts: localhost entries and the container name', () => {
    const text = renderHosts({
      hostname: 'web',
      domainname: 'example.org',
      ownNetworkNamespace: true,
    });
    const lines = text.trim().split('\n');
    assert.equal(lines[0], '127.0.0.1\tlocalhost');
    assert.equal(lines[1], '::1\tlocalhost ip6-localhost ip6-loopback');
    assert.equal(lines.at(-1), '127.0.1.1\tweb.example.org web');
  });

  it('hostname: hostname[.domainname] and a newline', () => {
    assert.equal(renderHostname({ hostname: 'web', ownNetworkNamespace: true }), 'web\n');
    assert.equal(
      renderHostname({ hostname: 'web', domainname: 'example.org', ownNetworkNamespace: true }),
      'web.example.org\n',
    );
  });

  it('resolv.conf: loopback nameservers dropped in an own network namespace, the rest kept', () => {
    const host =
      'nameserver 127.0.0.53\nnameserver ::1\nnameserver 192.0.2.1\nsearch lan\noptions edns0\n';
    assert.equal(renderResolvConf(host, true), 'nameserver 192.0.2.1\nsearch lan\noptions edns0\n');
    assert.equal(renderResolvConf(host, false), host, "the host's network: unchanged");
  });

  it("resolv.conf: systemd-resolved's upstream file when only its stub is listed", () => {
    const stub = 'nameserver 127.0.0.53\noptions edns0 trust-ad\nsearch .\n';
    assert.equal(
      renderResolvConf(stub, true, 'nameserver 203.0.113.7\n'),
      'nameserver 203.0.113.7\n',
    );
  });

  it('resolv.conf: public defaults only when no nameserver is left, and it says so', () => {
    const text = renderResolvConf('nameserver 127.0.0.1\nsearch lan\n', true);
    assert.match(
      text,
      /^search lan\n# bindery: .*\nnameserver 8\.8\.8\.8\nnameserver 8\.8\.4\.4\n$/,
    );
  });
});
