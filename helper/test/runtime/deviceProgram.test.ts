// The cgroup2 device program generator: its instructions, and its verdicts, run through a
// small interpreter of the instructions it uses, against the device list's meaning (the v1
// devices cgroup's: a default, and exceptions matched by type, numbers and access).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { deviceExceptions, type DeviceException } from '@bindery/plan';
import { deviceProgram, disassemble } from '../../src/runtime/deviceProgram';

const READ = 2;
const WRITE = 4;
const MKNOD = 1;
const CHAR = 2;
const BLOCK = 1;

/** Runs the program on one bpf_cgroup_dev_ctx; its r0. */
function run(program: Buffer, type: number, access: number, major: number, minor: number): number {
  const r = new Array<number>(11).fill(0);
  const ctx = [(access << 16) | type, major, minor];
  for (let pc = 0, steps = 0; steps < 10_000; steps++) {
    const at = pc * 8;
    assert.ok(at < program.length, 'ran off the end');
    const code = program.readUInt8(at);
    const dst = program.readUInt8(at + 1) & 0xf;
    const src = program.readUInt8(at + 1) >> 4;
    const off = program.readInt16LE(at + 2);
    const imm = program.readInt32LE(at + 4);
    pc++;
    switch (code) {
      case 0x61: // ldxw dst, [src+off] (src is the context)
        assert.equal(src, 1);
        r[dst] = ctx[off / 4] >>> 0;
        break;
      case 0x54:
        r[dst] = (r[dst] & imm) >>> 0;
        break;
      case 0x74:
        r[dst] = r[dst] >>> imm;
        break;
      case 0xb4:
        r[dst] = imm >>> 0;
        break;
      case 0xbc:
        r[dst] = r[src];
        break;
      case 0x55:
        if (r[dst] !== imm >>> 0) pc += off;
        break;
      case 0x5d:
        if (r[dst] !== r[src]) pc += off;
        break;
      case 0x95:
        return r[0];
      default:
        assert.fail(`unknown opcode 0x${code.toString(16)}`);
    }
  }
  return assert.fail('no exit');
}

/** The list's meaning: the exception that covers the access decides, else the default. */
function expected(
  list: { defaultAllow: boolean; exceptions: DeviceException[] },
  type: 'c' | 'b',
  access: string,
  major: number,
  minor: number,
): number {
  const covered = list.exceptions.some(
    (e) =>
      (e.type === 'a' || e.type === type) &&
      (e.major < 0 || e.major === major) &&
      (e.minor < 0 || e.minor === minor) &&
      [...access].every((a) => e.access.includes(a)),
  );
  return covered !== list.defaultAllow ? 1 : 0;
}

const specWith = (devices: unknown[]) => ({ linux: { resources: { devices } } });

describe('deviceProgram', () => {
  it('reads the context into r2..r5, one block per exception, the default last', () => {
    const text = disassemble(
      deviceProgram({
        defaultAllow: false,
        exceptions: [
          { type: 'c', major: 1, minor: 3, access: 'rwm' },
          { type: 'b', major: 8, minor: -1, access: 'r' },
        ],
      }),
    );
    assert.deepEqual(text, [
      'ldxw r2, [r1+0]',
      'and32 r2, 0xffff',
      'ldxw r3, [r1+0]',
      'rsh32 r3, 16',
      'ldxw r4, [r1+4]',
      'ldxw r5, [r1+8]',
      'jne r2, 2, +4',
      'jne r4, 1, +3',
      'jne r5, 3, +2',
      'mov32 r0, 1',
      'exit',
      'jne r2, 1, +6',
      'mov32 r1, r3',
      'and32 r1, 0x2',
      'jne r1, r3, +3',
      'jne r4, 8, +2',
      'mov32 r0, 1',
      'exit',
      'mov32 r0, 0',
      'exit',
    ]);
  });

  it('decides every access as the device list does (runc’s defaults, the spec’s rules, an allow-list and a deny-list)', () => {
    const lists = [
      deviceExceptions({}),
      deviceExceptions(specWith([{ allow: true, type: 'c', major: 1, minor: 11, access: 'r' }])),
      deviceExceptions(
        specWith([
          { allow: true, access: 'rwm' },
          { allow: false, type: 'b', major: 8, access: 'w' },
          { allow: false, type: 'c', major: 10, minor: 200, access: 'rwm' },
        ]),
      ),
      {
        defaultAllow: false,
        exceptions: [{ type: 'a' as const, major: 4, minor: -1, access: 'rw' }],
      },
    ];
    assert.equal(lists[2].defaultAllow, true, 'an allow-all rule makes a deny-list');
    const devices: ['c' | 'b', number, number][] = [
      ['c', 1, 3],
      ['c', 1, 11],
      ['c', 1, 5],
      ['c', 10, 200],
      ['c', 136, 4],
      ['c', 4, 1],
      ['b', 8, 0],
      ['b', 4, 1],
      ['b', 7, 0],
    ];
    const accesses = ['r', 'w', 'm', 'rw', 'rwm'];
    let allowed = 0;
    let denied = 0;
    for (const list of lists) {
      const program = deviceProgram(list);
      for (const [type, major, minor] of devices)
        for (const access of accesses) {
          const bits = [...access].reduce(
            (b, a) => b | (a === 'r' ? READ : a === 'w' ? WRITE : MKNOD),
            0,
          );
          const got = run(program, type === 'c' ? CHAR : BLOCK, bits, major, minor);
          const want = expected(list, type, access, major, minor);
          assert.equal(got, want, `${JSON.stringify(list)}: ${type} ${major}:${minor} ${access}`);
          if (want) allowed++;
          else denied++;
        }
    }
    assert.ok(allowed > 20 && denied > 20, `both verdicts are exercised (${allowed}/${denied})`);
  });
});
