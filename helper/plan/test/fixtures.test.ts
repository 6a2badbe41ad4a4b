// Real-world specs (runc, crun, containerd, podman, the runtime-spec's own) plan completely:
// no error, every spec mount becomes a mount(2) call carrying its entry, the runtime's
// additions are only those the spec lacks, and the plan ends inside the rootfs.
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as posix from 'node:path/posix';
import { describe, it } from 'node:test';
import { planBundle } from '../src';
import type { MountOp } from '../src/types';
import { LAUNCH_PROBLEM_CODES } from '../src/launchSpec';
import { fakeHost, type FakeTree } from './fakeHost';

const REFUSAL_CODES: readonly string[] = LAUNCH_PROBLEM_CODES;

const FIXTURES = path.join(__dirname, 'fixtures');
const BUNDLE = '/bundles/b';
const FILE_DESTINATIONS = new Set([
  '/etc/hosts',
  '/etc/hostname',
  '/etc/resolv.conf',
  '/run/.containerenv',
]);

interface LooseSpec {
  root?: { path?: string };
  mounts?: { destination?: string; source?: string; options?: string[] }[];
  linux?: { namespaces?: { type?: string }[] };
}

/** A rootfs with the usual directories, and every bind source present on the host. */
function hostFor(spec: LooseSpec) {
  const rootfs = posix.resolve(BUNDLE, spec.root?.path ?? 'rootfs');
  const tree: FakeTree = {};
  for (const d of ['proc', 'sys', 'dev', 'etc', 'tmp', 'run', 'bin', 'usr'])
    tree[`${rootfs}/${d}`] = 'dir';
  for (const m of spec.mounts ?? []) {
    if (!m.source || !m.options?.some((o) => o === 'bind' || o === 'rbind')) continue;
    tree[posix.resolve(BUNDLE, m.source)] = FILE_DESTINATIONS.has(m.destination ?? '')
      ? 'file'
      : 'dir';
  }
  return fakeHost(tree);
}

const files = ['oci-examples', 'oci-schema-good'].flatMap((dir) =>
  fs
    .readdirSync(path.join(FIXTURES, dir))
    .filter((f) => f.endsWith('.json'))
    .map((f) => path.join(dir, f)),
);

describe('real-world specs plan completely', () => {
  it('finds the fixtures', () => assert.ok(files.length >= 10, files.join(', ')));
  for (const file of files) {
    it(file, () => {
      const text = fs.readFileSync(path.join(FIXTURES, file), 'utf8');
      const spec = JSON.parse(text) as LooseSpec;
      const plan = planBundle({
        text,
        bundleDir: BUNDLE,
        host: hostFor(spec),
        stateDir: '/run/bindery/t',
      });
      assert.deepEqual(
        plan.findings
          // What Bindery does not run yet (terminal, user/time namespaces, no process) is
          // checked per spec in rules/examples.test.ts; here: no other error.
          .filter((f) => f.severity === 'error' && !REFUSAL_CODES.includes(f.code))
          .map((f) => `${f.code}: ${f.message}`),
        [],
      );

      const mountOps = plan.operations.filter(
        (o): o is MountOp =>
          o.op === 'mount' &&
          !o.flags.includes('MS_REMOUNT') &&
          (o.fstype !== null || o.flags.includes('MS_BIND')),
      );
      (spec.mounts ?? []).forEach((m, i) => {
        const own = mountOps.filter((o) => o.origin.kind === 'spec' && o.origin.mountIndex === i);
        assert.equal(own.length, 1, `mounts[${i}] ${m.destination} gives one mount(2) call`);
        assert.equal(
          own[0].target,
          posix.normalize(m.destination!.startsWith('/') ? m.destination! : '/' + m.destination),
        );
      });

      const specDests = new Set(
        plan.mounts.filter((m) => m.index !== null).map((m) => m.destination),
      );
      for (const added of plan.mounts.filter((m) => m.index === null)) {
        assert.ok(
          !specDests.has(added.destination),
          `${added.destination} is added although the spec mounts it`,
        );
        assert.equal(added.origin.kind, 'added');
      }
      const kinds = plan.operations.map((o) => o.op);
      // Without a mount namespace the init chroots (runc 1.1), else it pivots.
      const intoRoot = spec.linux?.namespaces?.some((n) => n.type === 'mount')
        ? 'pivot-root'
        : 'chroot';
      if (spec.root?.path) assert.ok(kinds.indexOf(intoRoot) > kinds.lastIndexOf('mknod'));
    });
  }
});
