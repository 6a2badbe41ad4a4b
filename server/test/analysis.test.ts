// The language server's analyses, made with a plan memo per document, are what a fresh plan
// of each version says, on a real bundle whose bind sources come and go between edits.
import * as assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { planBundle, processRequester, realHostView } from '@bindery/plan';
import { AnalysisCache } from '../src/analysis';
import { CachedHost } from '../src/cachedHost';
import { makeBundle, spec, STANDARD_MOUNTS } from './bundle';

describe('AnalysisCache with its plan memo', () => {
  const bundle = makeBundle();
  after(() => bundle.cleanup());

  it('gives, version after version, the findings and operations of a fresh plan', () => {
    bundle.mkdir('volumes/a');
    const host = new CachedHost(realHostView(), 0);
    const cache = new AnalysisCache(host, () => bundle.dir);
    const mounts: { destination: string; type?: string; source?: string; options?: string[] }[] = [
      ...STANDARD_MOUNTS,
      { destination: '/data', type: 'bind', source: 'volumes/a', options: ['rbind', 'ro'] },
      { destination: '/b', type: 'bind', source: 'volumes/b', options: ['rbind'] },
    ];
    const edits: ((m: typeof mounts) => void)[] = [
      () => undefined,
      (m) => (m[m.length - 1].destination = 'relative'),
      () => bundle.mkdir('volumes/b'),
      (m) =>
        m.push({
          destination: '/tmp',
          type: 'tmpfs',
          source: 'tmpfs',
          options: ['mode=1777', 'nosuidd'],
        }),
      () => bundle.remove('volumes/a'),
      (m) => m.splice(0, 1),
      (m) => (m[0].options = ['rbind', 'rro']),
    ];
    edits.forEach((edit, version) => {
      edit(mounts);
      for (const hostname of ['box', 'bx2']) {
        const text = spec(mounts, { hostname });
        const doc = TextDocument.create(
          bundle.uri,
          'json',
          version * 2 + (hostname === 'box' ? 1 : 2),
          text,
        );
        const analysis = cache.get(doc)!;
        const fresh = planBundle({
          text,
          bundleDir: bundle.dir,
          host: realHostView(),
          requester: processRequester(),
        });
        assert.deepStrictEqual(
          analysis.plan.findings,
          fresh.findings,
          `edit ${version}, hostname ${hostname}`,
        );
        assert.deepStrictEqual(
          analysis.plan.operations,
          fresh.operations,
          `edit ${version}, hostname ${hostname}`,
        );
      }
    });
  });
});
