// linux.seccomp: names libseccomp does not know, the schema's enums, and the name table
// compared with the installed libseccomp (its source).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { libseccompSyscallNames, renderTable, TABLE_PATH } from '../../scripts/syscallNames';
import { applyFix, check, rangeOf, spec } from './harness';

const withSeccomp = (seccomp: Record<string, unknown>) => spec((s) => (s.linux.seccomp = seccomp));

describe('linux.seccomp', () => {
  it('warns about a system call name no architecture has, with the nearest as fix', () => {
    const text = withSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [{ names: ['read', 'mkdri', 'socketcall'], action: 'SCMP_ACT_ALLOW' }],
    });
    const c = check(text);
    const f = c.one('unknown-syscall');
    assert.equal(f.severity, 'warning');
    assert.deepEqual(f.range, rangeOf(text, '"mkdri"'));
    assert.match(f.message, /runc skips names it cannot resolve.*Did you mean "mkdir"\?/);
    assert.deepEqual(JSON.parse(applyFix(c, f)).linux.seccomp.syscalls[0].names, [
      'read',
      'mkdir',
      'socketcall',
    ]);
  });

  it("refuses the schema's enums: architectures, actions, flags and argument operators", () => {
    const text = withSeccomp({
      defaultAction: 'SCMP_ACT_DENY',
      architectures: ['SCMP_ARCH_AMD64'],
      flags: ['SECCOMP_FILTER_FLAG_NONE'],
      syscalls: [
        {
          names: ['read'],
          action: 'SCMP_ACT_ALLOW',
          args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQUAL' }],
        },
        { names: [], action: 'SCMP_ACT_ALLOW' },
      ],
    });
    const c = check(text);
    const enums = c.byCode('invalid-enum-value');
    assert.deepEqual(
      enums.map((f) => [f.severity, f.path.join('.')]),
      [
        ['error', 'linux.seccomp.defaultAction'],
        ['error', 'linux.seccomp.architectures.0'],
        ['error', 'linux.seccomp.flags.0'],
        ['error', 'linux.seccomp.syscalls.0.args.0.op'],
      ],
    );
    assert.deepEqual(enums[3].range, rangeOf(text, '"SCMP_CMP_EQUAL"'));
    assert.equal(c.one('array-too-short').path.join('.'), 'linux.seccomp.syscalls.1.names');
  });

  it('carries exactly the names the installed libseccomp knows', (t) => {
    let table: ReturnType<typeof libseccompSyscallNames>;
    try {
      table = libseccompSyscallNames();
    } catch (e) {
      if (process.env.CI) throw e;
      return t.skip(`libseccomp2 cannot be loaded: ${String(e)}`);
    }
    const { version, names } = table;
    assert.ok(names.length > 400, `${names.length} names`);
    assert.equal(
      readFileSync(TABLE_PATH, 'utf8'),
      renderTable(version, names),
      'src/syscallNames.ts is stale: run `npm run generate:syscalls -w @bindery/plan`',
    );
  });
});
