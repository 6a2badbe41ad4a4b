// linux.devices: numbers the type needs, and a fileMode with the file-type bits.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { applyFix, check, rangeOf, spec } from './harness';

const withDevices = (...devices: Record<string, unknown>[]) =>
  spec((s) => (s.linux.devices = devices));

describe('linux.devices', () => {
  it('refuses a c, b or u device without major or minor, on the entry; p needs none', () => {
    const text = withDevices(
      { path: '/dev/fuse', type: 'c', minor: 229 },
      { path: '/dev/loop0', type: 'b' },
      { path: '/dev/fifo', type: 'p' },
      { path: '/dev/null2', type: 'u', major: 1, minor: 3 },
    );
    const c = check(text);
    const missing = c.byCode('missing-required-field');
    assert.deepEqual(
      missing.map((f) => [f.severity, f.path.join('.'), /"(major|minor)"/.exec(f.message)?.[1]]),
      [
        ['error', 'linux.devices.0', 'major'],
        ['error', 'linux.devices.1', 'major'],
        ['error', 'linux.devices.1', 'minor'],
      ],
    );
    const fuse = text.indexOf('{', text.indexOf('"devices"'));
    assert.deepEqual(missing[0].range, {
      start: c.doc.positionAt(fuse),
      end: c.doc.positionAt(fuse + 1),
    });
    assert.match(missing[0].message, /only type "p", a FIFO, has none/);
  });

  it('says once, as information, that fileModes carry the file-type bits, with a fix', () => {
    const text = withDevices(
      { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 8630 },
      { path: '/dev/null2', type: 'c', major: 1, minor: 3, fileMode: 8576 },
    );
    const c = check(text);
    assert.deepEqual(c.byCode('value-out-of-range'), []);
    const f = c.one('device-file-mode-type-bits');
    assert.equal(f.severity, 'information');
    assert.deepEqual(f.range, rangeOf(text, '8630'));
    assert.match(
      f.message,
      /8630 \(020666\).*0666 = 438.*runc and crun drop the type bits.*1 more device does the same/,
    );
    assert.equal(JSON.parse(applyFix(c, f)).linux.devices[0].fileMode, 438);
    assert.deepEqual(check(applyFix(c, f)).one('device-file-mode-type-bits').path, [
      'linux',
      'devices',
      1,
      'fileMode',
    ]);
  });

  it('keeps other modes above 0777 an error (setuid bits, or beyond the type bits)', () => {
    for (const mode of [0o4666, 0o1000000]) {
      const text = withDevices({ path: '/dev/x', type: 'c', major: 1, minor: 3, fileMode: mode });
      const f = check(text).one('value-out-of-range');
      assert.equal(f.severity, 'error');
      assert.deepEqual(f.range, rangeOf(text, String(mode)));
    }
  });
});
