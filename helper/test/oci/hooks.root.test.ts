// Hooks through the runtime's command line, the calls engines make: `create` runs prestart,
// createRuntime and createContainer; `start` lets startContainer run in the container and
// runs poststart; `delete` runs poststop. A failing hook of the first four stops the
// container (runc's behaviour, checked against runc); a failing poststart or poststop is a
// warning and the lifecycle goes on (the runtime-spec's; runc 1.1 kills the container on a
// failing poststart, see the runtime README).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { cleanupTemp, makeBundle, needsRoot, tempDir } from '../runtime/rootHarness';
import { assertBuilt, BINDERY, cleanRoot, runtime, stateOf, waitStatus } from './ociHarness';

type Tool = 'bindery' | 'runc';
const roots: [Tool, string][] = [];

function rootFor(tool: Tool): string {
  const root = path.join(tempDir(`${tool}-hooks-root`), 'state');
  roots.push([tool, root]);
  return root;
}

/** A bundle whose hooks append their kind (and the status they were told) to `log`. */
function hookedBundle(args: string[], hooks: Record<string, unknown[]> = {}): { bundle: string; log: string } {
  const bundle = makeBundle({ args });
  const log = path.join(bundle, 'hooks.log');
  fs.writeFileSync(log, '', { mode: 0o666 });
  const sh = path.join(bundle, 'rootfs', 'bin', 'sh');
  const logging = (kind: string, where = log, shell = sh) => ({
    path: shell,
    args: ['sh', '-c', `s=$(cat); s=\${s#*\\"status\\":\\"}; echo "${kind} \${s%%\\"*}" >> ${where}`],
  });
  const spec = JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
  spec.hooks = {
    prestart: [logging('prestart')],
    createRuntime: [logging('createRuntime')],
    createContainer: [logging('createContainer')],
    // In the container, after pivot_root: the log is bound at /hooks.log.
    startContainer: [logging('startContainer', '/hooks.log', '/bin/sh')],
    poststart: [logging('poststart')],
    poststop: [logging('poststop')],
    ...hooks,
  };
  spec.mounts.push({ destination: '/hooks.log', type: 'bind', source: log, options: ['bind', 'rw'] });
  fs.writeFileSync(path.join(bundle, 'rootfs', 'hooks.log'), '');
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(spec, null, 2));
  return { bundle, log };
}

/** `create` with a file as its stdout and stderr, which the container's process inherits (as from conmon). */
function create(tool: Tool, root: string, bundle: string, id: string, out: string) {
  const o = fs.openSync(out, 'w');
  const r = spawnSync(tool === 'runc' ? 'runc' : BINDERY, ['--root', root, 'create', '--bundle', bundle, id], {
    stdio: ['ignore', o, o],
    timeout: 60_000,
  });
  fs.closeSync(o);
  return { status: r.status, stderr: fs.readFileSync(out, 'utf8') };
}

const lines = (file: string) => fs.readFileSync(file, 'utf8').split('\n').filter(Boolean);

describe('hooks through the runtime command line (root)', () => {
  before(() => {
    if (process.getuid?.() === 0) assertBuilt();
  });
  after(() => {
    for (const [tool, root] of roots) cleanRoot(tool, root);
    cleanupTemp();
  });

  it('create runs prestart, createRuntime, createContainer; start startContainer and poststart; delete poststop', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const root = rootFor('bindery');
    const { bundle, log } = hookedBundle(['/bin/sh', '-c', 'echo process >> /hooks.log']);
    const out = path.join(path.dirname(root), 'out');
    const c = create('bindery', root, bundle, 'h1', out);
    assert.equal(c.status, 0, c.stderr);
    assert.deepEqual(lines(log), ['prestart creating', 'createRuntime creating', 'createContainer creating']);
    const s = runtime('bindery', root, ['start', 'h1']);
    assert.equal(s.status, 0, s.stderr);
    await waitStatus('bindery', root, 'h1', 'stopped');
    assert.equal(lines(log)[3], 'startContainer created');
    // poststart runs once the process was executed, beside it: those two lines come in either order.
    assert.deepEqual(lines(log).slice(4).sort(), ['poststart running', 'process']);
    const d = runtime('bindery', root, ['delete', 'h1']);
    assert.equal(d.status, 0, d.stderr);
    assert.equal(lines(log).at(-1), 'poststop stopped');
    assert.equal(stateOf('bindery', root, 'h1'), undefined);
  });

  it('runc 1.1 runs poststart inside create instead (the documented difference holds)', (t: TestContext) => {
    if (!needsRoot(t)) return;
    const root = rootFor('runc');
    const { bundle, log } = hookedBundle(['/bin/true']);
    const c = create('runc', root, bundle, 'r1', path.join(path.dirname(root), 'out'));
    assert.equal(c.status, 0, c.stderr);
    assert.deepEqual(lines(log), ['prestart creating', 'createRuntime creating', 'createContainer creating', 'poststart created']);
    runtime('runc', root, ['delete', '--force', 'r1']);
  });

  it('a failing startContainer hook: start returns, the process never runs, as with runc', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const seen: Record<string, unknown> = {};
    for (const tool of ['runc', 'bindery'] as const) {
      const root = rootFor(tool);
      const { bundle, log } = hookedBundle(['/bin/sh', '-c', 'echo process >> /hooks.log'], {
        startContainer: [{ path: '/bin/false' }],
        poststart: [],
      });
      const out = path.join(path.dirname(root), 'out');
      assert.equal(create(tool, root, bundle, 's1', out).status, 0, tool);
      const start = runtime(tool, root, ['start', 's1']);
      await waitStatus(tool, root, 's1', 'stopped');
      runtime(tool, root, ['delete', 's1']);
      seen[tool] = { start: start.status, log: lines(log), output: fs.readFileSync(out, 'utf8') === '' ? 'none' : 'some' };
    }
    assert.deepEqual(seen.bindery, seen.runc);
  });

  it('a failing poststart or poststop hook is a warning: the process runs, delete succeeds, and the next hook still runs', async (t: TestContext) => {
    if (!needsRoot(t)) return;
    const root = rootFor('bindery');
    const failing = { path: '/bin/sh', args: ['sh', '-c', 'echo nope >&2; exit 4'] };
    const { bundle, log } = hookedBundle(['/bin/sh', '-c', 'echo process >> /hooks.log'], {
      poststart: [failing, { path: '/bin/sh', args: ['sh', '-c', `echo poststart-2 >> ${'LOG'}`] }],
      poststop: [failing],
    });
    const spec = fs.readFileSync(path.join(bundle, 'config.json'), 'utf8').replace('>> LOG', `>> ${log}`);
    fs.writeFileSync(path.join(bundle, 'config.json'), spec);
    assert.equal(create('bindery', root, bundle, 'w1', path.join(path.dirname(root), 'out')).status, 0);
    const s = runtime('bindery', root, ['start', 'w1']);
    assert.equal(s.status, 0, 'start succeeds');
    assert.match(s.stderr, /error running poststart hook #0: exit status 4, stdout: , stderr: nope/);
    await waitStatus('bindery', root, 'w1', 'stopped');
    assert.ok(lines(log).includes('process'), 'the process ran');
    assert.ok(lines(log).includes('poststart-2'), 'the next poststart hook ran');
    const d = runtime('bindery', root, ['delete', 'w1']);
    assert.equal(d.status, 0, 'delete succeeds');
    assert.match(d.stderr, /error running poststop hook #0: exit status 4/);
    assert.equal(stateOf('bindery', root, 'w1'), undefined, 'and the container is gone');
  });
});
