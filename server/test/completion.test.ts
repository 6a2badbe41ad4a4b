import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { CompletionItem, TextEdit } from 'vscode-languageserver';
import { clientWithBundle } from './clientWithBundle';
import { applyTextEdits, positionOf } from './lspHarness';

// Empty strings (`""`) mark where the user is typing.
const text = `{
  "ociVersion": "1.2.0",
  "root": { "path": "rootfs" },
  "mounts": [
    { "destination": "/tmp", "type": "tmpfs", "source": "tmpfs", "options": ["nosuid", ""] },
    { "destination": "/data", "type": "bind", "source": "/srv", "options": ["rbind", ""] },
    { "destination": "/dev/pts", "type": "devpts", "source": "devpts", "options": [""] },
    { "destination": "", "type": "proc", "source": "proc" },
    { "destination": "/x", "type": "" },
    
  ],
  "linux": {
    "rootfsPropagation": "",
    "namespaces": [ { "type": "pid" }, { "type": "" } ]
  }
}
`;

const labels = (items: CompletionItem[]) => items.map((i) => i.label);

describe('completion', () => {
  const lsp = clientWithBundle();
  before(async () => {
    await lsp.client.openAndValidate(lsp.bundle.uri, text);
  });
  const at = (needle: string, delta: number, n = 0) =>
    lsp.client.completion(lsp.bundle.uri, positionOf(text, needle, delta, n));

  it('tmpfs options: tmpfs data options and tmpcopyup, nothing bind-only, nothing already written', async () => {
    const items = await at('["nosuid", ""', 12);
    const l = labels(items);
    for (const want of ['size=', 'mode=', 'nr_inodes=', 'tmpcopyup', 'nodev', 'noexec', 'rprivate'])
      assert.ok(l.includes(want), `${want} in ${l}`);
    for (const not of ['nosuid', 'rbind', 'rro', 'idmap', 'newinstance'])
      assert.ok(!l.includes(not), `${not} not in ${l}`);
    // The item replaces the string being typed, quotes included.
    const size = items.find((i) => i.label === 'size=')!;
    const edited = applyTextEdits(text, [size.textEdit as TextEdit]);
    assert.ok(edited.includes('"options": ["nosuid", "size="]'), edited.split('\n')[4]);
  });

  it('bind options: recursive attributes and idmap, no filesystem data, no second bind', async () => {
    const l = labels(await at('["rbind", ""', 11));
    for (const want of ['rro', 'rnosuid', 'ro', 'rprivate', 'rslave', 'idmap'])
      assert.ok(l.includes(want), `${want} in ${l}`);
    for (const not of ['size=', 'mode=', 'tmpcopyup', 'bind', 'rbind'])
      assert.ok(!l.includes(not), `${not} not in ${l}`);
  });

  it('devpts options: its own data options', async () => {
    const l = labels(await at('"options": [""', 13));
    for (const want of ['newinstance', 'ptmxmode=', 'gid='])
      assert.ok(l.includes(want), `${want} in ${l}`);
    assert.ok(!l.includes('size='));
  });

  it('mount types, destinations by type, propagation, namespace types not yet used', async () => {
    const types = labels(await at('"type": ""', 9));
    assert.deepEqual(
      ['bind', 'tmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup2', 'overlay'].filter(
        (t) => !types.includes(t),
      ),
      [],
    );
    assert.deepEqual(labels(await at('"destination": ""', 16)), ['/proc']);
    assert.ok(labels(await at('"rootfsPropagation": ""', 22)).includes('rslave'));
    const ns = labels(await at('{ "type": "" }', 11));
    assert.ok(ns.includes('user') && ns.includes('uts') && ns.includes('network'), String(ns));
    assert.ok(!ns.includes('pid'), 'pid is already there');
    const own = labels(await at('{ "type": "pid" }', 12));
    assert.ok(own.includes('pid'), 'the entry being edited may keep its value');
  });

  it('whole mount entries between entries of mounts', async () => {
    const items = await lsp.client.completion(
      lsp.bundle.uri,
      positionOf(text, '"type": "" },\n    ', 18),
    );
    const l = labels(items);
    for (const want of [
      'bind mount',
      'tmpfs mount',
      'proc mount',
      '/etc/hosts mount',
      '/etc/resolv.conf mount',
      '/etc/hostname mount',
    ]) {
      assert.ok(l.includes(want), `${want} in ${l}`);
    }
    const bind = items.find((i) => i.label === 'bind mount')!;
    assert.equal(bind.insertTextFormat, 2);
    assert.match((bind.textEdit as TextEdit).newText, /"options": \["rbind"/);
  });

  it('keys the spec allows at this level, without those already written', async () => {
    const uri = lsp.bundle.uri.replace('config.json', 'keys.oci.json');
    const doc = '{\n  "ociVersion": "1.2.0",\n  \n  "mounts": [ { "destination": "/x",  } ]\n}\n';
    await lsp.client.openAndValidate(uri, doc);
    const top = await lsp.client.completion(uri, { line: 2, character: 2 });
    const l = labels(top);
    for (const want of ['root', 'process', 'hostname', 'linux', 'hooks', 'annotations'])
      assert.ok(l.includes(want), `${want} in ${l}`);
    assert.ok(!l.includes('ociVersion') && !l.includes('mounts'), 'already written');
    const root = top.find((i) => i.label === 'root')!;
    // Followed by another property: the comma comes with it.
    assert.equal((root.textEdit as TextEdit).newText, '"root": {$1},');
    assert.ok(
      typeof root.documentation === 'object' && /root filesystem/.test(root.documentation.value),
    );

    const inMountItems = await lsp.client.completion(uri, positionOf(doc, '"/x", ', 6));
    const inMount = labels(inMountItems);
    assert.deepEqual(
      ['type', 'source', 'options'].filter((k) => !inMount.includes(k)),
      [],
    );
    assert.ok(!inMount.includes('destination') && !inMount.includes('process'));
    const type = inMountItems.find((i) => i.label === 'type')!;
    assert.equal(
      (type.textEdit as TextEdit).newText,
      '"type": "${1:tmpfs}"',
      'the schema example as placeholder',
    );

    // After a value without a comma, the comma goes first.
    const uri2 = lsp.bundle.uri.replace('config.json', 'keys2.oci.json');
    const doc2 = '{ "ociVersion": "1.2.0" }';
    await lsp.client.openAndValidate(uri2, doc2);
    const hostname = (await lsp.client.completion(uri2, positionOf(doc2, ' }'))).find(
      (i) => i.label === 'hostname',
    )!;
    assert.equal((hostname.textEdit as TextEdit).newText, ',"hostname": "$1"');
  });

  it('in an unclosed string, replaces only what was typed', async () => {
    const uri = lsp.bundle.uri.replace('config.json', 'unclosed.oci.json');
    const doc = '{ "ociVersion": "1.2.0", "linux": { "namespaces": [ { "type": "ne } ] } }\n';
    await lsp.client.openAndValidate(uri, doc);
    const items = await lsp.client.completion(uri, positionOf(doc, '"ne', 3));
    const network = items.find((i) => i.label === 'network')!;
    assert.equal(
      applyTextEdits(doc, [network.textEdit as TextEdit]),
      '{ "ociVersion": "1.2.0", "linux": { "namespaces": [ { "type": "network" } ] } }\n',
    );
  });

  it('values of any other field with a fixed set, from the schema', async () => {
    const uri = lsp.bundle.uri.replace('config.json', 'enums.oci.json');
    const doc =
      '{ "ociVersion": "1.2.0", "linux": { "seccomp": { "defaultAction": "" }, "devices": [ { "type": "" } ] } }\n';
    await lsp.client.openAndValidate(uri, doc);
    const actions = labels(
      await lsp.client.completion(uri, positionOf(doc, '"defaultAction": ""', 18)),
    );
    assert.ok(
      actions.includes('SCMP_ACT_ERRNO') && actions.includes('SCMP_ACT_ALLOW'),
      String(actions),
    );
    const devices = labels(await lsp.client.completion(uri, positionOf(doc, '"type": ""', 9)));
    assert.deepEqual(devices.sort(), ['b', 'c', 'p', 'u']);
  });
});
