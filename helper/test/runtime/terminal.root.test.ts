// process.terminal in real containers, as root: the process's tty, /dev/console and the
// window size as the process sees them, then an interactive shell driven through the
// helper's side of the terminal (typing, resize, Ctrl-C, exit), as the daemon and
// `bindery run` drive it.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, afterEach, beforeEach, describe, it, type TestContext } from 'node:test';
import { runcMounts } from '../baseSpec';
import { cleanupTemp, hostMountinfo, launch, makeBundle, needsRoot, tempDir, type Launched } from './rootHarness';

const APPLETS = ['tty', 'stty', 'stat', 'ps'];
const addApplets = (rootfs: string) => {
  for (const a of APPLETS) fs.symlinkSync('busybox', path.join(rootfs, 'bin', a));
};

/** Resolves once the container's output so far matches `re` (or fails after 20 s). */
async function outputMatches(l: Launched, re: RegExp): Promise<RegExpMatchArray> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const m = re.exec(l.out.stdout);
    if (m) return m;
    if (Date.now() > deadline)
      assert.fail(`no ${re} in the terminal output after 20 s: ${JSON.stringify(l.out.stdout.slice(-2000))}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

let before = '';
let stateRoot = '';

describe('terminals (root)', () => {
  beforeEach(() => {
    before = hostMountinfo();
    stateRoot = tempDir('state');
  });
  afterEach(() => {
    assert.equal(hostMountinfo(), before, 'the host mount table is unchanged');
    assert.deepEqual(fs.existsSync(stateRoot) ? fs.readdirSync(stateRoot) : [], [], 'no state left');
  });
  after(cleanupTemp);

  it('gives the process a tty on fds 0–2, /dev/console bound to it, and consoleSize', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: [
        '/bin/sh',
        '-c',
        'tty; for f in 0 1 2; do readlink /proc/self/fd/$f; done; stty size; ' +
          'stat -c "console %F %t:%T" /dev/console; stat -c "pts %t:%T" $(tty); ' +
          'ps -o pid,tty,args | grep -c "pts/0"; echo done',
      ],
      mounts: runcMounts('/proc', '/dev', '/dev/pts'),
      prepare: addApplets,
      extra: { process: { terminal: true, consoleSize: { height: 33, width: 111 } } },
    });
    const l = await launch(bundle, stateRoot, 'tty1');
    assert.equal(l.container.info().terminal, true, 'info says the container has a terminal');
    const exit = await l.container.exited;
    await l.container.teardown();
    assert.equal(exit.exitCode, 0, l.out.stdout);
    // A terminal turns \n into \r\n (onlcr): what a user sees in a terminal.
    const lines = l.out.stdout.split('\r\n');
    assert.deepEqual(lines.slice(0, 5), ['/dev/pts/0', '/dev/pts/0', '/dev/pts/0', '/dev/pts/0', '33 111']);
    const pts = lines.find((x) => x.startsWith('pts '))!.slice(4);
    assert.equal(lines.find((x) => x.startsWith('console ')), `console character special file ${pts}`);
    assert.match(pts, /^88:0$/, 'the slave is pty 0 of the container’s own devpts (major 136 = 0x88)');
    assert.equal(l.out.stderr, '', 'nothing goes to the stderr pipe: the terminal carries both');
    assert.ok(l.operations.some((o) => o.operation.op === 'console' && o.ok), 'the console step ran');
  });

  it('passes on every byte of a large output, in order', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: ['/bin/sh', '-c', 'i=0; while [ $i -lt 20000 ]; do echo "line $i"; i=$((i+1)); done'],
      mounts: runcMounts('/proc', '/dev', '/dev/pts'),
      extra: { process: { terminal: true } },
    });
    const l = await launch(bundle, stateRoot, 'tty4');
    const exit = await l.container.exited;
    await l.container.teardown();
    assert.equal(exit.exitCode, 0);
    const lines = l.out.stdout.split('\r\n');
    assert.equal(lines.length, 20001, `${lines.length} lines`);
    lines.slice(0, 20000).forEach((x, i) => x === `line ${i}` || assert.fail(`line ${i} is ${JSON.stringify(x)}`));
  });

  it('relays typing, resize and Ctrl-C to an interactive shell, and its exit', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: ['/bin/sh'],
      mounts: runcMounts('/proc', '/dev', '/dev/pts'),
      prepare: addApplets,
      extra: { process: { terminal: true, env: ['PATH=/bin', 'PS1=$ '] } },
    });
    const l = await launch(bundle, stateRoot, 'tty2');
    const { container } = l;
    try {
      await outputMatches(l, /\$ (\x1b\[6n)?$/);
      assert.ok(container.writeInput(Buffer.from('echo typed-$((6*7))\r')));
      await outputMatches(l, /typed-42/);
      assert.ok(container.resize(40, 132).ok);
      container.writeInput(Buffer.from('stty size\r'));
      await outputMatches(l, /\r\n40 132\r\n/);
      // Ctrl-C reaches the foreground job through the terminal's line discipline.
      container.writeInput(Buffer.from('sleep 60; echo not-interrupted\r'));
      await new Promise((r) => setTimeout(r, 300));
      container.writeInput(Buffer.from('\x03'));
      container.writeInput(Buffer.from('echo after-$((1+1))\r'));
      await outputMatches(l, /after-2/);
      assert.doesNotMatch(l.out.stdout, /\r\nnot-interrupted/, 'the sleep was interrupted, the rest of its line not run');
      container.writeInput(Buffer.from('exit 5\r'));
      const exit = await container.exited;
      assert.equal(exit.exitCode, 5);
      assert.equal(container.writeInput(Buffer.from('x')), false, 'no input once it exited');
    } finally {
      await container.teardown(1000);
    }
  });

  it('`bindery run` in a terminal: that terminal becomes the container’s (its size, typing, exit code)', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const bundle = makeBundle({
      args: ['/bin/sh'],
      mounts: runcMounts('/proc', '/dev', '/dev/pts'),
      prepare: addApplets,
      extra: { process: { terminal: true, env: ['PATH=/bin', 'PS1=$ '], consoleSize: { height: 11, width: 22 } } },
    });
    const cli = path.join(__dirname, '..', '..', 'src', 'cli.ts');
    // script(1) gives `bindery run` a terminal of 20×70; the keys arrive through it.
    const r = spawnSync(
      'script',
      ['-qec', `stty rows 20 cols 70; ${process.execPath} --import tsx ${cli} run ${bundle} --id tty3`, '/dev/null'],
      {
        cwd: path.join(__dirname, '..', '..'),
        input: 'stty size; tty\rexit 3\r',
        encoding: 'utf8',
        timeout: 60_000,
        env: { ...process.env, BINDERY_SOCKET: path.join(stateRoot, 'none.sock'), BINDERY_STATE_ROOT: stateRoot },
      },
    );
    assert.equal(r.status, 3, r.stdout + r.stderr);
    assert.match(r.stdout, /\n20 70\r*\n\/dev\/pts\/0\r*\n/, 'the window’s size, not consoleSize, once attached (as runc run)');
  });
});
