// Loads a bundle with a V8 code cache beside it (FILE.v8cache), so a process does not parse
// and compile its JavaScript again: the CLI (dist/cli.js, through bin/bindery.js; engines
// call the runtime 3–5 times per container) and every container init (dist/init-main.js,
// through dist/init.js, src/runtime/initLoader.ts). Node 20 has no
// module.enableCompileCache (22 does), so this is the same idea through vm.Script's cachedData.
//
// The cache is written by the build (`node bin/compileCache.js --write FILE`), after running
// what the program runs first, so that the functions it needs are compiled and cached too.
// It starts with the size and modification time of the bundle it was made from: V8 itself
// only compares the source's length, so a rebuilt bundle of the same length would otherwise
// run stale code (a hash would load node:crypto in every init, a sizeable part of its start).
// A cache for another bundle, or one V8 rejects (another Node, other flags), is ignored and
// the bundle is compiled as usual.
/* eslint-disable @typescript-eslint/no-require-imports -- plain CommonJS, not compiled */
'use strict';
const fs = require('node:fs');
const Module = require('node:module');
const path = require('node:path');
const vm = require('node:vm');

function cacheFileOf(file) {
  return `${file}.v8cache`;
}

const HEADER_BYTES = 16;

/** What a cache is for: the bundle's size and modification time. */
function headerOf(file) {
  const st = fs.statSync(file);
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeDoubleLE(st.size, 0);
  h.writeDoubleLE(st.mtimeMs, 8);
  return h;
}

/** The bundle's exports, compiled with the code cache when there is a usable one. */
function loadBundle(file, { useCache = true } = {}) {
  const source = fs.readFileSync(file, 'utf8');
  let cachedData;
  if (useCache) {
    try {
      const cache = fs.readFileSync(cacheFileOf(file));
      if (cache.subarray(0, HEADER_BYTES).equals(headerOf(file)))
        cachedData = cache.subarray(HEADER_BYTES);
    } catch {
      cachedData = undefined; // not built with a cache: compile as usual
    }
  }
  // The shebang line stays as a comment so line numbers in stack traces still match.
  const wrapped = Module.wrap(source.replace(/^#!/, '//'));
  const script = new vm.Script(wrapped, { filename: file, cachedData });
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  const fn = script.runInThisContext();
  fn.call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, script };
}

module.exports = { loadBundle, cacheFileOf };

/**
 * Build step: run what the bundle runs first, then save what V8 compiled. A bundle that
 * exports prepare() (the container init: its warm-up) runs that; the CLI, the calls that
 * engines and people make.
 */
async function writeCache(file) {
  const { exports, script } = loadBundle(file, { useCache: false });
  if (typeof exports.prepare === 'function') exports.prepare();
  else await runCliCalls(exports);
  fs.writeFileSync(cacheFileOf(file), Buffer.concat([headerOf(file), script.createCachedData()]));
}

async function runCliCalls(cli) {
  const os = require('node:os');
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-cache-'));
  const quiet = { out: () => {}, err: () => {} };
  const example = path.join(__dirname, '..', '..', 'examples', 'hello');
  try {
    const calls = [
      ['--version'],
      ['--root', tmp, '--log', path.join(tmp, 'log'), '--log-format', 'json', 'state', 'none'],
      ['--root', tmp, 'list'],
      ['--root', tmp, 'kill', 'none', 'KILL'],
      ['--root', tmp, 'delete', '--force', 'none'],
      ['features'],
      ...(fs.existsSync(example) ? [['validate', example]] : []),
    ];
    for (const argv of calls) await cli.main(argv, quiet);
  } finally {
    fs.rmSync(tmp, { recursive: true, force: true });
  }
}

if (require.main === module && process.argv[2] === '--write') {
  writeCache(path.resolve(process.argv[3])).catch((e) => {
    process.stderr.write(`compileCache: ${e instanceof Error ? e.stack : String(e)}\n`);
    process.exitCode = 1;
  });
}
