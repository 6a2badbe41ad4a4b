// No false positives: specs that runtimes accept give no error. Each gets a rootfs with the
// usual directories, and its bind sources exist on the fake host (files for file mounts).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as posix from 'node:path/posix';
import { describe, it } from 'node:test';
import { BUNDLE, USUAL_DIRS, check, fakeHost } from './harness';

const FIXTURES = path.join(__dirname, '..', 'fixtures');
const FILE_DESTINATIONS = ['/etc/hosts', '/etc/hostname', '/etc/resolv.conf', '/run/.containerenv'];

function hostFor(spec: {
  root?: { path?: string };
  mounts?: { destination?: string; source?: string; options?: string[] }[];
}) {
  const rootfs = posix.resolve(BUNDLE, spec.root?.path ?? 'rootfs');
  const entries = USUAL_DIRS.map((d) => `${rootfs}/${d}/`);
  for (const m of spec.mounts ?? []) {
    const bind = m.options?.some((o) => o === 'bind' || o === 'rbind');
    if (!bind || !m.source) continue;
    const source = posix.resolve(BUNDLE, m.source);
    entries.push(FILE_DESTINATIONS.includes(m.destination ?? '') ? source : `${source}/`);
  }
  return fakeHost(entries, '6.1.0');
}

/** Warnings these specs really deserve; anything else showing up is a regression. */
const EXPECTED_WARNINGS: Record<string, string[]> = {
  // containerd's default spec mounts cgroup without a cgroup namespace.
  'containerd-cri-reconstructed.json': ['cgroup-without-cgroupns'],
  // crun maps the calling user by itself when rootless; runc would refuse this spec.
  'crun-spec-rootless-cgroupv2.json': ['userns-without-mappings'],
};

for (const dir of ['oci-examples', 'oci-schema-good']) {
  describe(`real-world specs: ${dir}`, () => {
    for (const file of readdirSync(path.join(FIXTURES, dir)).filter((f) => f.endsWith('.json'))) {
      it(`${file} has no error and only the expected warnings`, () => {
        const text = readFileSync(path.join(FIXTURES, dir, file), 'utf8');
        const { findings } = check(text, hostFor(JSON.parse(text)));
        const errors = findings.filter((f) => f.severity === 'error');
        assert.deepEqual(
          errors.map((f) => `${f.code}: ${f.message}`),
          [],
        );
        const warnings = findings.filter((f) => f.severity === 'warning').map((f) => f.code);
        assert.deepEqual(warnings, EXPECTED_WARNINGS[file] ?? []);
      });
    }
  });
}

describe('real-world specs without their bind sources', () => {
  it('reports each missing bind source of the containerd spec, and nothing else as an error', () => {
    const text = readFileSync(
      path.join(FIXTURES, 'oci-examples', 'containerd-cri-reconstructed.json'),
      'utf8',
    );
    const spec = JSON.parse(text);
    const host = fakeHost([`${BUNDLE}/rootfs/tmp/`]);
    const errors = check(text, host).findings.filter((f) => f.severity === 'error');
    assert.deepEqual(
      errors.map((f) => f.code),
      [
        'bind-source-not-found',
        'bind-source-not-found',
        'bind-source-not-found',
        'bind-source-not-found',
      ],
    );
    assert.equal(spec.mounts.filter((m: { type: string }) => m.type === 'bind').length, 4);
  });
});
