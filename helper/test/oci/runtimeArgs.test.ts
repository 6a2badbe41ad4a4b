// The runtime command line as engines write it: which calls are runc's, and options that
// stop at the first positional (so `exec ID sh -c …` keeps `-c` for sh).
import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseRuntimeArgs, oneId } from '../../src/cli/oci/args';
import { isRuntimeCall } from '../../src/cli/oci/isRuntimeCall';
import { parseSignal } from '../../src/runtime/ociSignal';
import { RuntimeError } from '../../src/runtime/ociState';

const none = () => false;

describe('isRuntimeCall', () => {
  it('takes engine calls (global options first) and runc-only commands', () => {
    assert.equal(isRuntimeCall(['--root', '/run/x', '--log', 'l', 'create', 'id'], none), true);
    assert.equal(isRuntimeCall(['--log-format=json', 'start', 'id'], none), true);
    for (const c of ['create', 'start', 'state', 'kill', 'delete', 'exec', 'list', 'features'])
      assert.equal(isRuntimeCall([c, 'id'], none), true, c);
  });

  it("leaves Bindery's own commands alone", () => {
    assert.equal(isRuntimeCall(['validate', 'b'], none), false);
    assert.equal(isRuntimeCall(['--version'], none), false);
    assert.equal(isRuntimeCall(['toString'], none), false);
    assert.equal(isRuntimeCall(['--toString'], none), false);
    assert.equal(isRuntimeCall(['ps'], none), false);
    assert.equal(isRuntimeCall(['ps', '--json', '--socket', '/s'], none), false);
  });

  it('tells runc run/ps from bindery run BUNDLE / ps', () => {
    const exists = (p: string) => p === 'examples/hello';
    assert.equal(isRuntimeCall(['run', 'examples/hello'], exists), false);
    assert.equal(isRuntimeCall(['run', '--id', 'x', 'examples/hello'], exists), false);
    assert.equal(isRuntimeCall(['run', 'mycontainer'], exists), true);
    assert.equal(isRuntimeCall(['run', '-b', 'examples/hello', 'c1'], exists), true);
    assert.equal(isRuntimeCall(['run', '--bundle=examples/hello', 'c1'], exists), true);
    assert.equal(isRuntimeCall(['ps', 'c1'], none), true);
    assert.equal(isRuntimeCall(['ps', '--format', 'json', 'c1'], none), true);
  });
});

describe('parseRuntimeArgs', () => {
  const opts = { detach: { type: 'boolean', short: 'd' }, 'pid-file': { type: 'string' } } as const;

  it('stops at the first positional', () => {
    const r = parseRuntimeArgs(
      'exec',
      ['-d', '--pid-file', 'p', 'id', 'sh', '-c', 'echo -d'],
      opts,
    );
    assert.equal(r.values.detach, true);
    assert.equal(r.values['pid-file'], 'p');
    assert.deepEqual(r.positionals, ['id', 'sh', '-c', 'echo -d']);
  });

  it('takes --name=value and --', () => {
    const r = parseRuntimeArgs('exec', ['--pid-file=p', '--', '-id'], opts);
    assert.equal(r.values['pid-file'], 'p');
    assert.deepEqual(r.positionals, ['-id']);
  });

  it('refuses unknown options with the command named', () => {
    assert.throws(
      () => parseRuntimeArgs('kill', ['--bogus', 'id'], opts),
      (e: unknown) => {
        assert.ok(e instanceof RuntimeError);
        assert.match(e.message, /^kill: .*--bogus/);
        return true;
      },
    );
    assert.throws(() => oneId('state', []), /"state" requires a container id/);
  });
});

describe('parseSignal', () => {
  it('reads names with or without SIG, and numbers', () => {
    assert.equal(parseSignal('KILL'), 9);
    assert.equal(parseSignal('SIGTERM'), 15);
    assert.equal(parseSignal('usr1'), 10);
    assert.equal(parseSignal('9'), 9);
    assert.equal(parseSignal('0'), undefined);
    assert.equal(parseSignal('NOPE'), undefined);
  });
});
