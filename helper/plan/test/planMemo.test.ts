// A plan made with a rule memo, edit after edit, is the plan made from scratch: the same
// findings at the same places with the same fixes, the same operations. The edits are random
// (seeded) and of every kind an editor sends: a hostname, a mount's destination, type, source
// or options, entries inserted and removed, namespaces, the indentation, white space between
// members, unknown members, broken JSON in between; the host changes under it too.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseSpec, planBundle, PlanMemo } from '../src';
import type { HostEntry, HostView, Plan } from '../src/types';
import { baseSpec, runcMounts } from '../../test/baseSpec';

const BUNDLE = '/bundles/b';

/** A host whose entries a test may change between plans. */
function mutableHost(): { host: HostView; set(path: string, e: HostEntry | null): void } {
  const entries = new Map<string, HostEntry>([
    ['/', { type: 'directory' }],
    ['/bundles', { type: 'directory' }],
    [BUNDLE, { type: 'directory' }],
    [`${BUNDLE}/rootfs`, { type: 'directory' }],
    [`${BUNDLE}/rootfs/tmp`, { type: 'directory' }],
    ['/srv', { type: 'directory' }],
  ]);
  return {
    host: {
      kernelRelease: '6.1.0',
      lstat: (p) => entries.get(p) ?? null,
      readdir: (p) =>
        entries.get(p)?.type === 'directory'
          ? [...entries.keys()]
              .filter(
                (k) =>
                  k !== p &&
                  k.startsWith(p === '/' ? '/' : p + '/') &&
                  !k.slice(p.length + 1).includes('/'),
              )
              .map((k) => k.slice(k.lastIndexOf('/') + 1))
          : null,
    },
    set: (p, e) => (e ? entries.set(p, e) : entries.delete(p)),
  };
}

/** A small seeded generator (mulberry32), so a failure names the step that shows it. */
function random(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(xs: readonly T[]): T => xs[int(xs.length)];
  return { next, int, pick };
}

type Spec = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

const OPTIONS = [
  'rbind',
  'bind',
  'ro',
  'rro',
  'rw',
  'nosuid',
  'nosuidd',
  'nodev',
  'noexec',
  'rprivate',
  'private',
  'mode=1777',
  'size=16m',
  'idmap',
  'relatime',
  'strictatime',
  'tmpcopyup',
  'uid=1000',
];
const DESTINATIONS = [
  '/data',
  '/data/sub',
  'relative/dir',
  '/tmp',
  '/proc',
  '/sys/fs/cgroup',
  '/etc/hosts',
  '/srv/x',
  '/',
  '/data',
];
const TYPES = ['bind', 'tmpfs', 'proc', 'sysfs', 'cgroup', 'none', 'ext4', undefined];
const SOURCES = ['/srv/a', '/srv/b', 'volumes/c', '/missing', 'tmpfs', undefined];
const NAMESPACES = ['pid', 'network', 'ipc', 'uts', 'mount', 'cgroup', 'user', 'time', 'nett'];

function randomMount(r: ReturnType<typeof random>): Spec {
  const m: Spec = { destination: r.pick(DESTINATIONS) };
  const type = r.pick(TYPES);
  if (type !== undefined) m.type = type;
  const source = r.pick(SOURCES);
  if (source !== undefined) m.source = source;
  if (r.next() < 0.8) m.options = Array.from({ length: r.int(5) }, () => r.pick(OPTIONS));
  return m;
}

/** One change to the spec, of a kind chosen at random. */
function edit(spec: Spec, r: ReturnType<typeof random>): void {
  const mounts: Spec[] = spec.mounts;
  const m = mounts.length ? mounts[r.int(mounts.length)] : undefined;
  switch (r.int(12)) {
    case 0:
      spec.hostname = r.pick([
        'box',
        'bx2',
        'a-very-long-hostname-of-the-container',
        '',
        'bad host',
      ]);
      break;
    case 1:
      if ('hostname' in spec) delete spec.hostname;
      else spec.hostname = 'box';
      break;
    case 2:
      if (m) m.destination = r.pick(DESTINATIONS);
      break;
    case 3:
      if (m) m.options = Array.from({ length: r.int(6) }, () => r.pick(OPTIONS));
      break;
    case 4:
      if (m) m.type = r.pick(TYPES);
      break;
    case 5:
      if (m) m.source = r.pick(SOURCES);
      break;
    case 6:
      mounts.splice(r.int(mounts.length + 1), 0, randomMount(r));
      break;
    case 7:
      if (mounts.length) mounts.splice(r.int(mounts.length), 1);
      break;
    case 8: {
      const ns: Spec[] = spec.linux.namespaces;
      if (r.next() < 0.5 && ns.length) ns.splice(r.int(ns.length), 1);
      else ns.push({ type: r.pick(NAMESPACES) });
      break;
    }
    case 9:
      if ('annotations' in spec) delete spec.annotations;
      else spec.annotations = { 'org.example': 'x' };
      break;
    case 10:
      if ('mountz' in spec) delete spec.mountz;
      else spec.mountz = [];
      break;
    case 11:
      spec.root.readonly = !spec.root.readonly;
      break;
  }
}

/** The text of the spec, sometimes laid out another way or with a blemish in it. */
function render(spec: Spec, r: ReturnType<typeof random>, indent: string): string {
  let text = JSON.stringify(spec, null, indent) + '\n';
  const roll = r.next();
  if (roll < 0.08) {
    // Broken: a character taken out somewhere.
    const at = r.int(text.length);
    text = text.slice(0, at) + text.slice(at + 1);
  } else if (roll < 0.14) {
    // White space added before a member, or before the whole object.
    const at = r.next() < 0.3 ? 0 : text.indexOf('\n', r.int(text.length)) + 1;
    text = text.slice(0, at) + '   ' + text.slice(at);
  } else if (roll < 0.17) {
    text = text.replace('"ociVersion"', '// a comment\n  "ociVersion"');
  } else if (roll < 0.2) {
    text = text.replace(/\n\}\n$/, ',\n}\n');
  } else if (roll < 0.23) {
    text = text.replace(
      '"ociVersion"',
      '"hostname": "dup",\n  "hostname": "dup2",\n  "ociVersion"',
    );
  } else if (roll < 0.25) {
    text = text.replace(/\n/g, '\r\n');
  }
  return text;
}

/** What the editor shows of a plan: findings with places and fixes, and the operations. */
function shown(plan: Plan) {
  return {
    findings: plan.findings,
    operations: plan.operations,
    mounts: plan.mounts,
    rootfs: plan.rootfs,
    launch: plan.launch,
  };
}

/** The first finding (or else part of the plan) that differs, short enough to read in a failure. */
function firstDifference(a: Plan, b: Plan): string {
  for (let i = 0; i < Math.max(a.findings.length, b.findings.length); i++) {
    const x = JSON.stringify(a.findings[i]);
    const y = JSON.stringify(b.findings[i]);
    if (x !== y) return `finding ${i}:\n  with the memo ${x}\n  from scratch  ${y}`;
  }
  const x = JSON.stringify(shown(a));
  const y = JSON.stringify(shown(b));
  let i = 0;
  while (i < x.length && x[i] === y[i]) i++;
  return `the plans differ at …${x.slice(Math.max(0, i - 200), i + 100)}\n  from scratch …${y.slice(Math.max(0, i - 200), i + 100)}`;
}

describe('PlanMemo: a plan made with the memo equals a plan made from scratch', () => {
  for (const seed of [1, 2, 3]) {
    it(`after each of 400 random edits (seed ${seed})`, () => {
      const r = random(seed);
      const { host, set } = mutableHost();
      const spec: Spec = baseSpec({
        mounts: [
          ...runcMounts('/proc', '/dev', '/dev/pts', '/dev/shm', '/sys', '/sys/fs/cgroup'),
          ...Array.from({ length: 8 }, () => randomMount(r)),
        ],
      });
      spec.hostname = 'box';
      const memo = new PlanMemo();
      let indent = '  ';
      let reused = 0;
      for (let step = 0; step < 400; step++) {
        edit(spec, r);
        if (r.next() < 0.05) indent = r.pick(['  ', '    ', '\t', ' ']);
        if (r.next() < 0.05)
          set(
            r.pick(['/srv/a', '/srv/b', `${BUNDLE}/volumes/c`]),
            r.next() < 0.5 ? { type: 'directory' } : null,
          );
        if (r.next() < 0.03)
          set(`${BUNDLE}/rootfs/tmp`, r.next() < 0.5 ? { type: 'directory' } : null);
        const text = render(spec, r, indent);
        const document = parseSpec(text);
        const withMemo = planBundle({ text, bundleDir: BUNDLE, host, document, memo });
        reused += memo.lastRun.reused;
        const fresh = planBundle({ text, bundleDir: BUNDLE, host });
        assert.deepStrictEqual(
          shown(withMemo),
          shown(fresh),
          `step ${step} (seed ${seed}): ${firstDifference(withMemo, fresh)}\ntext:\n${text}`,
        );
      }
      // The memo must have been used, or this test shows nothing.
      assert.ok(reused > 400 * 10, `only ${reused} rule runs were reused`);
    });
  }

  it('sees the indentation of the line a member starts on, which fixes copy', () => {
    const { host } = mutableHost();
    const spec: Spec = baseSpec({ mounts: [] });
    spec.hostname = 'box';
    const memo = new PlanMemo();
    const text = JSON.stringify(spec, null, 2);
    planBundle({ text, bundleDir: BUNDLE, host, memo });
    for (const indented of [
      text.replace('\n  "mounts"', '\n      "mounts"'),
      text.replace('\n  "mounts"', '\n\t"mounts"'),
      // The document's indent unit, which the fix copies, changed on a line the rule never reads.
      text.replace('\n  "hostname"', '\n\t"hostname"'),
      text.replace('\n  "hostname"', '\n "hostname"'),
    ]) {
      const withMemo = planBundle({ text: indented, bundleDir: BUNDLE, host, memo });
      const fresh = planBundle({ text: indented, bundleDir: BUNDLE, host });
      assert.ok(
        fresh.findings.some((f) => f.code === 'tmp-not-mounted' && f.fixes?.length),
        'a fix that inserts into mounts',
      );
      assert.deepStrictEqual(withMemo.findings, fresh.findings);
    }
  });

  it('is keyed by what a rule reads: a changed mount is seen, an unchanged one is reused', () => {
    const { host } = mutableHost();
    const spec: Spec = baseSpec({ mounts: runcMounts('/proc', '/dev') });
    spec.hostname = 'box';
    const memo = new PlanMemo();
    const plan = (s: Spec) =>
      planBundle({ text: JSON.stringify(s, null, 2), bundleDir: BUNDLE, host, memo });
    plan(spec);
    spec.mounts.push({ destination: 'data', type: 'bind', source: '/srv/a', options: ['rbind'] });
    const after = plan(spec);
    assert.ok(
      after.findings.some(
        (f) => f.code === 'relative-destination' || f.path.join('.').startsWith('mounts.2'),
      ),
      'the new mount is checked',
    );
    assert.deepStrictEqual(
      after.findings,
      planBundle({ text: JSON.stringify(spec, null, 2), bundleDir: BUNDLE, host }).findings,
    );
    spec.hostname = 'bx2';
    plan(spec);
    assert.ok(
      memo.lastRun.reused > memo.lastRun.ran,
      `a hostname edit re-ran ${memo.lastRun.ran} rules and reused ${memo.lastRun.reused}`,
    );
  });
});
