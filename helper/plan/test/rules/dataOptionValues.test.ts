// Rule 26, values: data options of tmpfs, devpts and proc with values the kernel refuses.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { check, rangeOf, spec } from './harness';

const tmpfsWith = (...options: string[]) =>
  spec((s) => s.mounts.push({ destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options }));

describe('filesystem data option values', () => {
  it('refuses values the kernel cannot parse, each on its option', () => {
    const bad = [
      'mode=789',
      'size=lots',
      'uid=nobody',
      'gid=-1',
      'nr_inodes=1.5k',
      'huge=sometimes',
      'noswap=1',
      'mode',
    ];
    const text = tmpfsWith(...bad);
    const found = check(text).byCode('invalid-data-option-value');
    assert.deepEqual(
      found.map((f) => [
        f.severity,
        JSON.stringify(f.range) === JSON.stringify(rangeOf(text, `"${bad[f.path[3] as number]}"`)),
      ]),
      bad.map(() => ['error', true]),
    );
    assert.match(
      found[0].message,
      /^mounts\[6\] \(\/scratch\): "mode=789": mode takes an octal mode.*EINVAL at launch/,
    );
    assert.match(found[1].message, /size takes a size such as 64m, 65536k or 50%/);
    assert.match(found[2].message, /uid takes a number/);
    assert.match(found[6].message, /"noswap" is a flag and takes no value/);
    assert.match(found[7].message, /"mode" needs a value/);
  });

  it('accepts what the kernel parses', () => {
    const text = tmpfsWith(
      'mode=1777',
      'size=64m',
      'size=50%',
      'nr_inodes=0x100',
      'uid=0',
      'gid=010',
      'huge=within_size',
      'noswap',
    );
    assert.deepEqual(check(text).byCode('invalid-data-option-value'), []);
    assert.deepEqual(check(spec()).byCode('invalid-data-option-value'), []);
  });

  it('checks devpts and proc too', () => {
    const text = spec((s) => {
      s.mounts[0].options = ['hidepid=3', 'subset=pids'];
      s.mounts[2].options.push('ptmxmode=0999');
    });
    const found = check(text).byCode('invalid-data-option-value');
    assert.deepEqual(
      found.map((f) => f.path.join('.')),
      ['mounts.0.options.0', 'mounts.0.options.1', 'mounts.2.options.6'],
    );
    assert.deepEqual(found[2].range, rangeOf(text, '"ptmxmode=0999"'));
  });
});
