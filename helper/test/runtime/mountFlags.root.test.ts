// koffiSyscalls.mountFlags against the kernel: the MS_* flags it reads back (fstatfs f_flags,
// translated) are the ones /proc/self/mountinfo shows for the same mount. A remount of a
// read-only path keeps what this reads, so a flag read wrong is a flag lost. The mounts are
// made in a mount namespace of a child of its own (unshare -m): nothing touches the host's.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { MS, optionInfo, parseMountinfo, type MsFlag } from '@bindery/plan';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { needsRoot } from './rootHarness';

const CHILD = 'BINDERY_MOUNT_FLAGS_CHILD';
const OPTION_SETS = ['ro,nosuid,nodev,noexec,noatime,nosymfollow', 'nosuid,nodiratime', 'rw'];

interface Reading {
  options: string;
  /** The mount's own options as mountinfo lists them (its sixth field). */
  mountinfo: string;
  flags: MsFlag[];
}

/** In the child: mount a tmpfs with each option set on `dir`, read its flags both ways. */
function readInChild(dir: string): Reading[] {
  const sys = koffiSyscalls();
  return OPTION_SETS.map((options) => {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `${options},size=64k`, 'bindery-flags', dir]);
    try {
      const mounted = parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))
        .filter((m) => m.mountPoint === dir)
        .at(-1);
      const fd = fs.openSync(dir, 'r');
      try {
        const r = sys.mountFlags(fd);
        if (!r.ok) throw new Error(`mountFlags: ${r.errno}`);
        const flags = (Object.keys(MS) as MsFlag[]).filter((f) => (r.value & MS[f]) !== 0);
        return { options, mountinfo: mounted?.options.join(',') ?? '', flags };
      } finally {
        fs.closeSync(fd);
      }
    } finally {
      execFileSync('umount', [dir]);
    }
  });
}

if (process.env[CHILD]) {
  process.stdout.write(JSON.stringify(readInChild(process.argv[2])));
  process.exit(0);
}

/** The MS_* flags mountinfo's option words set, through the plan's option table. */
function flagsOf(mountinfoOptions: string): MsFlag[] {
  return mountinfoOptions
    .split(',')
    .flatMap((word) => {
      const info = optionInfo(word);
      return info.kind === 'flag' && !info.clear ? (info.flags as MsFlag[]) : [];
    })
    .sort((a, b) => MS[a] - MS[b]);
}

describe('koffiSyscalls.mountFlags', () => {
  it('reads the flags mountinfo shows, nosymfollow and the atime flags included', (t) => {
    if (!needsRoot(t)) return;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-mount-flags-'));
    try {
      const child = spawnSync(
        'unshare',
        ['-m', '--propagation', 'private', process.execPath, ...process.execArgv, __filename, dir],
        { env: { ...process.env, [CHILD]: '1' }, encoding: 'utf8' },
      );
      assert.equal(child.status, 0, child.stderr);
      const readings = JSON.parse(child.stdout) as Reading[];
      assert.deepEqual(
        readings.map((r) => r.options),
        OPTION_SETS,
      );
      for (const r of readings) {
        assert.deepEqual(r.flags, flagsOf(r.mountinfo), `${r.options}: mountinfo ${r.mountinfo}`);
      }
      assert.ok(readings[0].flags.includes('MS_NOSYMFOLLOW'), JSON.stringify(readings[0]));
      assert.ok(readings[2].flags.includes('MS_RELATIME'), JSON.stringify(readings[2]));
    } finally {
      fs.rmdirSync(dir);
    }
  });
});
