// realHostView: the host as the plan sees it, read through the file system.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import { realHostView } from '../src/hostView';

describe('realHostView().readFile', () => {
  it('reads the start of a regular file and nothing else', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bindery-readfile-'));
    try {
      const host = realHostView();
      fs.writeFileSync(path.join(dir, 'hostname'), 'web1\nrest');
      fs.symlinkSync('hostname', path.join(dir, 'link'));
      execFileSync('mkfifo', [path.join(dir, 'fifo')]);
      assert.equal(host.readFile?.(path.join(dir, 'hostname'), 4), 'web1');
      assert.equal(host.readFile?.(path.join(dir, 'hostname'), 512), 'web1\nrest');
      assert.equal(host.readFile?.(path.join(dir, 'link'), 512), 'web1\nrest');
      assert.equal(host.readFile?.(path.join(dir, 'fifo'), 512), null);
      assert.equal(host.readFile?.(dir, 512), null);
      assert.equal(host.readFile?.(path.join(dir, 'missing'), 512), null);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
