// A container that prints a lot must not fill the state root: what the helper has read of
// stdout.log is punched out of the file, so its disk (tmpfs: memory) use stays small while
// every byte still reaches a listener.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import type { OutputEvent } from '../../src/protocol';
import { adoptContainer } from '../../src/runtime/container';
import { cleanupTemp, hostMountinfo, launch, makeBundle, needsRoot, tempDir } from './rootHarness';

const MiB = 1024 * 1024;
const TOTAL = 64 * MiB;

/** A tmpfs of `size` bytes at a fresh temp dir, like the helper's /run/bindery; unmounted by the caller. */
function smallTmpfs(size: number): string {
  const dir = tempDir('logstate');
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', `size=${size},mode=0711`, 'tmpfs', dir], {
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, `mount tmpfs: ${r.stderr}`);
  return dir;
}

function unmount(dir: string): void {
  const r = spawnSync('umount', [dir], { encoding: 'utf8' });
  assert.equal(r.status, 0, `umount ${dir}: ${r.stderr}`);
}

describe('log files (root)', () => {
  after(cleanupTemp);

  it('64 MiB of stdout through a 32 MiB tmpfs: all of it arrives, little of it stays on disk', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const before = hostMountinfo();
    const stateRoot = smallTmpfs(32 * MiB);
    try {
      const bundle = makeBundle({
        args: ['/bin/sh', '-c', `yes 0123456789abcdef | head -c ${TOTAL}`],
        prepare: (rootfs) => fs.symlinkSync('busybox', path.join(rootfs, 'bin', 'yes')),
      });
      const log = path.join(stateRoot, 'chatty', 'stdout.log');
      const l = await launch(bundle, stateRoot, 'chatty');
      let bytes = 0;
      let wrong = 0;
      let peakAllocated = 0;
      l.container.on('output', (o: OutputEvent) => {
        if (o.stream !== 'stdout') return;
        bytes += Buffer.byteLength(o.data);
        // Every byte is the container's own text; a hole read back would show up as NULs.
        if (!/^[0-9a-f\n]*$/.test(o.data)) wrong++;
        try {
          peakAllocated = Math.max(peakAllocated, fs.statSync(log).blocks * 512);
        } catch {
          // gone after teardown
        }
      });
      const exit = await l.container.exited;
      const st = fs.statSync(log);
      t.diagnostic(`peak allocated while running: ${(peakAllocated / MiB).toFixed(1)} MiB`);
      t.diagnostic(`after exit: size ${st.size}, allocated ${st.blocks * 512}`);
      const du = spawnSync('du', ['-k', log], { encoding: 'utf8' });
      t.diagnostic(`du -k: ${du.stdout.trim()}`);
      await l.container.teardown();

      assert.equal(exit.exitCode, 0, `the writer failed (stderr: ${l.out.stderr})`);
      assert.equal(bytes, TOTAL, 'every byte reaches the listener');
      assert.equal(wrong, 0, 'no chunk holds anything but what the container wrote');
      // The size is kept (offsets stay valid); the blocks are freed but for the last partial 64 KiB.
      assert.equal(st.size, TOTAL);
      assert.ok(st.blocks * 512 <= 64 * 1024, `stdout.log still holds ${st.blocks * 512} bytes`);
      assert.ok(Number(du.stdout.split('\t')[0]) <= 64, `du says ${du.stdout}`);
    } finally {
      unmount(stateRoot);
    }
    assert.equal(hostMountinfo(), before);
  });

  it('a helper that adopts the container starts at the first unread data, not at the holes', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const stateRoot = tempDir('state');
    const HEAD = 4 * MiB + 100; // all but the last 100 bytes fall in punched 64 KiB blocks
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', `yes 0123456789abcdef | head -c ${HEAD}; sleep 1; echo tail`],
      prepare: (rootfs) => fs.symlinkSync('busybox', path.join(rootfs, 'bin', 'yes')),
    });
    const first = await launch(bundle, stateRoot, 'adopted');
    try {
      // The first helper has read (and punched) the head when the listener has seen it.
      await new Promise<void>((resolve) => {
        const check = () => Buffer.byteLength(first.out.stdout) >= HEAD && resolve();
        first.container.on('output', check);
        check();
      });
      const second = adoptContainer(path.join(stateRoot, 'adopted'));
      assert.equal(second?.status, 'running');
      let replay = '';
      second.on('output', (o: OutputEvent) => o.stream === 'stdout' && (replay += o.data));
      await second.exited;
      await first.container.exited;
      assert.equal(first.out.stdout.length, HEAD + 'tail\n'.length);
      // What was still on disk: the unpunched last partial block, then the rest. No NULs.
      assert.equal(replay, first.out.stdout.slice(HEAD - 100));
      await second.teardown();
    } finally {
      await first.container.teardown();
    }
  });
});
