// One hook run (runtime/hooks.ts), by the launcher's runner and by the init's, which must
// agree: the state on stdin as runc writes it, argv with its own argv[0], exactly the env
// given (or the runtime's), SIGKILL past the timeout, runc's words for a failure, output
// kept to a bounded tail. No root needed: the hooks here are /bin/sh scripts.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import type { HookOp, Plan } from '@bindery/plan';
import { HOOK_OUTPUT_SHOWN } from '../../src/protocol';
import {
  answerHookRequest,
  hookState,
  runHook,
  runHookSync,
  runRuntimeHooks,
} from '../../src/runtime/hooks';

const origin = { kind: 'added', reason: 'test' } as const;
function hook(script: string, more: Partial<HookOp> = {}): HookOp {
  return {
    op: 'hook',
    kind: 'createRuntime',
    index: 0,
    path: '/bin/sh',
    args: ['hook-name', '-c', script, 'arg0-of-script', 'one'],
    env: ['ONLY=this'],
    runsIn: 'runtime',
    fatal: true,
    origin,
    ...more,
  };
}
const subject = { id: 'c1', bundle: '/bundles/c1', annotations: { 'z.last': '1', 'a.first': '2' } };
const state = hookState(subject, 'creating', 4242);
const place = { env: ['FROM=runtime'] };
const runners = [
  ['the launcher’s runner', runHook],
  ['the init’s runner', async (...a: Parameters<typeof runHookSync>) => runHookSync(...a)],
] as const;

describe('hook state (runc’s specs.State)', () => {
  it('fields in runc’s order, annotation keys sorted as Go writes a map, pid and annotations left out when unset', () => {
    assert.equal(
      JSON.stringify(state),
      '{"ociVersion":"1.1.0","id":"c1","status":"creating","pid":4242,"bundle":"/bundles/c1","annotations":{"a.first":"2","z.last":"1"}}',
    );
    assert.equal(
      JSON.stringify(hookState({ id: 'c1', bundle: '/b' }, 'stopped')),
      '{"ociVersion":"1.1.0","id":"c1","status":"stopped","bundle":"/b"}',
    );
  });
});

for (const [name, run] of runners) {
  describe(`one hook, ${name}`, () => {
    it('gets the state on stdin, its argv with argv[0] as written, exactly its env, and the cwd given', async () => {
      const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-hook-'));
      try {
        const r = await run(
          hook('printf "%s|%s|%s|%s|%s|" "$0" "$1" "$(cat)" "$(env | grep -v ^PWD= | sort | tr "\\n" " ")" "$(pwd)"; echo err >&2'),
          state,
          { ...place, cwd },
        );
        assert.equal(r.ok, true, r.message);
        assert.equal(
          r.stdout,
          `arg0-of-script|one|${JSON.stringify(state)}|ONLY=this SHLVL=1 |${cwd}|`.replace('SHLVL=1 ', r.stdout.includes('SHLVL') ? 'SHLVL=1 ' : ''),
        );
        assert.equal(r.stderr, 'err\n');
        assert.equal(r.exitCode, 0);
      } finally {
        fs.rmSync(cwd, { recursive: true, force: true });
      }
    });

    it('without an env of its own, the runtime’s', async () => {
      const r = await run(hook('echo "$FROM/$ONLY"', { env: undefined }), state, place);
      assert.equal(r.stdout, 'runtime/\n');
    });

    it('argv is [path] when args is empty (Go’s exec.Cmd)', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-hook-'));
      const file = path.join(dir, 'h');
      fs.writeFileSync(file, '#!/bin/sh\necho "$0"\n', { mode: 0o755 });
      try {
        const r = await run(hook('', { path: file, args: [] }), state, place);
        assert.equal(r.stdout, `${file}\n`);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });

    it('a non-zero exit fails, in runc’s words with what the hook printed', async () => {
      const r = await run(hook('echo out; echo bad >&2; exit 3', { index: 2 }), state, place);
      assert.equal(r.ok, false);
      assert.equal(r.exitCode, 3);
      assert.equal(r.message, 'error running createRuntime hook #2: exit status 3, stdout: out\n, stderr: bad\n');
    });

    it('is killed past its timeout, and says so as runc does', async () => {
      const started = Date.now();
      const r = await run(hook('sleep 20', { timeoutSeconds: 1 }), state, place);
      assert.equal(r.ok, false);
      assert.equal(r.timedOut, true);
      assert.equal(r.signal, 'SIGKILL');
      assert.match(r.message, /hook ran past specified timeout of 1\.0s$/);
      assert.ok(Date.now() - started < 15_000, 'did not wait for the sleep');
    });

    it('a program that does not exist: Go’s fork/exec words', async () => {
      const r = await run(hook('', { path: '/nonexistent/hook', args: [] }), state, place);
      assert.equal(r.ok, false);
      assert.match(r.message, /error running createRuntime hook #0: fork\/exec \/nonexistent\/hook: no such file or directory/);
    });

    it('keeps only the end of a long output, and counts the rest', async () => {
      const r = await run(hook('head -c 100000 /dev/zero | tr "\\0" x; echo END'), state, place);
      assert.equal(r.ok, true, r.message);
      assert.ok(Buffer.byteLength(r.stdout) <= HOOK_OUTPUT_SHOWN);
      assert.ok(r.stdout.endsWith('xEND\n'));
      assert.equal((r.truncated ?? 0) + Buffer.byteLength(r.stdout), 100004);
    });
  });
}

describe('the launcher’s hooks of one kind', () => {
  const plan = (ops: HookOp[]): Plan => ({ mounts: [], operations: ops, findings: [] });

  it('a fatal kind stops at the first failure; poststart and poststop run every hook', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-hooks-'));
    const log = path.join(dir, 'log');
    const mark = (n: number, code: number, kind: HookOp['kind']) =>
      hook(`echo ${n} >> ${log}; exit ${code}`, { index: n, kind, fatal: kind !== 'poststop' });
    try {
      const runs: string[] = [];
      const fatal = await runRuntimeHooks(plan([mark(0, 1, 'prestart'), mark(1, 0, 'prestart')]), 'prestart', 0, state, place, (r) => runs.push(`${r.index}:${r.ok}`));
      assert.equal(fatal?.index, 0);
      assert.deepEqual(runs, ['0:false']);
      const after = await runRuntimeHooks(plan([mark(2, 1, 'poststop'), mark(3, 0, 'poststop')]), 'poststop', 0, state, place, (r) => runs.push(`${r.index}:${r.ok}`));
      assert.equal(after?.index, 2, 'the failure is returned, for the warning');
      assert.deepEqual(runs, ['0:false', '2:false', '3:true']);
      assert.equal(fs.readFileSync(log, 'utf8'), '0\n2\n3\n');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('runs nothing for a container whose owner is not root', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-hooks-'));
    const marker = path.join(dir, 'ran');
    try {
      const op = hook(`touch ${marker}`, { kind: 'poststop', fatal: false });
      const failed = await runRuntimeHooks(plan([op]), 'poststop', 1000, state, place, () => {});
      assert.match(failed?.message ?? '', /not run: hooks run as root/);
      const req = hook(`touch ${marker}`);
      const reply = await answerHookRequest(plan([req]), 0, 1000, subject, 1, () => {});
      assert.equal(reply.ok, false);
      assert.equal(fs.existsSync(marker), false, 'the hook never ran');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('answers an init only about a prestart or createRuntime hook of the plan, run in the bundle', async () => {
    const bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-bundle-'));
    try {
      const here = { ...subject, bundle };
      const p = plan([hook('exit 0', { kind: 'poststart', fatal: false }), hook('test "$(pwd)" = ' + bundle)]);
      assert.equal((await answerHookRequest(p, 0, 0, here, 1, () => {})).ok, false);
      assert.equal((await answerHookRequest(p, 7, 0, here, 1, () => {})).ok, false);
      const reply = await answerHookRequest(p, 1, 0, here, 1, () => {});
      assert.equal(reply.ok, true, reply.message);
      const gone = await answerHookRequest(p, 1, 0, { ...subject, bundle: '/nonexistent/bundle' }, 1, () => {});
      assert.match(gone.message, /chdir \/nonexistent\/bundle: no such file or directory/);
    } finally {
      fs.rmSync(bundle, { recursive: true, force: true });
    }
  });
});

describe('a hook that does not read its stdin', () => {
  for (const [name, run] of runners)
    it(`${name}: the broken pipe is not a failure (Go skips EPIPE on stdin)`, async () => {
      const big = hookState({ ...subject, annotations: { big: 'x'.repeat(200_000) } }, 'created', 1);
      const r = await run(hook('exit 0'), big, place);
      assert.equal(r.ok, true, r.message);
    });
});
