// Rule 23: the network files a spec mounts itself.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { HostView } from '../../src/types';
import { ROOTFS, check, rangeOf, spec, usualHost } from './harness';

describe('network files (rule 23)', () => {
  const host = () => usualHost(['/run/app/hosts', '/run/app/resolv/']);
  it('refuses a non-bind mount on /etc/hosts', () => {
    const text = spec((s) =>
      s.mounts.push({ destination: '/etc/hosts', type: 'tmpfs', source: 'tmpfs' }),
    );
    const f = check(text, host()).one('network-file-not-bind');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /mounts\[6\] \(\/etc\/hosts\): \/etc\/hosts is a single file, so it can only be a bind mount/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"tmpfs"', 5));
  });

  it('refuses a directory as the source of /etc/resolv.conf', () => {
    const text = spec((s) =>
      s.mounts.push({
        destination: '/etc/resolv.conf',
        type: 'bind',
        source: '/run/app/resolv',
        options: ['rbind', 'ro'],
      }),
    );
    const f = check(text, host()).one('network-file-source-not-file');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"/run/app/resolv"'));
  });

  it('accepts a bind of a regular file', () => {
    const text = spec((s) =>
      s.mounts.push({
        destination: '/etc/hosts',
        type: 'bind',
        source: '/run/app/hosts',
        options: ['rbind', 'rprivate', 'rw'],
      }),
    );
    assert.deepEqual(
      check(text, host()).findings.filter((f) => f.severity === 'error'),
      [],
    );
  });
});

describe('/etc/hostname content (rule 23)', () => {
  const SOURCE = '/srv/names/hostname';
  const withHostnameMount = spec((s) =>
    s.mounts.push({
      destination: '/etc/hostname',
      type: 'bind',
      source: SOURCE,
      options: ['rbind', 'ro'],
    }),
  );
  const hostWith = (content: string | null): HostView => ({
    ...usualHost([SOURCE, `${ROOTFS}/etc/hostname`]),
    readFile: (p, max) => {
      assert.ok(max > 0);
      return p === SOURCE ? content : null;
    },
  });

  it('information on the source when the file names another host', () => {
    const c = check(withHostnameMount, hostWith('web1\n'));
    const f = c.one('hostname-file-mismatch');
    assert.equal(f.severity, 'information');
    assert.deepEqual(f.range, rangeOf(withHostnameMount, `"${SOURCE}"`));
    assert.match(f.message, /says "web1", but hostname is "box"/);
    assert.deepEqual(f.related?.[0].range, rangeOf(withHostnameMount, '"box"'));
  });

  it('nothing when the file matches, cannot be read, or the host view cannot read files', () => {
    assert.deepEqual(
      check(withHostnameMount, hostWith('box\n')).byCode('hostname-file-mismatch'),
      [],
    );
    assert.deepEqual(check(withHostnameMount, hostWith(null)).byCode('hostname-file-mismatch'), []);
    const noReader = usualHost([SOURCE, `${ROOTFS}/etc/hostname`]);
    assert.deepEqual(check(withHostnameMount, noReader).byCode('hostname-file-mismatch'), []);
  });

  it('nothing when the file holds hostname.domainname, as Bindery writes it', () => {
    const text = spec((s) => {
      s.domainname = 'example.org';
      s.mounts.push({
        destination: '/etc/hostname',
        type: 'bind',
        source: SOURCE,
        options: ['rbind'],
      });
    });
    const host = hostWith('box.example.org\n');
    assert.deepEqual(check(text, host).byCode('hostname-file-mismatch'), []);
    assert.equal(
      check(text, hostWith('box.example.com\n')).byCode('hostname-file-mismatch').length,
      1,
    );
  });

  it('nothing without a hostname in the spec', () => {
    const text = spec((s) => {
      delete s.hostname;
      s.mounts.push({
        destination: '/etc/hostname',
        type: 'bind',
        source: SOURCE,
        options: ['rbind'],
      });
    });
    assert.deepEqual(check(text, hostWith('web1\n')).byCode('hostname-file-mismatch'), []);
  });
});
