// A cgroup2 device list (the plan's CgroupOp.devices) as an eBPF program of type
// BPF_PROG_TYPE_CGROUP_DEVICE, the way runc enforces linux.resources.devices where there is
// no v1 devices controller. The kernel runs it on every device open and mknod in the cgroup
// with a struct bpf_cgroup_dev_ctx { u32 access_type (device type in the low 16 bits, access
// in the high 16); u32 major; u32 minor }, and allows the access when it returns 1.
//
// Layout: load the type, access, major and minor into r2..r5; one block per exception,
// which jumps to the next block when any of its conditions fails and otherwise returns the
// exception's verdict (the opposite of the default); after the last block, the default.
import type { CgroupDeviceRules, DeviceException } from '@bindery/plan';

// uapi/linux/bpf.h
const BPF_DEVCG_ACC_MKNOD = 1 << 0;
const BPF_DEVCG_ACC_READ = 1 << 1;
const BPF_DEVCG_ACC_WRITE = 1 << 2;
const BPF_DEVCG_DEV_BLOCK = 1 << 0;
const BPF_DEVCG_DEV_CHAR = 1 << 1;

// Instruction classes, sizes, sources and operations (uapi/linux/bpf_common.h, bpf.h).
const BPF_LDX = 0x01;
const BPF_ALU = 0x04;
const BPF_JMP = 0x05;
const BPF_W = 0x00;
const BPF_MEM = 0x60;
const BPF_K = 0x00;
const BPF_X = 0x08;
const BPF_AND = 0x50;
const BPF_RSH = 0x70;
const BPF_MOV = 0xb0;
const BPF_JNE = 0x50;
const BPF_EXIT = 0x90;

const INSN_SIZE = 8;
const R0 = 0;
const R1 = 1;
const R2 = 2;
const R3 = 3;
const R4 = 4;
const R5 = 5;

/** struct bpf_insn: opcode, dst_reg (low nibble) and src_reg (high nibble), s16 offset, s32 imm. */
interface Insn {
  code: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
}

const insn = (code: number, dst: number, src: number, off: number, imm: number): Insn => ({
  code,
  dst,
  src,
  off,
  imm,
});
const loadWord = (dst: number, src: number, off: number) =>
  insn(BPF_LDX | BPF_MEM | BPF_W, dst, src, off, 0);
const alu32Imm = (op: number, dst: number, imm: number) =>
  insn(BPF_ALU | op | BPF_K, dst, 0, 0, imm);
const mov32Reg = (dst: number, src: number) => insn(BPF_ALU | BPF_MOV | BPF_X, dst, src, 0, 0);
/** if (dst != imm) skip `off` instructions. */
const jneImm = (dst: number, imm: number, off: number) =>
  insn(BPF_JMP | BPF_JNE | BPF_K, dst, 0, off, imm);
const jneReg = (dst: number, src: number, off: number) =>
  insn(BPF_JMP | BPF_JNE | BPF_X, dst, src, off, 0);
const exit = () => insn(BPF_JMP | BPF_EXIT, 0, 0, 0, 0);

function accessBits(access: string): number {
  let bits = 0;
  for (const a of access)
    bits |=
      a === 'r'
        ? BPF_DEVCG_ACC_READ
        : a === 'w'
          ? BPF_DEVCG_ACC_WRITE
          : a === 'm'
            ? BPF_DEVCG_ACC_MKNOD
            : 0;
  return bits;
}

const ALL_ACCESS = BPF_DEVCG_ACC_READ | BPF_DEVCG_ACC_WRITE | BPF_DEVCG_ACC_MKNOD;

/** One exception's block, its jumps to the block after it. An `a` exception is one block per type. */
function block(e: DeviceException, verdict: number): Insn[][] {
  const types =
    e.type === 'c'
      ? [BPF_DEVCG_DEV_CHAR]
      : e.type === 'b'
        ? [BPF_DEVCG_DEV_BLOCK]
        : [BPF_DEVCG_DEV_CHAR, BPF_DEVCG_DEV_BLOCK];
  const access = accessBits(e.access);
  return types.map((type) => {
    // Conditions as (remaining instructions after this one) → jump offset, filled in below.
    const conds: ((skip: number) => Insn)[] = [(skip) => jneImm(R2, type, skip)];
    if (access !== ALL_ACCESS) {
      // The access asked for must be within the exception's: (r3 & access) == r3.
      conds.push(() => mov32Reg(R1, R3));
      conds.push(() => alu32Imm(BPF_AND, R1, access));
      conds.push((skip) => jneReg(R1, R3, skip));
    }
    if (e.major >= 0) conds.push((skip) => jneImm(R4, e.major, skip));
    if (e.minor >= 0) conds.push((skip) => jneImm(R5, e.minor, skip));
    const length = conds.length + 2;
    return [
      ...conds.map((make, i) => make(length - i - 1)),
      alu32Imm(BPF_MOV, R0, verdict),
      exit(),
    ];
  });
}

/** The program's instructions, as the struct bpf_insn array BPF_PROG_LOAD takes. */
export function deviceProgram(
  rules: Pick<CgroupDeviceRules, 'defaultAllow' | 'exceptions'>,
): Buffer {
  const verdict = rules.defaultAllow ? 0 : 1;
  const insns: Insn[] = [
    loadWord(R2, R1, 0),
    alu32Imm(BPF_AND, R2, 0xffff),
    loadWord(R3, R1, 0),
    alu32Imm(BPF_RSH, R3, 16),
    loadWord(R4, R1, 4),
    loadWord(R5, R1, 8),
    ...rules.exceptions.flatMap((e) => block(e, verdict).flat()),
    alu32Imm(BPF_MOV, R0, rules.defaultAllow ? 1 : 0),
    exit(),
  ];
  const buf = Buffer.alloc(insns.length * INSN_SIZE);
  insns.forEach((x, i) => {
    const at = i * INSN_SIZE;
    buf.writeUInt8(x.code, at);
    buf.writeUInt8((x.src << 4) | x.dst, at + 1);
    buf.writeInt16LE(x.off, at + 2);
    buf.writeInt32LE(x.imm | 0, at + 4);
  });
  return buf;
}

/** The program read back as text (`jne r2, 2, +5`), for tests and messages. */
export function disassemble(program: Buffer): string[] {
  const out: string[] = [];
  for (let at = 0; at < program.length; at += INSN_SIZE) {
    const code = program.readUInt8(at);
    const regs = program.readUInt8(at + 1);
    const dst = `r${regs & 0xf}`;
    const src = `r${regs >> 4}`;
    const off = program.readInt16LE(at + 2);
    const imm = program.readInt32LE(at + 4);
    const text: Record<number, string> = {
      [BPF_LDX | BPF_MEM | BPF_W]: `ldxw ${dst}, [${src}+${off}]`,
      [BPF_ALU | BPF_AND | BPF_K]: `and32 ${dst}, 0x${imm.toString(16)}`,
      [BPF_ALU | BPF_RSH | BPF_K]: `rsh32 ${dst}, ${imm}`,
      [BPF_ALU | BPF_MOV | BPF_K]: `mov32 ${dst}, ${imm}`,
      [BPF_ALU | BPF_MOV | BPF_X]: `mov32 ${dst}, ${src}`,
      [BPF_JMP | BPF_JNE | BPF_K]: `jne ${dst}, ${imm}, +${off}`,
      [BPF_JMP | BPF_JNE | BPF_X]: `jne ${dst}, ${src}, +${off}`,
      [BPF_JMP | BPF_EXIT]: 'exit',
    };
    out.push(text[code] ?? `0x${code.toString(16)}`);
  }
  return out;
}
