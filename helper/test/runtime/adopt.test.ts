// adoptContainer on state directories a crashed helper left: no root needed, no process started.
import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { runtimeWith } from '../../src/runtime/container';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { processStartTime, writeState, type ContainerState } from '../../src/runtime/stateFile';

const { adoptContainer } = runtimeWith(koffiSyscalls());

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-adopt-'));

function stateDir(id: string, s: Partial<ContainerState>): string {
  const dir = path.join(root, id);
  fs.mkdirSync(dir);
  writeState(dir, {
    version: 1,
    id,
    bundle: '/b',
    owner: { uid: 1000, gid: 1000 },
    createdAt: '2026-01-01T00:00:00.000Z',
    status: 'running',
    args: ['sh'],
    plan: { mounts: [], operations: [], findings: [] },
    ...s,
  });
  return dir;
}

describe('adoptContainer', () => {
  after(() => fs.rmSync(root, { recursive: true, force: true }));

  it('does not take a recycled pid for the container (start time differs)', async () => {
    const dir = stateDir('recycled', { pid: process.pid, startTime: '1' });
    const c = adoptContainer(dir);
    assert.ok(c);
    assert.equal(c.status, 'stopped');
    assert.equal(c.info().owner, 1000);
    await c.teardown(); // must not signal this test process
    assert.ok(!fs.existsSync(dir));
  });

  it('gives back a stopped container whose process is gone, ready for teardown', async () => {
    const c = adoptContainer(stateDir('gone', { status: 'stopped' }));
    assert.equal(c?.status, 'stopped');
    assert.deepEqual(await c!.exited, { id: 'gone' });
  });

  it('ignores directories without container state, or whose state names another id', () => {
    fs.mkdirSync(path.join(root, 'empty'));
    assert.equal(adoptContainer(path.join(root, 'empty')), undefined);
    const dir = stateDir('renamed', {});
    fs.renameSync(dir, path.join(root, 'other'));
    assert.equal(adoptContainer(path.join(root, 'other')), undefined);
  });

  it('reads the start time the way state.json records it', () => {
    assert.match(processStartTime(process.pid) ?? '', /^\d+$/);
    assert.equal(processStartTime(0x7ffffff0), undefined);
  });
});
