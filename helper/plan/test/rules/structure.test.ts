import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { schemaAt } from '../../src/schema';
import { applyFix, check, posOf, rangeOf, spec } from './harness';

describe('structure: types', () => {
  it('refuses a wrong type on the value, with a fix for a quoted boolean', () => {
    const text = spec((s) => (s.root.readonly = 'true'));
    const c = check(text);
    const f = c.one('wrong-type');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /^root\.readonly: expected true or false, found a string/);
    assert.deepEqual(f.range, rangeOf(text, '"true"'));
    assert.equal(JSON.parse(applyFix(c, f)).root.readonly, true);
  });

  it('unquotes a number and wraps a lone string where an array is expected', () => {
    const text = spec((s) => {
      s.process.user.uid = '1000';
      s.process.args = 'sh';
    });
    const c = check(text);
    const [args, uid] = c
      .byCode('wrong-type')
      .sort((a, b) => a.range.start.line - b.range.start.line)
      .reverse();
    assert.match(uid.message, /process\.user\.uid: expected an integer, found a string/);
    assert.equal(JSON.parse(applyFix(c, uid)).process.user.uid, 1000);
    assert.match(args.message, /process\.args: expected an array/);
    assert.deepEqual(JSON.parse(applyFix(c, args)).process.args, ['sh']);
  });

  it('names array elements in the path', () => {
    const text = spec((s) => (s.mounts[3].options[1] = 7));
    const f = check(text).one('wrong-type');
    assert.match(f.message, /^mounts\[3\]\.options\[1\]: expected a string, found an integer/);
    const line = posOf(text, '        7,').line;
    assert.deepEqual(f.range, { start: { line, character: 8 }, end: { line, character: 9 } });
  });

  it('refuses numbers out of range', () => {
    const text = spec((s) => (s.process.oomScoreAdj = 2000));
    const f = check(text).one('value-out-of-range');
    assert.match(
      f.message,
      /process\.oomScoreAdj: 2000 is out of range; it must be between -1000 and 1000/,
    );
    assert.deepEqual(f.range, rangeOf(text, '2000'));
  });

  it('refuses a document that is not an object', () => {
    const f = check('[1, 2]\n').one('wrong-type');
    assert.match(f.message, /a runtime spec is a JSON object/);
  });
});

describe('structure: required fields and values', () => {
  it('requires ociVersion, on the opening brace of the document', () => {
    const text = spec((s) => delete s.ociVersion);
    const f = check(text).one('missing-required-field');
    assert.equal(f.severity, 'error');
    assert.match(f.message, /The spec is missing the required "ociVersion"/);
    assert.deepEqual(f.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } });
  });

  it('requires root.path, on the root key', () => {
    const text = spec((s) => (s.root = { readonly: true }));
    const f = check(text).one('missing-required-field');
    assert.match(
      f.message,
      /^root is missing the required "path": the directory that becomes "\/"/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"root"'));
  });

  it('requires process.cwd and process.args, and a non-empty args', () => {
    const text = spec((s) => (s.process = { args: [] }));
    const c = check(text);
    assert.match(c.one('missing-required-field').message, /process is missing the required "cwd"/);
    const empty = c.one('array-too-short');
    assert.match(empty.message, /process\.args is empty.*runc refuses an empty args/);
    assert.deepEqual(empty.range, rangeOf(text, '[]'));
  });

  it('requires an absolute process.cwd, with a fix', () => {
    const text = spec((s) => (s.process.cwd = 'srv'));
    const c = check(text);
    const f = c.one('path-not-absolute');
    assert.match(f.message, /process\.cwd: "srv" must be an absolute path/);
    assert.deepEqual(f.range, rangeOf(text, '"srv"'));
    assert.equal(JSON.parse(applyFix(c, f)).process.cwd, '/srv');
  });

  it("requires mounts[].destination, on the entry's opening brace", () => {
    const text = spec((s) => s.mounts.push({ type: 'tmpfs', source: 'tmpfs' }));
    const f = check(text).one('missing-required-field');
    assert.match(
      f.message,
      /^mounts\[6\] is missing the required "destination": where the mount appears/,
    );
    assert.equal(f.range.end.character - f.range.start.character, 1);
  });

  it('checks patterns (rlimit names)', () => {
    const text = spec((s) => (s.process.rlimits = [{ type: 'NOFILE', soft: 1024, hard: 1024 }]));
    const f = check(text).one('invalid-format');
    assert.match(
      f.message,
      /process\.rlimits\[0\]\.type: "NOFILE" is not valid here; expected RLIMIT_ followed by the limit name/,
    );
  });

  it('accepts null as "not set", as Go does', () => {
    assert.deepEqual(check(spec((s) => (s.process.env = null))).byCode('wrong-type'), []);
  });

  it('a well-formed spec has no structure finding at all', () => {
    const structural = [
      'wrong-type',
      'value-out-of-range',
      'invalid-enum-value',
      'path-not-absolute',
      'invalid-format',
      'array-too-short',
      'missing-required-field',
      'misspelled-property',
      'unknown-property',
    ];
    assert.deepEqual(
      check(spec()).findings.filter((f) => structural.includes(f.code)),
      [],
    );
  });
});

describe('structure: unknown keys', () => {
  it('warns about a misspelt known key, with a rename fix', () => {
    const text = spec((s) => {
      s.mount = s.mounts;
      delete s.mounts;
    });
    const c = check(text);
    const f = c.one('misspelled-property');
    assert.equal(f.severity, 'warning');
    assert.match(
      f.message,
      /^mount: unknown property "mount"; did you mean "mounts"\? Runtimes ignore unknown properties/,
    );
    assert.deepEqual(f.range, rangeOf(text, '"mount"', 1)); // after the "mount" namespace
    const fixed = applyFix(c, f);
    assert.equal(JSON.parse(fixed).mounts.length, 6);
    assert.deepEqual(
      check(fixed).findings.filter((x) => x.severity !== 'hint' && x.severity !== 'information'),
      [],
    );
  });

  it('only hints at other unknown keys (the spec tells runtimes to ignore them)', () => {
    const text = spec((s) => (s['org.example.extension'] = { anything: 1 }));
    const f = check(text).one('unknown-property');
    assert.equal(f.severity, 'hint');
    assert.deepEqual(f.range, rangeOf(text, '"org.example.extension"'));
  });

  it("does not look inside other platforms' sections or free-form maps", () => {
    const text = spec((s) => {
      s.windows = { layerFolders: ['C:\\x'] };
      s.annotations = { 'org.example/a': 'b' };
      s.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
    });
    assert.deepEqual(
      check(text).findings.filter((f) => f.code.includes('property') || f.code === 'wrong-type'),
      [],
    );
  });
});

describe('schemaAt', () => {
  it('walks objects, arrays and maps', () => {
    assert.equal(schemaAt(['mounts', 3, 'options'])?.type, 'array');
    assert.deepEqual(schemaAt(['linux', 'namespaces', 0, 'type'])?.enum?.includes('uts'), true);
    assert.equal(schemaAt(['annotations', 'x'])?.type, 'string');
    assert.equal(schemaAt(['nope']), undefined);
    assert.match(schemaAt(['mounts', 0, 'type'])!.doc, /runc and crun bind-mount only when/);
  });
});

describe('structure: ociVersion', () => {
  it('refuses a version that is not SemVer 2.0.0, on the value, with a fix', () => {
    const text = spec((s) => (s.ociVersion = '1.0'));
    const c = check(text);
    const f = c.one('invalid-format');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"1.0"'));
    assert.match(f.message, /SemVer 2\.0\.0/);
    assert.equal(JSON.parse(applyFix(c, f)).ociVersion, '1.0.0');
  });

  it('accepts SemVer with pre-release and build parts', () => {
    for (const v of ['1.0.2-dev', '1.2.0', '1.0.0-rc.1+build.5', '0.5.0-dev'])
      assert.deepEqual(check(spec((s) => (s.ociVersion = v))).byCode('invalid-format'), [], v);
    for (const v of ['1', '01.0.0', '1.0.0.0', 'v1.0.0', '1.0.0-'])
      assert.equal(check(spec((s) => (s.ociVersion = v))).byCode('invalid-format').length, 1, v);
  });
});
