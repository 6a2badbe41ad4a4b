import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { CodeActionKind, type CodeAction, type Diagnostic } from 'vscode-languageserver';
import type { Bundle } from './bundle';
import { clientWithBundle } from './clientWithBundle';
import { applyTextEdits } from './lspHarness';

interface FixedSpec {
  mounts: { destination: string; type: string; options: string[] }[];
  linux: { namespaces: { type: string }[] };
}

// One fault per entry; every fix below is applied through the client and checked.
function faultySpec(bundle: Bundle): string {
  return (
    JSON.stringify(
      {
        ociVersion: '1.2.0',
        root: { path: 'rootfs' },
        hostname: 'box',
        process: { args: ['sh'], cwd: '/' },
        mounts: [
          { destination: '/data', type: 'bind', source: bundle.path('data') },
          { destination: 'scratch', type: 'tmpfs', source: 'tmpfs' },
          {
            destination: '/ro',
            type: 'bind',
            source: bundle.path('data'),
            options: ['rbind', 'ro'],
          },
          {
            destination: '/b',
            type: 'bind',
            source: bundle.path('data'),
            options: ['bind', 'mode=755'],
          },
          { destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['nosiud'] },
        ],
        linux: { namespaces: [{ type: 'pid' }, { type: 'pid' }, { type: 'mount' }] },
      },
      null,
      2,
    ) + '\n'
  );
}

describe('quick fixes', () => {
  const lsp = clientWithBundle();
  let text: string;
  let diagnostics: Diagnostic[];
  before(async () => {
    lsp.bundle.mkdir('data');
    text = faultySpec(lsp.bundle);
    diagnostics = await lsp.client.openAndValidate(lsp.bundle.uri, text, 'json');
  });

  /** Ask for the fixes of the diagnostic `code` (the n-th one), as an editor does on the lightbulb. */
  async function fixesFor(
    code: string,
    n = 0,
  ): Promise<{ diagnostic: Diagnostic; actions: CodeAction[] }> {
    const diagnostic = diagnostics.filter((d) => d.code === code)[n];
    assert.ok(diagnostic, `no ${code} diagnostic in ${diagnostics.map((d) => d.code)}`);
    const actions = await lsp.client.codeActions(lsp.bundle.uri, diagnostic.range, [diagnostic]);
    return {
      diagnostic,
      actions: actions.filter((a) => a.diagnostics?.some((d) => d.code === code)),
    };
  }

  /** Apply the action's edit to the document text and return the result, parsed. */
  function apply(action: CodeAction): { text: string; value: FixedSpec } {
    assert.equal(action.kind, CodeActionKind.QuickFix);
    const edits = action.edit?.changes?.[lsp.bundle.uri];
    assert.ok(edits?.length, 'the fix carries edits for this document');
    const fixed = applyTextEdits(text, edits);
    return { text: fixed, value: JSON.parse(fixed) as FixedSpec };
  }

  async function preferred(code: string, n = 0) {
    const { actions } = await fixesFor(code, n);
    const action = actions.find((a) => a.isPreferred);
    assert.ok(action, `a preferred fix for ${code}: ${actions.map((a) => a.title)}`);
    return { action, ...apply(action) };
  }

  /** The fixed text, re-validated: the finding must be gone. */
  async function revalidate(fixed: string, code: string): Promise<void> {
    const uri = lsp.bundle.uri.replace('config.json', `fixed-${code}.oci.json`);
    const diags = await lsp.client.openAndValidate(uri, fixed);
    await lsp.client.close(uri);
    assert.equal(
      diags.filter((d) => d.code === code).length,
      0,
      `${code} still reported after its fix`,
    );
  }

  it('bind-type-without-bind-option: adds "rbind" (preferred) or "bind"', async () => {
    const { value, text: fixed } = await preferred('bind-type-without-bind-option');
    assert.deepEqual(value.mounts[0].options, ['rbind']);
    const { actions } = await fixesFor('bind-type-without-bind-option');
    assert.deepEqual(apply(actions.find((a) => !a.isPreferred)!).value.mounts[0].options, ['bind']);
    await revalidate(fixed, 'bind-type-without-bind-option');
  });

  it('destination-not-absolute: makes the destination absolute', async () => {
    const { value, text: fixed } = await preferred('destination-not-absolute');
    assert.equal(value.mounts[1].destination, '/scratch');
    await revalidate(fixed, 'destination-not-absolute');
  });

  it('rbind-ro-not-recursive: "ro" becomes "rro"', async () => {
    const { value, action } = await preferred('rbind-ro-not-recursive');
    assert.deepEqual(value.mounts[2].options, ['rbind', 'rro']);
    assert.deepEqual(
      action.edit!.changes![lsp.bundle.uri].map((e) => e.newText),
      ['"rro"'],
    );
  });

  it('bind-with-data-options: drops the filesystem option from the bind', async () => {
    const { value, text: fixed } = await preferred('bind-with-data-options');
    assert.deepEqual(value.mounts[3].options, ['bind']);
    await revalidate(fixed, 'bind-with-data-options');
  });

  it('unknown-mount-option: the misspelled option becomes the nearest valid one', async () => {
    const { value, text: fixed } = await preferred('unknown-mount-option');
    assert.deepEqual(value.mounts[4].options, ['nosuid']);
    await revalidate(fixed, 'unknown-mount-option');
  });

  it('hostname-without-uts-namespace: adds the uts namespace', async () => {
    const { value, text: fixed } = await preferred('hostname-without-uts-namespace');
    assert.ok(
      value.linux.namespaces.some((n) => n.type === 'uts'),
      JSON.stringify(value.linux.namespaces),
    );
    await revalidate(fixed, 'hostname-without-uts-namespace');
  });

  it('duplicate-namespace: removes the second entry', async () => {
    const { value, text: fixed } = await preferred('duplicate-namespace');
    assert.deepEqual(value.linux.namespaces, [{ type: 'pid' }, { type: 'mount' }]);
    await revalidate(fixed, 'duplicate-namespace');
  });

  it('default-mount-missing: adds /proc alone, or all four missing mounts at once', async () => {
    const { value } = await preferred('default-mount-missing');
    const added = value.mounts.map((m) => m.destination);
    assert.ok(added.includes('/proc'), String(added));
    const { actions } = await fixesFor('default-mount-missing');
    const all = actions.find((a) => /\/proc, \/sys, \/dev\/pts, \/dev\/shm/.test(a.title));
    assert.ok(all, actions.map((a) => a.title).join(' | '));
    const { value: v, text: fixed } = apply(all);
    const dests = v.mounts.map((m) => `${m.destination}:${m.type}`);
    for (const want of ['/proc:proc', '/sys:sysfs', '/dev/pts:devpts', '/dev/shm:tmpfs'])
      assert.ok(dests.includes(want), String(dests));
    await revalidate(fixed, 'default-mount-missing');
  });

  it('tmp-not-mounted: adds a tmpfs on /tmp', async () => {
    const { value, text: fixed } = await preferred('tmp-not-mounted');
    const tmp = value.mounts.find((m) => m.destination === '/tmp');
    assert.equal(tmp?.type, 'tmpfs');
    assert.ok(tmp.options.includes('mode=1777'), JSON.stringify(tmp));
    await revalidate(fixed, 'tmp-not-mounted');
  });

  it('offers nothing where nothing needs fixing, and nothing but quick fixes', async () => {
    assert.deepEqual(
      await lsp.client.codeActions(
        lsp.bundle.uri,
        { start: { line: 1, character: 2 }, end: { line: 1, character: 3 } },
        [],
      ),
      [],
    );
    const d = diagnostics.find((x) => x.code === 'duplicate-namespace')!;
    const refactors = await lsp.client.sendCodeActionRequest(
      lsp.bundle.uri,
      d.range,
      [d],
      ['refactor'],
    );
    assert.deepEqual(refactors, []);
  });
});
