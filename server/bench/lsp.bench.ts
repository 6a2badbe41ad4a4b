// didChange → publishDiagnostics, Bindery's full validation (structure + every rule of the
// plan + host look-ups on a real bundle) against vscode-json-languageservice validating the
// same document against the upstream OCI JSON schema only. Both servers run in this process
// behind the same in-memory LSP transport, with no debounce. Run: npm run bench -w server
import { performance } from 'node:perf_hooks';
import { makeBundle, spec, STANDARD_MOUNTS, type Bundle } from '../test/bundle';
import { positionOf, TestClient } from '../test/lspHarness';
import { startSchemaOnlyServer } from './schemaOnlyServer';

interface Case {
  name: string;
  text: string;
  iterations: number;
}

function mounts(bundle: Bundle, count: number): unknown[] {
  const out: unknown[] = [...STANDARD_MOUNTS, { destination: '/sys/fs/cgroup', type: 'cgroup', source: 'cgroup', options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'] }];
  for (let i = 0; out.length < count; i++) {
    if (i % 4 === 3) {
      out.push({ destination: `/scratch/t${i}`, type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=1777', 'size=16m'] });
    } else {
      bundle.mkdir(`volumes/v${i}`);
      out.push({ destination: `/srv/v${i}`, type: 'bind', source: bundle.path(`volumes/v${i}`), options: ['rbind', 'rprivate', i % 2 ? 'ro' : 'rw', 'nosuid'] });
    }
  }
  return out;
}

function stats(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const q = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  return { median: q(0.5), p90: q(0.9) };
}

/** Time `iterations` edits of the hostname, each from didChange to the matching publish. */
async function measure(client: TestClient, uri: string, c: Case, warmup: number): Promise<{ samples: number[]; diagnostics: number }> {
  const first = await client.openAndValidate(uri, c.text, 'json');
  const at = positionOf(c.text, '"box"', 1);
  const range = { start: at, end: { line: at.line, character: at.character + 3 } };
  const samples: number[] = [];
  for (let i = 0; i < warmup + c.iterations; i++) {
    const next = client.nextDiagnostics(uri);
    const t0 = performance.now();
    await client.change(uri, range, i % 2 ? 'box' : 'bx2');
    await next;
    if (i >= warmup) samples.push(performance.now() - t0);
  }
  await client.close(uri);
  return { samples, diagnostics: first.length };
}

async function main() {
  const bundle = makeBundle();
  try {
    const cases: Case[] = [
      { name: 'typical spec (30 mounts)', text: spec(mounts(bundle, 30)), iterations: 60 },
      { name: '1,000-mount spec', text: spec(mounts(bundle, 1000)), iterations: 20 },
    ];
    const ours = await TestClient.start({ debounceMs: 0 });
    const baseline = await TestClient.start({ start: startSchemaOnlyServer });
    console.log(`didChange → publishDiagnostics, ms (median / p90); ${process.version}, in-process LSP over streams\n`);
    console.log('| document | size | Bindery (full plan) | schema only (vscode-json-languageservice) | ratio Bindery / schema |');
    console.log('| --- | --- | --- | --- | --- |');
    for (const [i, c] of cases.entries()) {
      const uri = bundle.uri.replace('config.json', `bench-${i}/config.json`);
      const a = await measure(ours, uri, c, 5);
      const b = await measure(baseline, uri, c, 5);
      const sa = stats(a.samples);
      const sb = stats(b.samples);
      console.log(
        `| ${c.name} | ${(c.text.length / 1024).toFixed(0)} KiB | ${sa.median.toFixed(2)} / ${sa.p90.toFixed(2)} (${a.diagnostics} findings) | ${sb.median.toFixed(2)} / ${sb.p90.toFixed(2)} (${b.diagnostics} problems) | ${(sa.median / sb.median).toFixed(2)} |`,
      );
    }
    await ours.dispose();
    await baseline.dispose();
  } finally {
    bundle.cleanup();
  }
}

void main();
