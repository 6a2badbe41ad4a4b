// The cgroup2 device program for real: attached to a cgroup in the host's cgroup2 hierarchy
// (the unified part of a hybrid host, or the whole tree of a v2 one), a shell in that cgroup
// opens what the rules allow and gets EPERM for the rest; the same shell outside is the
// control. The program is detached and the cgroup removed afterwards.
import { strict as assert } from 'node:assert';
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, describe, it, type TestContext } from 'node:test';
import { deviceExceptions, parseMountinfo } from '@bindery/plan';
import { attachDeviceProgram } from '../../src/runtime/cgroupDevices';
import { createCgroups, removeCgroups } from '../../src/runtime/cgroups';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { needsRoot } from './rootHarness';

/** Where the host mounts cgroup2. */
function cgroup2Mount(): string | undefined {
  return parseMountinfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')).find(
    (m) => m.fstype === 'cgroup2',
  )?.mountPoint;
}

// kmsg (1:11) readable only; loop-control (10:237) not at all; null (1:3) as every container has it.
// One line each: the name when the open worked, else the error (in a subshell: a failed
// redirection ends a shell running a special built-in).
const open = (redirect: string, name: string) =>
  `(: ${redirect} && echo ${name}) 2>&1 | grep -o "${name}\\|Operation not permitted"`;
const PROBE = [
  open('< /dev/null', 'null-read'),
  open('< /dev/kmsg', 'kmsg-read'),
  open('> /dev/kmsg', 'kmsg-write'),
  open('< /dev/loop-control', 'loop-control-read'),
].join('; ');

describe('cgroup2 device program (root)', () => {
  const made: string[] = [];
  after(() => {
    for (const d of made.splice(0)) if (fs.existsSync(d)) fs.rmdirSync(d);
  });

  it('lets a process in the cgroup open only what the rules allow (EPERM otherwise); detached afterwards', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const mount = cgroup2Mount();
    assert.ok(mount, 'the host mounts cgroup2 (unified hierarchy)');
    const dir = path.join(mount, `bindery-devices-test-${process.pid}`);
    fs.mkdirSync(dir);
    made.push(dir);
    const rules = deviceExceptions({
      linux: {
        resources: {
          devices: [
            { allow: false, access: 'rwm' },
            { allow: true, type: 'c', major: 1, minor: 11, access: 'r' },
          ],
        },
      },
    });
    const sys = koffiSyscalls();
    const prog = attachDeviceProgram(sys, dir, rules);
    assert.ok(prog.ok, JSON.stringify(prog));
    const run = (inCgroup: boolean) =>
      spawnSync(
        '/bin/sh',
        ['-c', inCgroup ? `echo $$ > ${dir}/cgroup.procs && { ${PROBE}; }` : PROBE],
        {
          encoding: 'utf8',
        },
      )
        .stdout.trim()
        .split('\n');
    try {
      assert.deepEqual(
        run(false),
        ['null-read', 'kmsg-read', 'kmsg-write', 'loop-control-read'],
        'control: root outside the cgroup opens all',
      );
      assert.deepEqual(run(true), [
        'null-read',
        'kmsg-read',
        'Operation not permitted',
        'Operation not permitted',
      ]);
    } finally {
      const fd = fs.openSync(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
      const detached = sys.bpfDeviceProgram(false, fd, prog.value);
      fs.closeSync(fd);
      sys.close(prog.value);
      assert.ok(detached.ok, JSON.stringify(detached));
    }
    assert.deepEqual(
      run(true).slice(2),
      ['kmsg-write', 'loop-control-read'],
      'detached: nothing is filtered any more',
    );
    fs.rmdirSync(dir);
    made.pop();
  });

  it("is what the launcher's cgroup step attaches on a cgroup2 layout, with the process in it; teardown removes both", async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const mount = cgroup2Mount()!;
    const cgPath = `/bindery-devices-launch-${process.pid}`;
    // The plan's step as a pure cgroup2 host gets it (this one is hybrid: its unified part).
    const op = {
      op: 'cgroup' as const,
      hierarchies: [{ mount, name: '', path: cgPath, v2: true }],
      writes: [],
      devices: {
        ...deviceExceptions({}),
        origin: { kind: 'added' as const, reason: 'test' },
      },
      origin: { kind: 'added' as const, reason: 'test' },
    };
    // The "init": waits until it is in its cgroup, then probes.
    const child = spawn('/bin/sh', ['-c', `read go; { ${PROBE}; }`], {
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    let out = '';
    child.stdout.on('data', (b: Buffer) => (out += b.toString()));
    const exited = new Promise((resolve) => child.once('exit', resolve));
    const result = createCgroups(op, child.pid!, koffiSyscalls());
    made.push(...result.made);
    assert.ok(result.ok, JSON.stringify(result));
    assert.equal(
      fs.readFileSync(path.join(mount, cgPath, 'cgroup.procs'), 'utf8').trim(),
      String(child.pid),
    );
    child.stdin.end('go\n');
    await exited;
    // runc's defaults: null, not kmsg, not loop-control.
    assert.deepEqual(out.trim().split('\n'), [
      'null-read',
      'Operation not permitted',
      'Operation not permitted',
      'Operation not permitted',
    ]);
    assert.deepEqual(
      await removeCgroups(result.made),
      [],
      'the cgroup (and with it the program) is gone',
    );
    assert.equal(fs.existsSync(path.join(mount, cgPath)), false);
    made.splice(0);
  });
});
