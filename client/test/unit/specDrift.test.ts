import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type NormalizedMount, normalizeMount, parseMountinfo } from '@bindery/plan';
import { failedMountIndexes, placeDrift } from '../../src/specDrift';

// A container PID 1's mountinfo after pivot_root: paths are container paths.
const MOUNTINFO = [
  '600 550 0:60 / / rw,relatime - ext4 /dev/sda1 rw',
  '601 600 0:62 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
  '605 600 0:65 / /tmp\\040dir rw,nosuid,nodev - tmpfs tmpfs rw',
  '606 600 0:66 / /cache rw,relatime - tmpfs tmpfs rw',
  '607 606 0:67 / /cache ro,relatime - tmpfs tmpfs ro',
  '',
].join('\n');

const spec = JSON.stringify(
  {
    ociVersion: '1.2.0',
    mounts: [
      {
        destination: '/proc',
        type: 'proc',
        source: 'proc',
        options: ['nosuid', 'noexec', 'nodev'],
      },
      { destination: '/cache', type: 'tmpfs', source: 'tmpfs', options: [] },
      { destination: '/cache', type: 'tmpfs', source: 'tmpfs', options: ['ro'] },
      { destination: '/tmp dir', type: 'tmpfs', source: 'tmpfs', options: ['ro'] },
      { destination: '/failed', type: 'tmpfs', source: 'tmpfs', options: ['size=x'] },
    ],
  },
  null,
  2,
);

/** The mounts as the helper returns them in InspectResult.plan. */
function plannedFrom(text: string): NormalizedMount[] {
  const recorded = { start: { line: 90, character: 4 }, end: { line: 95, character: 5 } };
  return (JSON.parse(text) as { mounts: unknown[] }).mounts.map((m, i) =>
    normalizeMount(
      m,
      i,
      { kind: 'spec', path: ['mounts', i], mountIndex: i, range: recorded },
      '/b',
    ),
  );
}

describe('placeDrift', () => {
  const table = parseMountinfo(MOUNTINFO);
  const failed = failedMountIndexes([
    { index: 4, state: 'failed' },
    { index: 0, state: 'applied' },
    { index: null, state: 'failed' },
  ]);

  it('compares each visible entry and places the result on its range', () => {
    const result = placeDrift(spec, plannedFrom(spec), table, failed);
    assert.deepEqual(
      result.map((r) => [r.index, r.differences.map((d) => d.message)]),
      [
        [0, []],
        [2, []],
        [3, ['asked ro, mounted rw']],
      ],
    );
    // The range starts at the entry's `{`, with its destination on the next line.
    const lines = spec.split('\n');
    const r = result[2].range;
    assert.equal(lines[r.start.line].trim(), '{');
    assert.match(lines[r.start.line + 1], /"destination": "\/tmp dir"/);
    assert.equal(result[2].destination, '/tmp dir');
  });

  it('judges by what the plan ran, and follows the entry in the text as it is now', () => {
    // A line added above the mounts since the launch: the diagnostic moves with the entry.
    // And /tmp dir made writable in the editor: the container still runs what was launched.
    const moved = '\n' + spec.replace(/("\/tmp dir",[^]*?"options": )\[[^\]]*\]/, '$1[]');
    assert.doesNotMatch(moved, /"\/tmp dir",[^}]*"ro"/, 'the edit applies');
    const result = placeDrift(moved, plannedFrom(spec), table, failed);
    assert.deepEqual(
      result[2].differences.map((d) => d.message),
      ['asked ro, mounted rw'],
    );
    assert.equal(
      result[2].range.start.line,
      placeDrift(spec, plannedFrom(spec), table, failed)[2].range.start.line + 1,
    );
  });

  it('keeps the range the plan recorded for an entry gone from the text', () => {
    const result = placeDrift('{"ociVersion":"1.2.0"}', plannedFrom(spec), table, failed);
    assert.equal(result[2].range.start.line, 90);
  });
});
