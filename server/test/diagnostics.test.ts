import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DiagnosticSeverity } from 'vscode-languageserver';
import { makeBundle, spec, STANDARD_MOUNTS } from './bundle';
import { clientWithBundle } from './clientWithBundle';
import { planBundle } from '@bindery/plan';
import { positionOf, TestClient } from './lspHarness';

describe('diagnostics', () => {
  const lsp = clientWithBundle();

  it('advertises incremental sync and the features', () => {
    const caps = lsp.client.initializeResult.capabilities;
    assert.deepEqual(caps.textDocumentSync, { openClose: true, change: 2 });
    assert.ok(
      caps.hoverProvider &&
        caps.completionProvider &&
        caps.codeActionProvider &&
        caps.documentSymbolProvider &&
        caps.documentFormattingProvider,
    );
  });

  it('publishes a syntax error where it is, with source and code', async () => {
    const text = spec(STANDARD_MOUNTS).replace(
      '"hostname": "box",',
      '"hostname": "box", // my box',
    );
    const diags = await lsp.client.openAndValidate(lsp.bundle.uri, text, 'json');
    const comment = diags.find((d) => d.code === 'json-comment');
    assert.ok(comment, JSON.stringify(diags));
    assert.equal(comment.severity, DiagnosticSeverity.Error);
    assert.equal(comment.source, 'bindery');
    assert.deepEqual(comment.range.start, positionOf(text, '// my box'));
    assert.deepEqual(comment.range.end, positionOf(text, '// my box', '// my box'.length));
  });

  it('re-validates an incremental change', async () => {
    const text = spec(STANDARD_MOUNTS).replace(
      '"hostname": "box",',
      '"hostname": "box", // my box',
    );
    const start = positionOf(text, ' // my box');
    const diags = await lsp.client.changeAndValidate(
      lsp.bundle.uri,
      { start, end: { line: start.line, character: start.character + 9 } },
      '',
    );
    assert.equal(diags.filter((d) => d.code === 'json-comment').length, 0, JSON.stringify(diags));
  });

  it('gives an unrelated config.json nothing, and takes back what it said when ociVersion goes', async () => {
    const other = makeBundle();
    try {
      const unrelated = other.uri;
      // Unrelated first, then a spec: timers fire in order, so a publish for the unrelated
      // file would arrive before the spec's.
      await lsp.client.open(
        unrelated,
        '{ "compilerOptions": { "strict": true }, // not ours\n }',
        'json',
      );
      const specUri = other.uri.replace('config.json', 'app.oci.json');
      await lsp.client.openAndValidate(
        specUri,
        '{ "ociVersion": "1.2.0", /* c */ "root": {"path": "rootfs"} }',
      );
      assert.equal(lsp.client.published.filter((p) => p.uri === unrelated).length, 0);

      // A config.json that is a spec, then stops being one.
      const diags = await lsp.client.changeAndValidate(
        lsp.bundle.uri,
        { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } },
        '{ /* x */',
      );
      assert.ok(diags.some((d) => d.code === 'json-comment'));
      const cleared = lsp.client.nextDiagnostics(lsp.bundle.uri);
      const text = '{ /* x */ "name": "app" }';
      await lsp.client.change(
        lsp.bundle.uri,
        { start: { line: 0, character: 0 }, end: { line: 9999, character: 0 } },
        text,
      );
      assert.deepEqual((await cleared).diagnostics, []);
    } finally {
      other.cleanup();
    }
  });

  it('maps severities and carries related information to the other entry', async () => {
    const uri = lsp.bundle.uri.replace('config.json', 'hidden.oci.json');
    lsp.bundle.mkdir('a');
    lsp.bundle.mkdir('b');
    const text = spec([
      ...STANDARD_MOUNTS.filter((m) => m.destination !== '/dev/shm'),
      {
        destination: '/srv/data/cache',
        type: 'bind',
        source: lsp.bundle.path('a'),
        options: ['rbind'],
      },
      { destination: '/srv/data', type: 'bind', source: lsp.bundle.path('b'), options: ['rbind'] },
    ]);
    const diags = await lsp.client.openAndValidate(uri, text);
    const hidden = diags.find((d) => d.code === 'mount-hidden');
    assert.ok(hidden, JSON.stringify(diags.map((d) => d.code)));
    assert.equal(hidden.severity, DiagnosticSeverity.Warning);
    assert.deepEqual(hidden.range.start, positionOf(text, '"/srv/data/cache"'));
    assert.equal(hidden.relatedInformation?.length, 1);
    assert.equal(hidden.relatedInformation[0].location.uri, uri);
    assert.deepEqual(
      hidden.relatedInformation[0].location.range.start,
      positionOf(text, '"/srv/data"'),
    );

    const shm = diags.find((d) => d.code === 'default-mount-missing');
    assert.ok(shm, 'the missing /dev/shm is reported');
    assert.equal(shm.severity, DiagnosticSeverity.Information);
    assert.match(shm.message, /\/dev\/shm/);
  });

  it('coalesces a burst of keystrokes into one validation of the latest text', async () => {
    const slow = await TestClient.start({ debounceMs: 300 });
    try {
      const uri = lsp.bundle.uri.replace('config.json', 'burst.oci.json');
      await slow.openAndValidate(uri, '{ "ociVersion": "1.2.0" }');
      const next = slow.nextDiagnostics(uri);
      for (const ch of ['/', '/', ' ', 'x'])
        await slow.change(
          uri,
          { start: { line: 0, character: 1 }, end: { line: 0, character: 1 } },
          ch,
        );
      const published = await next;
      assert.equal(published.version, 5, 'validated once, at the last version');
      assert.ok(published.diagnostics.some((d) => d.code === 'json-comment'));
      assert.equal(slow.published.filter((p) => p.uri === uri).length, 2);
    } finally {
      await slow.dispose();
    }
  });

  it('publishes the checks of the spec’s MUSTs on their entries: a duplicate rlimit, a tmpfs value, a net sysctl', async () => {
    const text = spec(
      [
        ...STANDARD_MOUNTS,
        { destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['mode=789'] },
      ],
      {
        process: {
          args: ['sh'],
          cwd: '/',
          rlimits: [
            { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 },
            { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 },
          ],
        },
        linux: {
          namespaces: [{ type: 'mount' }, { type: 'uts' }],
          sysctl: { 'net.core.somaxconn': '1' },
        },
      },
    );
    const uri = lsp.bundle.uri.replace('config.json', 'musts.oci.json');
    const diags = await lsp.client.openAndValidate(uri, text);
    const at = (code: string) => {
      const d = diags.find((x) => x.code === code);
      assert.ok(d, `${code} in ${JSON.stringify(diags.map((x) => x.code))}`);
      assert.equal(d.severity, DiagnosticSeverity.Error);
      return d.range;
    };
    assert.deepEqual(at('duplicate-rlimit').start, positionOf(text, '"RLIMIT_NOFILE"', 0, 1));
    assert.deepEqual(at('invalid-data-option-value').start, positionOf(text, '"mode=789"'));
    assert.deepEqual(
      at('sysctl-without-namespace').start,
      positionOf(text, '"net.core.somaxconn"'),
    );
  });

  it('survives a failing planner: a warning on the file, and the server keeps answering', async () => {
    let fail = true;
    const odd = await TestClient.start({
      planBundle: (input) => {
        if (fail) throw new Error('planner on fire');
        return planBundle(input);
      },
    });
    try {
      const uri = lsp.bundle.uri.replace('config.json', 'odd.oci.json');
      const diags = await odd.openAndValidate(uri, spec(STANDARD_MOUNTS));
      assert.equal(diags.length, 1);
      assert.equal(diags[0].code, 'internal-error');
      assert.match(diags[0].message, /planner on fire/);
      fail = false;
      const again = await odd.changeAndValidate(
        uri,
        { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
        ' ',
      );
      assert.ok(
        !again.some((d) => d.code === 'internal-error'),
        JSON.stringify(again.map((d) => d.code)),
      );
    } finally {
      await odd.dispose();
    }
  });
});
