import { strict as assert } from 'node:assert';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { test } from 'node:test';
import { readState, writeState, type ContainerState } from '../../src/runtime/stateFile';

const state: ContainerState = {
  version: 1,
  id: 'c1',
  bundle: '/b',
  owner: { uid: 1000, gid: 1000 },
  createdAt: '2026-01-01T00:00:00.000Z',
  status: 'creating',
  pid: 42,
  args: ['/bin/true'],
  plan: { mounts: [], operations: [], findings: [], rootfs: '/b/rootfs' },
  cgroups: ['/sys/fs/cgroup/pids/c1'],
};

test('a state written with the plan serialised beforehand reads back as the same state', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-state-'));
  try {
    writeState(dir, state);
    const plain = readState(dir);
    writeState(dir, { ...state, status: 'running' }, JSON.stringify(state.plan));
    const spliced = readState(dir);
    assert.deepEqual(plain, state);
    assert.deepEqual(spliced, { ...state, status: 'running' });
    assert.equal(fs.statSync(path.join(dir, 'state.json')).mode & 0o777, 0o600);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
