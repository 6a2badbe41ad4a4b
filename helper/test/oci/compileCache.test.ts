// The CLI's V8 code cache (bin/compileCache.js): the build's cache is accepted, and a cache
// is never handed to another bundle — not even one of the same length, which V8 alone would
// accept and run stale code for.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { assertBuilt, HELPER } from './ociHarness';

// eslint-disable-next-line @typescript-eslint/no-require-imports -- the plain CommonJS launcher under test
const { loadBundle, cacheFileOf } = require('../../bin/compileCache.js') as {
  loadBundle(file: string): {
    exports: { main: unknown };
    script: { cachedDataRejected?: boolean };
  };
  cacheFileOf(file: string): string;
};

describe('bin/compileCache.js', () => {
  const built = path.join(HELPER, 'dist', 'cli.js');

  it('loads the built CLI with the cache the build wrote', () => {
    assertBuilt();
    const { exports, script } = loadBundle(built);
    assert.equal(typeof exports.main, 'function');
    assert.equal(script.cachedDataRejected, false, 'V8 took the cache');
  });

  it('does not hand the cache to a changed bundle of the same length', () => {
    assertBuilt();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-cache-'));
    try {
      const copy = path.join(dir, 'cli.js');
      const source = fs.readFileSync(built, 'utf8');
      // Same length, other text: the shebang line (loaded as a comment) changed.
      const changed = source.replace('#!/usr/bin/env node', '#!/usr/bin/env nodf');
      assert.equal(changed.length, source.length);
      fs.writeFileSync(copy, changed);
      fs.copyFileSync(cacheFileOf(built), cacheFileOf(copy));
      // A copy outside dist/ must still find koffi: give it the helper's node_modules.
      fs.symlinkSync(path.join(HELPER, '..', 'node_modules'), path.join(dir, 'node_modules'));
      const { script } = loadBundle(copy);
      assert.equal(script.cachedDataRejected, undefined, 'no cache was given to V8');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
