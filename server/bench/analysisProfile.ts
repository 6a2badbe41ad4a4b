// The server's per-change work in one process, for `node --cpu-prof`: the analysis of each
// new version of a document (as AnalysisCache.get does it) and its diagnostics, editing the
// hostname 'box'↔'bx2' like lsp.bench.ts; alternating with a cache that plans each version
// from scratch (no rule memo), to compare the two.
// Run: node --import tsx [--cpu-prof] bench/analysisProfile.ts [mounts] [edits] [memo|fresh]
import { performance } from 'node:perf_hooks';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { planBundle, realHostView } from '@bindery/plan';
import { AnalysisCache } from '../src/analysis';
import { CachedHost } from '../src/cachedHost';
import { toDiagnostic } from '../src/diagnostics';
import { makeBundle, spec } from '../test/bundle';
import { benchMounts } from './benchMounts';

const count = Number(process.argv[2] ?? 1000);
const edits = Number(process.argv[3] ?? 200);
const only = process.argv[4];
const bundle = makeBundle();
try {
  const text = spec(benchMounts(bundle, count, 'rro'));
  const host = new CachedHost(realHostView(), Number.POSITIVE_INFINITY);
  const caches = {
    memo: new AnalysisCache(host, () => bundle.dir),
    fresh: new AnalysisCache(
      host,
      () => bundle.dir,
      (input) => planBundle({ ...input, memo: undefined }),
    ),
  };
  const uri = bundle.uri.replace('config.json', 'profile.oci.json');
  const at = text.indexOf('"box"') + 1;
  const samples = { memo: [] as number[], fresh: [] as number[] };
  for (let i = 0; i < edits; i++) {
    const next = text.slice(0, at) + (i % 2 ? 'box' : 'bx2') + text.slice(at + 3);
    for (const kind of ['memo', 'fresh'] as const) {
      if (only && only !== kind) continue;
      const doc = TextDocument.create(uri, 'json', i + 1, next);
      const t = performance.now();
      const a = caches[kind].get(doc)!;
      a.plan.findings.map((f) => toDiagnostic(f, uri));
      samples[kind].push(performance.now() - t);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1] ?? NaN;
  console.log(
    `${count} mounts, ${edits} edits, ms median: with the rule memo ${median(samples.memo).toFixed(2)}, from scratch ${median(samples.fresh).toFixed(2)}`,
  );
} finally {
  bundle.cleanup();
}
