// No false positives: specs that runtimes accept give no error (except what Bindery itself
// does not run yet, listed per spec). Each gets a rootfs with the
// usual directories, and its bind sources exist on the fake host (files for file mounts).
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import * as posix from 'node:path/posix';
import { describe, it } from 'node:test';
import type { Finding } from '../../src/types';
import { BUNDLE, USUAL_DIRS, check, fakeHost, spec } from './harness';

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

const FNA = 'feature-not-applied';

/**
 * Warnings these specs really deserve (`code path`); anything else showing up is a regression.
 * `feature-not-applied`: what runc would do with the spec and Bindery does not (yet).
 */
const EXPECTED_WARNINGS: Record<string, string[]> = {
  // containerd's default spec mounts cgroup without a cgroup namespace.
  'containerd-cri-reconstructed.json': ['cgroup-without-cgroupns mounts.6.type'],
  // crun maps the calling user by itself when rootless; runc would refuse this spec.
  'crun-spec-rootless-cgroupv2.json': [],
  // linux.resources is applied, or refused or ignored as runc does (other codes).
  // Its AppArmor/SELinux labels are applied on a host with the module (execLabelPlan.ts).
  'runtime-spec-config-md-example.json': [],
  'linux-netdevice.json': [`${FNA} linux.netDevices`],
};
EXPECTED_WARNINGS['spec-example.json'] = EXPECTED_WARNINGS['runtime-spec-config-md-example.json'];

/**
 * What runc runs and Bindery does not (yet), as warnings that stop a launch (`code path`):
 * a spec without a process. None is an error: the specs are valid. (`process.terminal:
 * true`, in most of them, runs with a terminal; user and time namespaces run: no finding.)
 */
const BINDERY_LIMITS: Record<string, string[]> = {
  'crun-spec-rootless-cgroupv2.json': [
    // No maps: crun maps the calling user; runc refuses it, and so does Bindery.
    'userns-without-mappings linux.namespaces.4.type',
  ],
  'linux-netdevice.json': ['process-missing '],
  'linux-rdma.json': ['process-missing '],
  'minimal.json': ['process-missing '],
};
BINDERY_LIMITS['spec-example.json'] = BINDERY_LIMITS['runtime-spec-config-md-example.json'];

const codeAndPath = (f: Finding) => `${f.code} ${f.path.join('.')}`;

for (const dir of ['oci-examples', 'oci-schema-good']) {
  describe(`real-world specs: ${dir}`, () => {
    for (const file of readdirSync(path.join(FIXTURES, dir)).filter((f) => f.endsWith('.json'))) {
      it(`${file} has no error, only the expected warnings, and only Bindery's limits block a launch`, () => {
        const text = readFileSync(path.join(FIXTURES, dir, file), 'utf8');
        const { findings } = check(text, hostFor(JSON.parse(text)));
        assert.deepEqual(
          findings.filter((f) => f.severity === 'error').map((f) => `${f.code}: ${f.message}`),
          [],
        );
        const limits = BINDERY_LIMITS[file] ?? [];
        assert.deepEqual(
          findings
            .filter((f) => f.severity === 'warning')
            .map(codeAndPath)
            .sort(),
          [...(EXPECTED_WARNINGS[file] ?? []), ...limits].sort(),
        );
        assert.deepEqual(
          findings
            .filter((f) => f.blocksLaunch)
            .map(codeAndPath)
            .sort(),
          [...limits].sort(),
        );
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

describe('the shipped example', () => {
  it('examples/hello has no finding at all', () => {
    const bundle = path.join(__dirname, '..', '..', '..', '..', 'examples', 'hello');
    const text = readFileSync(path.join(bundle, 'config.json'), 'utf8');
    const host = fakeHost([...USUAL_DIRS.map((d) => `${BUNDLE}/rootfs/${d}/`), `${BUNDLE}/data/`]);
    assert.deepEqual(
      check(text, host).findings.map((f) => `${f.severity} ${f.code}: ${f.message}`),
      [],
    );
  });
});

describe('the base spec of the rule tests', () => {
  it('the base spec of these tests has no finding at all', () => {
    assert.deepEqual(check(spec()).findings, []);
  });
});
