// didChange → publishDiagnostics, Bindery's full validation (structure + every rule of the
// plan + host look-ups on a real bundle) against vscode-json-languageservice validating the
// same document against the upstream OCI JSON schema only. Each server is its own process
// over stdio, as an editor runs it, bundled by esbuild, with no debounce.
// Run: npm run bench -w server (builds dist/server.js first); `-- --profile DIR` writes a CPU
// profile of Bindery's server into DIR (node --cpu-prof).
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { makeBundle, spec, type Bundle } from '../test/bundle';
import { benchMounts } from './benchMounts';
import { positionOf, TestClient } from '../test/lspHarness';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { URI } from 'vscode-uri';
import { PlanMemo, planBundle, realHostView } from '@bindery/plan';
import { CachedHost } from '../src/cachedHost';
import { schemaOnlyService } from './schemaOnlyServer';

const SERVER = path.join(__dirname, '..', 'dist', 'server.js');

async function spawnServer(
  args: string[],
  debounceMs?: number,
): Promise<{ client: TestClient; child: ChildProcess }> {
  const child = spawn(process.execPath, [...args], { stdio: ['pipe', 'pipe', 'inherit'] });
  const client = await TestClient.connect(child.stdout!, child.stdin!, { debounceMs });
  return { client, child };
}

/** The baseline bundled like ours, into a temporary folder removed at the end. */
async function bundleBaseline(dir: string): Promise<string> {
  const out = path.join(dir, 'schema-only-server.js');
  await esbuild.build({
    entryPoints: [path.join(__dirname, 'schemaOnlyMain.ts')],
    outfile: out,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    mainFields: ['module', 'main'],
    logLevel: 'error',
  });
  return out;
}

interface Case {
  name: string;
  text: string;
  iterations: number;
}

/** VmRSS of a process, MiB. */
function rssMiB(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { median: q(0.5), p90: q(0.9) };
}

/** One server with its document open, ready to time edits of the hostname. */
async function prepare(client: TestClient, uri: string, c: Case) {
  const first = await client.openAndValidate(uri, c.text, 'json');
  const at = positionOf(c.text, '"box"', 1);
  const range = { start: at, end: { line: at.line, character: at.character + 3 } };
  let n = 0;
  const edit = async (): Promise<number> => {
    const next = client.nextDiagnostics(uri);
    const t0 = performance.now();
    await client.change(uri, range, n++ % 2 ? 'box' : 'bx2');
    await next;
    return performance.now() - t0;
  };
  return { edit, findings: first.length, close: () => client.close(uri) };
}

/**
 * Alternate the two servers edit by edit, so that load from elsewhere on the machine (2 cores,
 * shared) falls on both alike.
 */
async function measure(
  ours: TestClient,
  baseline: TestClient,
  uri: string,
  c: Case,
  warmup: number,
  pids: { ours: number; baseline: number },
) {
  const a = await prepare(ours, uri, c);
  const b = await prepare(baseline, uri, c);
  const sa: number[] = [];
  const sb: number[] = [];
  for (let i = 0; i < warmup + c.iterations; i++) {
    const ta = await a.edit();
    const tb = await b.edit();
    if (i >= warmup) {
      sa.push(ta);
      sb.push(tb);
    }
  }
  // Each server's memory with this document open and validated many times.
  const rss = { ours: rssMiB(pids.ours), baseline: rssMiB(pids.baseline) };
  await a.close();
  await b.close();
  return {
    ours: { samples: sa, findings: a.findings, rss: rss.ours },
    baseline: { samples: sb, findings: b.findings, rss: rss.baseline },
  };
}

/**
 * planBundle (from scratch, and with a plan memo as the language server keeps one per
 * document) and the JSON service's parse and validation called directly, alternating, on
 * the same edits of the hostname.
 */
async function core(
  bundle: Bundle,
  c: Case,
): Promise<{ fresh: number; memo: number; schema: number }> {
  const host = new CachedHost(realHostView(), Number.POSITIVE_INFINITY);
  const service = schemaOnlyService(path.join(__dirname, 'schema'));
  const memo = new PlanMemo();
  const at = c.text.indexOf('"box"') + 1;
  const uri = URI.file(bundle.path('core.json')).toString();
  const samples = { fresh: [] as number[], memo: [] as number[], schema: [] as number[] };
  const warmup = 30;
  for (let i = 0; i < warmup + c.iterations * 2; i++) {
    const text = c.text.slice(0, at) + (i % 2 ? 'box' : 'bx2') + c.text.slice(at + 3);
    const doc = TextDocument.create(uri, 'json', i + 1, text);
    let t = performance.now();
    planBundle({ text, bundleDir: bundle.dir, host });
    const fresh = performance.now() - t;
    t = performance.now();
    planBundle({ text, bundleDir: bundle.dir, host, memo });
    const withMemo = performance.now() - t;
    t = performance.now();
    await service.doValidation(doc, service.parseJSONDocument(doc));
    const schema = performance.now() - t;
    if (i >= warmup) {
      samples.fresh.push(fresh);
      samples.memo.push(withMemo);
      samples.schema.push(schema);
    }
  }
  return {
    fresh: stats(samples.fresh).median,
    memo: stats(samples.memo).median,
    schema: stats(samples.schema).median,
  };
}

async function main() {
  const bundle = makeBundle();
  try {
    const cases: Case[] = [
      { name: 'typical spec (30 mounts)', text: spec(benchMounts(bundle, 30)), iterations: 60 },
      { name: '1,000-mount spec, `rro`', text: spec(benchMounts(bundle, 1000, 'rro')), iterations: 20 },
      {
        name: '1,000-mount spec, `ro` on rbinds',
        text: spec(benchMounts(bundle, 1000)),
        iterations: 20,
      },
    ];
    if (!fs.existsSync(SERVER))
      throw new Error(`${SERVER} is missing: run npm run build -w server first`);
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-bench-'));
    const baselineJs = await bundleBaseline(tmp);
    const { profile } = parseArgs({ options: { profile: { type: 'string' } } }).values;
    const profiling = profile ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(profile)}`] : [];
    const ours = await spawnServer([...profiling, SERVER, '--stdio'], 0);
    const baseline = await spawnServer([baselineJs, path.join(__dirname, 'schema'), '--stdio']);
    console.log(
      `didChange → publishDiagnostics, ms (median / p90); Node ${process.version}, each server its own process over stdio; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}\n`,
    );
    console.log(
      '| document | size | Bindery (full plan) | schema only (vscode-json-languageservice) | ratio Bindery / schema | RSS MiB, Bindery / schema only |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const [i, c] of cases.entries()) {
      const uri = bundle.uri.replace('config.json', `bench-${i}.oci.json`);
      const { ours: a, baseline: b } = await measure(ours.client, baseline.client, uri, c, 20, {
        ours: ours.child.pid!,
        baseline: baseline.child.pid!,
      });
      const sa = stats(a.samples);
      const sb = stats(b.samples);
      console.log(
        `| ${c.name} | ${(c.text.length / 1024).toFixed(0)} KiB | ${sa.median.toFixed(2)} / ${sa.p90.toFixed(2)} (${a.findings} findings) | ${sb.median.toFixed(2)} / ${sb.p90.toFixed(2)} (${b.findings} problems) | ${(sa.median / sb.median).toFixed(2)} | ${a.rss.toFixed(0)} / ${b.rss.toFixed(0)} |`,
      );
    }
    for (const server of [ours, baseline]) {
      // Asked to exit rather than killed, so that a profiled server writes its profile.
      const exited = new Promise((resolve) => server.child.once('exit', resolve));
      await server.client.dispose();
      server.child.stdin!.end();
      await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 2000))]);
      server.child.kill();
    }
    fs.rmSync(tmp, { recursive: true, force: true });

    console.log(
      `\nThe validation alone, in this process (no protocol, no process boundary), the same hostname edits, ms median; load ${os.loadavg().map((l) => l.toFixed(1)).join(' ')}:\n`,
    );
    console.log(
      '| document | planBundle from scratch | planBundle with the plan memo (as the server) | parse + doValidation against the schema | ratio from scratch / schema | ratio with memo / schema |',
    );
    console.log('| --- | --- | --- | --- | --- | --- |');
    for (const c of cases) {
      const { fresh, memo, schema } = await core(bundle, c);
      console.log(
        `| ${c.name} | ${fresh.toFixed(2)} | ${memo.toFixed(2)} | ${schema.toFixed(2)} | ${(fresh / schema).toFixed(2)} | ${(memo / schema).toFixed(2)} |`,
      );
    }
  } finally {
    bundle.cleanup();
  }
}

void main();
