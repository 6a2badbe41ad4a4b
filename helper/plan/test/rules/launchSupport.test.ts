// What Bindery refuses to launch (errors in the spec; warnings marked `blocksLaunch` for
// what runc runs and Bindery cannot yet), what it runs differently (a terminal) and what it
// does not apply (warnings), as the editor shows them; and that the plan carries the launch
// settings exactly when the helper would launch it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planBundle } from '../../src/planBundle';
import { launchRefusals } from '../../src/refusals';
import type { HostView } from '../../src/types';
import { BUNDLE, applyFix, check, rangeOf, spec, usualHost } from './harness';

const errorsOf = (text: string, host?: HostView) =>
  check(text, host)
    .findings.filter((f) => f.severity === 'error')
    .map((f) => f.code);
const blockersOf = (text: string) =>
  check(text)
    .findings.filter((f) => f.blocksLaunch)
    .map((f) => f.code);

describe('launch settings Bindery refuses', () => {
  it('the base spec has none, and its plan carries the launch settings', () => {
    const text = spec();
    assert.deepEqual(errorsOf(text), []);
    const plan = planBundle({ text, bundleDir: BUNDLE, host: usualHost() });
    assert.deepEqual(plan.launch?.process.args, ['sh']);
    assert.equal(plan.launch?.hostname, 'box');
    assert.equal(plan.launch?.namespaces.newPid, true);
  });

  it('terminal: true, no finding: it is a console operation after pivot_root, sized by consoleSize', () => {
    const text = spec((s) => {
      s.process.terminal = true;
      s.process.consoleSize = { height: 30, width: 100 };
    });
    assert.deepEqual(check(text).findings.filter((f) => f.path[0] === 'process'), []);
    const plan = planBundle({ text, bundleDir: BUNDLE, host: usualHost() });
    assert.deepEqual(plan.launch?.process.args, ['sh']);
    const ops = plan.operations.map((o) => o.op);
    const at = ops.indexOf('console');
    assert.ok(at > ops.indexOf('pivot-root'), 'after pivot_root');
    const op = plan.operations[at];
    assert.ok(op.op === 'console');
    assert.deepEqual(op.size, { rows: 30, cols: 100 });
    assert.equal(op.path, '/dev/console');
    assert.deepEqual(op.origin.kind === 'spec' && op.origin.path, ['process', 'terminal']);
    // runc ignores a size with a zero in it; so does the plan. No terminal, no console.
    const zero = planBundle({
      text: spec((s) => {
        s.process.terminal = true;
        s.process.consoleSize = { height: 0, width: 100 };
      }),
      bundleDir: BUNDLE,
      host: usualHost(),
    }).operations.find((o) => o.op === 'console');
    assert.ok(zero && zero.op === 'console' && zero.size === undefined);
    const none = planBundle({ text: spec((s) => (s.process.terminal = false)), bundleDir: BUNDLE, host: usualHost() });
    assert.equal(none.operations.some((o) => o.op === 'console'), false);
  });

  it('no process: a warning on the opening brace that blocks the launch (the spec is valid)', () => {
    const text = spec((s) => delete s.process);
    const f = check(text).one('process-missing');
    assert.equal(f.severity, 'warning');
    assert.equal(f.blocksLaunch, true);
    assert.deepEqual(errorsOf(text), []);
    assert.deepEqual(f.range, { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } });
    assert.equal(planBundle({ text, bundleDir: BUNDLE, host: usualHost() }).launch, undefined);
  });

  it('an empty program name, on args[0]', () => {
    const text = spec((s) => (s.process.args = ['', 'x']));
    const f = check(text).one('program-empty');
    assert.deepEqual(f.range, rangeOf(text, '""'));
    assert.deepEqual(f.path, ['process', 'args', 0]);
  });

  it('an env entry without "=", on that entry; NAME= is fine', () => {
    const text = spec((s) => (s.process.env = ['PATH=/bin', 'TERM']));
    const f = check(text).one('env-not-name-value');
    assert.deepEqual(f.range, rangeOf(text, '"TERM"'));
    assert.match(f.message, /process\.env\[1\] "TERM" has no "="/);
    assert.deepEqual(errorsOf(spec((s) => (s.process.env = ['EMPTY=']))), []);
  });

  it('a NUL byte in args, env or cwd', () => {
    const text = spec((s) => (s.process.args = ['sh', 'a\0b']));
    const f = check(text).one('nul-byte');
    assert.deepEqual(f.path, ['process', 'args', 1]);
    assert.deepEqual(f.range, rangeOf(text, '"a\\u0000b"'));
    assert.equal(
      check(spec((s) => (s.process.cwd = '/x\0')))
        .one('nul-byte')
        .path.join('.'),
      'process.cwd',
    );
  });

  it('a umask above 0777, on the value; 0777 itself is fine', () => {
    const text = spec((s) => (s.process.user.umask = 1000));
    const f = check(text).one('umask-out-of-range');
    assert.deepEqual(f.range, rangeOf(text, '1000'));
    assert.deepEqual(errorsOf(spec((s) => (s.process.user.umask = 511))), []);
  });

  it("an unknown rlimit of the RLIMIT_ form, with a fix; other forms stay the schema's", () => {
    const text = spec((s) => (s.process.rlimits = [{ type: 'RLIMIT_NOFLIE', soft: 1, hard: 2 }]));
    const c = check(text);
    const f = c.one('unknown-rlimit');
    assert.deepEqual(f.range, rangeOf(text, '"RLIMIT_NOFLIE"'));
    assert.equal(JSON.parse(applyFix(c, f)).process.rlimits[0].type, 'RLIMIT_NOFILE');
    // Not RLIMIT_ followed by capitals: the structure rule reports it, once.
    assert.deepEqual(
      errorsOf(spec((s) => (s.process.rlimits = [{ type: 'nofile', soft: 1, hard: 2 }]))),
      ['invalid-format'],
    );
  });

  it('the same rlimit type twice, on the second type, with a fix removing it', () => {
    const text = spec(
      (s) =>
        (s.process.rlimits = [
          { type: 'RLIMIT_NOFILE', soft: 1, hard: 2 },
          { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
          { type: 'RLIMIT_NOFILE', soft: 3, hard: 4 },
        ]),
    );
    const c = check(text);
    const f = c.one('duplicate-rlimit');
    assert.equal(f.severity, 'error');
    assert.deepEqual(f.range, rangeOf(text, '"RLIMIT_NOFILE"', 1));
    assert.match(f.message, /already set by process\.rlimits\[0\].*MUST/);
    assert.deepEqual(
      JSON.parse(applyFix(c, f)).process.rlimits.map((r: { type: string }) => r.type),
      ['RLIMIT_NOFILE', 'RLIMIT_CORE'],
    );
  });

  it('soft above hard, on soft; equal is fine', () => {
    const text = spec((s) => (s.process.rlimits = [{ type: 'RLIMIT_CORE', soft: 9, hard: 3 }]));
    const f = check(text).one('rlimit-soft-above-hard');
    assert.deepEqual(f.range, rangeOf(text, '9'));
    assert.deepEqual(
      errorsOf(spec((s) => (s.process.rlimits = [{ type: 'RLIMIT_CORE', soft: 3, hard: 3 }]))),
      [],
    );
  });

  it('an unknown capability: a warning on the name, with a fix to the nearest; skipped, as runc does', () => {
    const text = spec(
      (s) => (s.process.capabilities = { bounding: ['CAP_KILL', 'CAP_NET_BIND_SERVCE'] }),
    );
    const c = check(text);
    const f = c.one('unknown-capability');
    assert.equal(f.severity, 'warning');
    assert.equal(f.blocksLaunch, undefined);
    // The launch goes on with the capabilities Bindery knows (CAP_KILL is 5).
    const plan = planBundle({ text, bundleDir: BUNDLE, host: usualHost() });
    assert.deepEqual(plan.launch?.process.capabilities?.bounding, [5]);
    assert.deepEqual(f.path, ['process', 'capabilities', 'bounding', 1]);
    assert.deepEqual(f.range, rangeOf(text, '"CAP_NET_BIND_SERVCE"'));
    const fixed = applyFix(c, f);
    assert.deepEqual(JSON.parse(fixed).process.capabilities.bounding, [
      'CAP_KILL',
      'CAP_NET_BIND_SERVICE',
    ]);
    assert.deepEqual(errorsOf(fixed), []);
  });

  it('user and time namespaces, and joining any namespace by path, do not block a launch', () => {
    const user = spec((s) => {
      s.linux.namespaces.push({ type: 'user' }, { type: 'time' });
      s.linux.uidMappings = s.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      s.linux.timeOffsets = { monotonic: { secs: 10, nanosecs: 0 } };
    });
    assert.deepEqual(errorsOf(user), []);
    assert.deepEqual(blockersOf(user), []);
    const joined = spec((s) => {
      s.linux.namespaces[0].path = '/proc/1/ns/pid';
      s.linux.namespaces[1].path = '/run/netns/blue';
      s.linux.namespaces[4].path = '/proc/1/ns/mnt';
    });
    assert.deepEqual(errorsOf(joined), []);
    assert.deepEqual(blockersOf(joined), []);
    const plan = planBundle({ text: joined, bundleDir: BUNDLE, host: usualHost() });
    assert.deepEqual(
      plan.launch?.namespaces.join.map((j) => j.path),
      ['/run/netns/blue', '/proc/1/ns/mnt'],
    );
    assert.equal(plan.launch?.namespaces.pidPath, '/proc/1/ns/pid');
    assert.equal(plan.launch?.namespaces.newNetwork, false);
    // As runc, the rootfs is set up in a joined mount namespace too.
    assert.equal(plan.launch?.namespaces.joinedMount, true);
    assert.ok(plan.operations.some((o) => o.op === 'pivot-root'));
  });

  it('no mount namespace launches (as runc 1.1, in the host\'s); its rootfsPropagation is not applied to the host', () => {
    const text = spec((s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: { type: string }) => !['mount', 'uts'].includes(n.type));
      s.linux.maskedPaths = s.linux.readonlyPaths = undefined;
      s.hostname = undefined;
      s.linux.rootfsPropagation = 'rshared';
    });
    assert.deepEqual(errorsOf(text), []);
    assert.deepEqual(blockersOf(text), []);
    const warned = check(text).byCode('feature-not-applied');
    assert.deepEqual(warned.map((f) => f.path.join('.')), ['linux.rootfsPropagation']);
    assert.match(warned[0].message, /runc 1\.1 would make the host's \/ "rshared"/);
    const withMount = spec((s) => (s.linux.rootfsPropagation = 'rshared'));
    assert.deepEqual(check(withMount).byCode('feature-not-applied'), []);
  });

  it('a user namespace without maps blocks the launch, as runc refuses it', () => {
    const text = spec((s) => s.linux.namespaces.push({ type: 'user' }));
    assert.deepEqual(blockersOf(text), ['userns-without-mappings']);
  });

  it('what the schema already reports is not reported again', () => {
    assert.deepEqual(errorsOf(spec((s) => (s.process.args = []))), ['array-too-short']);
    assert.deepEqual(errorsOf(spec((s) => (s.process.cwd = 'tmp'))), ['path-not-absolute']);
    assert.deepEqual(errorsOf(spec((s) => (s.process.user.uid = -1))), ['value-out-of-range']);
  });

  it('the plan has launch settings exactly when the helper would launch it', () => {
    const variants = [
      spec(),
      spec((s) => (s.process.terminal = true)),
      spec((s) => (s.process.args = [])),
      spec((s) => (s.process.env = 'PATH=/bin')),
      spec((s) => (s.process.capabilities = { bounding: 'CAP_KILL' })),
      spec((s) => (s.process.rlimits = [{ type: 'RLIMIT_NOFILE', soft: '1', hard: 2 }])),
      spec((s) => (s.linux.namespaces = [{ type: 'pid' }, { type: 'uts', path: 'rel' }])),
      spec((s) => (s.linux = [])),
      spec((s) => (s.process.user = 5)),
      spec((s) => (s.mounts[0].type = 'sysfs')),
      spec((s) => delete s.process),
      spec((s) => s.linux.namespaces.push({ type: 'time' })),
    ];
    for (const text of variants) {
      const plan = planBundle({ text, bundleDir: BUNDLE, host: usualHost() });
      assert.equal(plan.launch === undefined, launchRefusals(plan).length > 0, text);
      assert.deepEqual(
        plan.findings.filter((f) => f.code === 'launch-settings-unreadable'),
        [],
      );
    }
  });
});

describe('seccomp', () => {
  it('is applied, so no feature-not-applied; SCMP_ACT_NOTIFY with a listener launches', () => {
    const text = spec((s) => {
      s.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ERRNO',
        listenerPath: '/run/agent.sock',
        syscalls: [
          { names: ['getcwd'], action: 'SCMP_ACT_ALLOW' },
          { names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' },
        ],
      };
    });
    const c = check(text);
    assert.deepEqual(c.byCode('feature-not-applied'), []);
    assert.deepEqual(errorsOf(text), []);
    assert.deepEqual(blockersOf(text), []);
  });

  it('refuses SCMP_ACT_NOTIFY where runc does (default action, write, no listenerPath) and on sendmsg', () => {
    const refused = (seccomp: unknown) =>
      check(spec((s) => (s.linux.seccomp = seccomp)))
        .byCode('seccomp-notify-refused')
        .map((f) => `${f.severity} ${f.path.join('.')}: ${f.message}`);
    const noListener = refused({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
    });
    assert.equal(noListener.length, 1);
    assert.match(noListener[0], /^error linux\.seccomp\.syscalls\.0\.action: .*"listenerPath is not set"/);
    const onWrite = refused({
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/run/agent.sock',
      syscalls: [{ names: ['mkdir', 'write', 'sendmsg'], action: 'SCMP_ACT_NOTIFY' }],
    });
    assert.equal(onWrite.length, 2);
    assert.match(onWrite[0], /^error linux\.seccomp\.syscalls\.0\.names\.1: .*cannot be used for write: runc refuses it too/);
    assert.match(onWrite[1], /^error linux\.seccomp\.syscalls\.0\.names\.2: .*cannot be used for sendmsg: Bindery's init sends/);
    const asDefault = refused({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/run/agent.sock' });
    assert.equal(asDefault.length, 1);
    assert.match(asDefault[0], /^error linux\.seccomp\.defaultAction: linux\.seccomp\.defaultAction: SCMP_ACT_NOTIFY cannot be the default action/);
    // A listenerPath without a notifying rule is harmless (runc sends nothing).
    assert.deepEqual(refused({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/x' }), []);
  });
});

describe('features Bindery does not apply', () => {
  const warningsOf = (text: string) => check(text).byCode('feature-not-applied');

  const cases: [string, (s: ReturnType<typeof JSON.parse>) => void, string, string, RegExp][] = [
    [
      'linux.personality.flags',
      (s) => (s.linux.personality = { domain: 'LINUX32', flags: ['X'] }),
      '"flags"',
      'flags',
      /domain only/,
    ],
    [
      'linux.intelRdt',
      (s) => (s.linux.intelRdt = { closID: 'x' }),
      '"intelRdt"',
      'intelRdt',
      /resctrl/,
    ],
    [
      'linux.memoryPolicy',
      (s) => (s.linux.memoryPolicy = { mode: 'MPOL_BIND' }),
      '"memoryPolicy"',
      'memoryPolicy',
      /set_mempolicy/,
    ],
    [
      'linux.netDevices',
      (s) => (s.linux.netDevices = { eth1: {} }),
      '"netDevices"',
      'netDevices',
      /1 host interface /,
    ],
  ];
  for (const [field, patch, key, last, message] of cases) {
    it(`${field}: a warning on the key, none when absent or empty`, () => {
      const text = spec(patch);
      const found = warningsOf(text);
      assert.equal(found.length, 1, JSON.stringify(found));
      assert.equal(found[0].severity, 'warning');
      assert.deepEqual(found[0].path, field.split('.'));
      assert.deepEqual(found[0].range, rangeOf(text, key));
      assert.ok(found[0].message.startsWith(`${field}: Bindery does not`), found[0].message);
      assert.match(found[0].message, message);
      assert.equal(found[0].path[found[0].path.length - 1], last);
      assert.deepEqual(errorsOf(text), []);
    });
  }

  it('process.scheduler, process.ioPriority, linux.personality, execCPUAffinity (on exec): applied, so no warning', () => {
    const text = spec((s) => {
      s.process.scheduler = { policy: 'SCHED_BATCH', nice: 3 };
      s.process.ioPriority = { class: 'IOPRIO_CLASS_IDLE', priority: 0 };
      s.linux.personality = { domain: 'LINUX32' };
      s.process.execCPUAffinity = { initial: '0', final: '0-1' };
    });
    assert.deepEqual(warningsOf(text), []);
    assert.deepEqual(errorsOf(text), []);
  });

  it('nothing for empty settings', () => {
    const text = spec((s) => {
      s.hooks = { prestart: [] };
      s.linux.sysctl = {};
      s.linux.resources = {};
      s.process.apparmorProfile = '';
    });
    assert.deepEqual(warningsOf(text), []);
  });
});
