import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec } from './harness';

describe('namespace list (rule 16)', () => {
  it('refuses a duplicate namespace, with the first entry as related, and the fix removes it', () => {
    const text = spec((s) => s.linux.namespaces.push({ type: 'pid' }));
    const c = check(text);
    const f = c.one('duplicate-namespace');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /^linux\.namespaces\[5\]: the "pid" namespace is listed twice/);
    assert.deepEqual(f.range, rangeOf(text, '"pid"', 1));
    assert.deepEqual(f.related![0].range, rangeOf(text, '{\n        "type": "pid"\n      }'));
    const fixed = applyFix(c, f);
    assert.deepEqual(
      JSON.parse(fixed).linux.namespaces.map((n: { type: string }) => n.type),
      ['pid', 'network', 'ipc', 'uts', 'mount'],
    );
    assert.ok(fixed.includes('      {\n        "type": "mount"\n      }\n    ]'), fixed);
    assert.deepEqual(check(fixed).byCode('duplicate-namespace'), []);
  });

  it('refuses an unknown namespace type with a fix to the nearest', () => {
    const text = spec((s) => (s.linux.namespaces[1].type = 'net'));
    const c = check(text);
    const f = c.one('invalid-enum-value');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"net"'));
    assert.match(
      f.message,
      /linux\.namespaces\[1\]\.type: "net" is not one of "mount", "pid", "network"/,
    );
  });

  it('refuses a relative namespace path', () => {
    const text = spec((s) => (s.linux.namespaces[1].path = 'run/netns/blue'));
    const f = check(text).one('namespace-path-not-absolute');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /linux\.namespaces\[1\]: the path of a namespace to join must be absolute \(e\.g\. "\/proc\/1234\/ns\/net"/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"run/netns/blue"'));
  });

  it('is quiet for a list of distinct namespaces with absolute paths', () => {
    const c = check(spec((s) => (s.linux.namespaces[1].path = '/run/netns/blue')));
    assert.deepEqual(
      c.findings.filter((f) => f.code.includes('namespace')),
      [],
    );
  });
});

describe('UTS namespace for hostname (rule 17)', () => {
  it('refuses a hostname or domainname with a control character, on the value', () => {
    const text = spec((s) => {
      s.hostname = 'box\n10.0.0.1 evil';
      s.domainname = 'ok';
    });
    const f = check(text).one('hostname-control-character');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"box\\n10.0.0.1 evil"'));
    assert.match(f.message, /^hostname contains the control character "\\n"/);
    assert.deepEqual(check(spec((s) => (s.domainname = 'a\tb'))).byCode('domainname-control-character').length, 1);
  });

  it('refuses hostname without a uts namespace; related points at linux.namespaces; the fix adds it', () => {
    const text = spec((s) => s.linux.namespaces.splice(3, 1));
    const c = check(text);
    const f = c.one('hostname-without-uts-namespace');
    assert.equal(f.severity, 'error');
    assert.match(
      f.message,
      /^hostname "box" needs a UTS namespace.*runc, crun and youki refuse it/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"box"'));
    assert.equal(f.related![0].message, 'linux.namespaces has no "uts" entry');
    assert.deepEqual(f.related![0].range, rangeOf(text, '"namespaces"'));
    assert.match(f.fixes![0].title, /"uts"/);
    const fixed = applyFix(c, f);
    assert.deepEqual(JSON.parse(fixed).linux.namespaces.at(-1), { type: 'uts' });
    assert.ok(
      fixed.includes(
        '      {\n        "type": "mount"\n      },\n      {\n        "type": "uts"\n      }\n    ]',
      ),
      fixed,
    );
    assert.deepEqual(
      check(fixed).findings.filter((x) => x.severity === 'error'),
      [],
    );
  });

  it('creates linux.namespaces when the spec has no linux section', () => {
    const text = spec((s) => delete s.linux);
    const c = check(text);
    const fixed = applyFix(c, c.one('hostname-without-uts-namespace'));
    assert.deepEqual(JSON.parse(fixed).linux, { namespaces: [{ type: 'uts' }] });
  });

  it('keeps a one-line namespace list on one line', () => {
    const text =
      '{"ociVersion": "1.2.0", "root": {"path": "rootfs"}, "hostname": "box",\n "linux": {"namespaces": [{"type": "pid"}, {"type": "mount"}]}}\n';
    const c = check(text);
    const fixed = applyFix(c, c.one('hostname-without-uts-namespace'));
    assert.ok(
      fixed.includes('"namespaces": [{"type": "pid"}, {"type": "mount"}, {"type": "uts"}]'),
      fixed,
    );
  });

  it('refuses domainname without uts, and kernel.hostname beside hostname', () => {
    const text = spec((s) => {
      s.domainname = 'example.org';
      s.linux.sysctl = { 'kernel.hostname': 'other' };
    });
    const c = check(text);
    assert.deepEqual(c.byCode('domainname-without-uts-namespace'), []);
    const f = c.one('hostname-sysctl-conflict');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"kernel.hostname"'));
    const noUts = check(
      spec((s) => {
        s.domainname = 'example.org';
        s.linux.namespaces.splice(3, 1);
      }),
    );
    assert.equal(noUts.one('domainname-without-uts-namespace').severity, 'error');
  });

  it('is quiet with a uts namespace, including a joined one', () => {
    assert.deepEqual(check(spec()).byCode('hostname-without-uts-namespace'), []);
    const joined = spec((s) => (s.linux.namespaces[3].path = '/proc/42/ns/uts'));
    assert.deepEqual(check(joined).byCode('hostname-without-uts-namespace'), []);
  });

  it('hostname-sysctl-conflict is quiet for other sysctls, and for kernel.hostname without hostname', () => {
    assert.deepEqual(
      check(spec((s) => (s.linux.sysctl = { 'net.ipv4.ip_forward': '1' }))).byCode(
        'hostname-sysctl-conflict',
      ),
      [],
    );
    const noHostname = spec((s) => {
      delete s.hostname;
      s.linux.sysctl = { 'kernel.hostname': 'box' };
    });
    assert.deepEqual(check(noHostname).byCode('hostname-sysctl-conflict'), []);
  });
});
