// The server may use the plan package (with its host view), never the helper's syscall layer,
// runtime or daemon (the privileged code stays out of the editor's process).
import assert from 'node:assert/strict';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import * as esbuild from 'esbuild';

describe('what the server bundle pulls in', () => {
  it('from the helper: only the plan package; no koffi', async () => {
    const result = await esbuild.build({
      entryPoints: [path.join(__dirname, '..', 'src', 'server.ts')],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      mainFields: ['module', 'main'],
      write: false,
      metafile: true,
      outfile: 'server.js',
      logLevel: 'silent',
    });
    const inputs = Object.keys(result.metafile.inputs);
    const helper = inputs.filter((i) => /(^|\/)helper\//.test(i));
    assert.ok(
      helper.some((i) => i.endsWith('helper/plan/src/planBundle.ts')),
      'the plan is bundled',
    );
    const outside = helper.filter((i) => !/helper\/plan\/src\//.test(i));
    assert.deepEqual(outside, []);
    assert.deepEqual(
      inputs.filter((i) => i.includes('koffi')),
      [],
    );
  });
});
