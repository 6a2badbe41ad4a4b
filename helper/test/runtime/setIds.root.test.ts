// koffiSyscalls' set-id calls against the kernel, in a child Node process (its ids cannot go
// back): groups, gid and uid change for the calling thread (the init's main thread, which
// execs the container's process) and for no other, and the process is no longer dumpable,
// so nobody without CAP_SYS_PTRACE can attach to the threads that still hold root until
// execve ends them (SECURITY.md, "The init's ids").
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import { describe, it } from 'node:test';
import { koffiSyscalls } from '../../src/runtime/koffiSyscalls';
import { needsRoot } from './rootHarness';

const CHILD = 'BINDERY_SET_IDS_CHILD';
const PR_GET_DUMPABLE = 3;
const SUID_DUMP_USER = 1;
const ID = 1000;
const GROUP = 1234;

interface Reading {
  main: Record<string, string>;
  others: Record<string, string>[];
  dumpable: number;
}

const idLines = (statusText: string): Record<string, string> =>
  Object.fromEntries(
    statusText
      .split('\n')
      .filter((l) => /^(Uid|Gid|Groups):/.test(l))
      .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 1).trim().split(/\s+/).join(' ')]),
  );

function setIdsInChild(): Reading {
  const sys = koffiSyscalls();
  for (const r of [sys.setgroups([GROUP]), sys.setresgid(ID), sys.setresuid(ID)])
    if (!r.ok) throw new Error(`${r.call}: ${r.errno}`);
  const dumpable = sys.prctl(PR_GET_DUMPABLE, 0);
  if (!dumpable.ok) throw new Error(`prctl: ${dumpable.errno}`);
  const self = String(process.pid);
  const others = fs
    .readdirSync('/proc/self/task')
    .filter((tid) => tid !== self)
    .map((tid) => idLines(fs.readFileSync(`/proc/self/task/${tid}/status`, 'utf8')));
  return { main: idLines(fs.readFileSync('/proc/thread-self/status', 'utf8')), others, dumpable: dumpable.value };
}

if (process.env[CHILD]) {
  process.stdout.write(JSON.stringify(setIdsInChild()));
  process.exit(0);
}

describe('koffiSyscalls set-id calls', () => {
  it('change the calling thread only, and leave the process non-dumpable', (t) => {
    if (!needsRoot(t)) return;
    const child = spawnSync(process.execPath, [...process.execArgv, __filename], {
      env: { ...process.env, [CHILD]: '1' },
      encoding: 'utf8',
    });
    assert.equal(child.status, 0, child.stderr);
    const r = JSON.parse(child.stdout) as Reading;
    const ids = `${ID} ${ID} ${ID} ${ID}`;
    assert.deepEqual(r.main, { Uid: ids, Gid: ids, Groups: String(GROUP) });
    assert.notEqual(r.dumpable, SUID_DUMP_USER, 'a process that dropped root must not be dumpable');
    assert.ok(r.others.length > 0, 'a Node process has threads beside the main one');
    for (const other of r.others) assert.equal(other.Uid, '0 0 0 0', 'no broadcast to the other threads');
  });
});
