import { strict as assert } from 'node:assert';
import { describe, it } from 'node:test';
import { parseTrace, spansOf } from '../../bench/launchTrace';

const TRACE = [
  '10 1.000000 read(5, "launch", 100) = 6 <0.000010>',
  '10 1.001000 read(7,  <unfinished ...>',
  '11 1.002000 execve("/bin/true", ["/bin/true"], 0x1 /* 2 vars */) = 0 <0.000500>',
  '10 1.003000 <... read resumed>"", 65536) = 0 <0.002000>',
  '10 1.004000 write(5, "result", 6) = 6 <0.000010>',
].join('\n');

describe('launch timeline marks (strace -f -ttt -T output)', () => {
  it('joins a call strace split around another process’s call, at its start time', () => {
    const lines = parseTrace(TRACE);
    assert.equal(lines.length, 4);
    assert.deepEqual(lines[1], { pid: 10, t: 1.001, text: 'read(7, "", 65536) = 0 <0.002000>' });
  });

  it('cuts the trace into spans at the first matching call of each role, in order', () => {
    const lines = parseTrace(TRACE);
    const roles = { daemon: 10, init: 11 };
    const start = { who: 'daemon', at: /launch/, span: 'start', phase: '' };
    const spans = spansOf(lines, roles, start, [
      { who: 'daemon', at: /^read\(\d+, "", \d+\) = 0/, span: 'until the end', phase: 'a' },
      { who: 'daemon', at: /result/, span: 'the answer', phase: 'b' },
    ]);
    assert.ok(Array.isArray(spans));
    assert.deepEqual(spans.map((s) => [s.span, Math.round(s.ms)]), [['until the end', 1], ['the answer', 3]]);
    const missing = spansOf(lines, roles, start, [{ who: 'init', at: /^exit_group/, span: 'exit', phase: 'c' }]);
    assert.equal(missing, 'exit');
  });
});
