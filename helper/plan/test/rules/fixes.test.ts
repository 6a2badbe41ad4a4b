// The quick fixes issue 3 asks for, applied to a hand-written spec in 4-space indentation:
// each must produce exactly this text, so the user's layout survives the fix.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, usualHost } from './harness';

const SPEC = `{
    "ociVersion": "1.2.0",
    "process": {"args": ["sh"], "cwd": "/"},
    "root": {"path": "rootfs"},
    "hostname": "box",
    "mounts": [
        {"destination": "/proc", "type": "proc", "source": "proc"},
        {"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["ro"]},
        {"destination": "/dev/pts", "type": "devpts", "source": "devpts"},
        {"destination": "/dev/shm", "type": "tmpfs", "source": "shm"},
        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs"},
        {"destination": "/data", "type": "bind", "source": "/srv/data", "options": ["ro"]}
    ],
    "linux": {
        "namespaces": [
            {"type": "pid"},
            {"type": "mount"}
        ]
    }
}
`;
const host = () => usualHost(['/srv/data/']);

function fixOnce(text: string, code: string, title?: string): string {
  const c = check(text, host());
  return applyFix(c, c.one(code), title);
}

function replaceLine(text: string, from: string, to: string): string {
  assert.ok(text.includes(from), from);
  return text.replace(from, to);
}

describe('quick fixes keep the layout', () => {
  it('adds rbind to a type "bind" without it', () => {
    assert.equal(
      fixOnce(SPEC, 'bind-type-without-bind-option'),
      replaceLine(SPEC, '"options": ["ro"]}\n    ]', '"options": ["ro", "rbind"]}\n    ]'),
    );
  });

  it('makes a destination absolute', () => {
    const text = replaceLine(SPEC, '"destination": "/tmp"', '"destination": "tmp"');
    assert.equal(fixOnce(text, 'destination-not-absolute'), SPEC);
  });

  it('turns ro into rro on an rbind', () => {
    const text = replaceLine(
      SPEC,
      '"options": ["ro"]}\n    ]',
      '"options": ["rbind", "ro"]}\n    ]',
    );
    assert.equal(
      fixOnce(text, 'rbind-ro-not-recursive'),
      replaceLine(text, '["rbind", "ro"]', '["rbind", "rro"]'),
    );
  });

  it('adds the missing uts namespace for hostname', () => {
    assert.equal(
      fixOnce(SPEC, 'hostname-without-uts-namespace'),
      replaceLine(SPEC, '{"type": "mount"}\n', '{"type": "mount"},\n            {"type": "uts"}\n'),
    );
  });

  it('drops filesystem options from a bind', () => {
    const text = replaceLine(
      SPEC,
      '"options": ["ro"]}\n    ]',
      '"options": ["rbind", "mode=755", "ro", "size=1m"]}\n    ]',
    );
    const c = check(text, host());
    const fixed = applyFix(c, c.byCode('bind-with-data-options')[0]);
    assert.equal(
      fixed,
      replaceLine(text, '["rbind", "mode=755", "ro", "size=1m"]', '["rbind", "ro"]'),
    );
  });

  it('removes a duplicate namespace', () => {
    const text = replaceLine(
      SPEC,
      '{"type": "mount"}\n',
      '{"type": "mount"},\n            {"type": "pid"}\n',
    );
    const withUts = replaceLine(text, '"hostname": "box",\n', '');
    assert.equal(
      fixOnce(withUts, 'duplicate-namespace'),
      replaceLine(SPEC, '"hostname": "box",\n', ''),
    );
  });

  it('adds the missing /proc, /sys, /dev/pts and /dev/shm mounts', () => {
    const text = SPEC.split('\n')
      .filter((l) => !/"\/(proc|sys|dev\/pts|dev\/shm)"/.test(l))
      .join('\n');
    const c = check(text, host());
    const fixed = applyFix(c, c.byCode('default-mount-missing')[0], 'Add the missing');
    const added = [
      '{"destination": "/proc", "type": "proc", "source": "proc", "options": ["nosuid", "noexec", "nodev"]}',
      '{"destination": "/sys", "type": "sysfs", "source": "sysfs", "options": ["nosuid", "noexec", "nodev", "ro"]}',
      '{"destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": ["nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5"]}',
      '{"destination": "/dev/shm", "type": "tmpfs", "source": "shm", "options": ["nosuid", "noexec", "nodev", "mode=1777", "size=65536k"]}',
    ];
    const expected = replaceLine(
      text,
      '"options": ["ro"]}\n    ]',
      `"options": ["ro"]},\n${added.map((a) => `        ${a}`).join(',\n')}\n    ]`,
    );
    assert.equal(fixed, expected);
  });

  it('fixes a misspelt option to the nearest valid one', () => {
    const text = replaceLine(
      SPEC,
      '"source": "tmpfs"}',
      '"source": "tmpfs", "options": ["nodve"]}',
    );
    assert.equal(
      fixOnce(text, 'unknown-mount-option'),
      replaceLine(text, '["nodve"]', '["nodev"]'),
    );
  });

  it('adds a tmpfs on /tmp', () => {
    const text = SPEC.replace(/ +\{"destination": "\/tmp".*\n/, '');
    assert.equal(
      fixOnce(text, 'tmp-not-mounted'),
      replaceLine(
        text,
        '"options": ["ro"]}\n    ]',
        '"options": ["ro"]},\n        {"destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", "nodev", "mode=1777"]}\n    ]',
      ),
    );
  });

  it('renames a misspelt key', () => {
    const text = replaceLine(SPEC, '"hostname": "box"', '"hostnme": "box"');
    assert.equal(fixOnce(text, 'misspelled-property'), SPEC);
  });
});
