// The container init's entry, dist/init.js: runs the init's bundle (dist/init-main.js, from
// init.ts) with the V8 code cache the build wrote beside it (init-main.js.v8cache), so that
// an init does not parse and compile its bundle, nor the launch path its warm-up runs,
// afresh: about 10 ms of the ~70 ms of CPU each init's start-up costs
// (bench/initStart.bench.ts; README "Where an init's start-up goes").
//
// The cache starts with the bundle's size and modification time: V8 itself only checks the
// source's length, so a rebuilt bundle of the same length would otherwise run stale code.
// A cache V8 rejects (another Node, other flags) or none at all: the bundle is compiled as usual.
import * as fs from 'node:fs';
import Module from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** What init.ts exports. */
interface InitBundle {
  main(): void;
  prepare(): void;
}

const BUNDLE = path.join(__dirname, 'init-main.js');
const CACHE = `${BUNDLE}.v8cache`;
const HEADER_BYTES = 16;

function header(): Buffer {
  const st = fs.statSync(BUNDLE);
  const h = Buffer.alloc(HEADER_BYTES);
  h.writeDoubleLE(st.size, 0);
  h.writeDoubleLE(st.mtimeMs, 8);
  return h;
}

function cacheFor(expected: Buffer): Buffer | undefined {
  let cache: Buffer;
  try {
    cache = fs.readFileSync(CACHE);
  } catch {
    return undefined; // built without one
  }
  return cache.subarray(0, HEADER_BYTES).equals(expected)
    ? cache.subarray(HEADER_BYTES)
    : undefined;
}

function load(useCache: boolean): { init: InitBundle; script: vm.Script } {
  const source = fs.readFileSync(BUNDLE, 'utf8');
  const cachedData = useCache ? cacheFor(header()) : undefined;
  // The shebang line stays as a comment so line numbers in stack traces still match.
  const script = new vm.Script(Module.wrap(source.replace(/^#!/, '//')), {
    filename: BUNDLE,
    cachedData,
  });
  const mod = new Module(BUNDLE, module);
  mod.filename = BUNDLE;
  mod.paths = (Module as unknown as { _nodeModulePaths(dir: string): string[] })._nodeModulePaths(
    __dirname,
  );
  const fn = script.runInThisContext() as (...args: unknown[]) => void;
  fn.call(mod.exports, mod.exports, Module.createRequire(BUNDLE), mod, BUNDLE, __dirname);
  mod.loaded = true;
  return { init: mod.exports as InitBundle, script };
}

/** Build step: run what an init runs before it is ready, then save what V8 compiled. */
export function writeInitCodeCache(): void {
  const { init, script } = load(false);
  init.prepare();
  fs.writeFileSync(CACHE, Buffer.concat([header(), script.createCachedData()]));
}

if (require.main === module) load(true).init.main();
