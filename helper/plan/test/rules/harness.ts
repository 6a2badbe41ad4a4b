// Runs the rules on a spec text against a fake host, and applies fixes, for the rule tests.
import * as posix from 'node:path/posix';
import { parseSpec, type SpecDocument } from '../../src/document';
import { planBundle } from '../../src/planBundle';
import { applyEdits } from '../../src/rules/edits';
import type { Finding, Fix, HostEntry, HostView } from '../../src/types';
import { baseSpec, runcMounts } from '../../../test/baseSpec';

export const BUNDLE = '/bundles/app';
export const ROOTFS = `${BUNDLE}/rootfs`;

/** The directories of a typical image, all present and empty. */
export const USUAL_DIRS = [
  'bin',
  'dev',
  'etc',
  'proc',
  'sys',
  'tmp',
  'usr',
  'var',
  'run',
  'root',
  'home',
];

/**
 * A host made of the listed entries. Parents of every entry exist as directories; paths end
 * with '/' for directories, '@target' for symlinks, anything else is a regular file.
 */
export function fakeHost(entries: string[], kernelRelease?: string): HostView {
  const table = new Map<string, HostEntry>();
  const children = new Map<string, Set<string>>();
  const add = (path: string, entry: HostEntry) => {
    table.set(path, entry);
    let p = path;
    while (p !== '/') {
      const parent = posix.dirname(p);
      if (!children.has(parent)) children.set(parent, new Set());
      children.get(parent)!.add(posix.basename(p));
      if (!table.has(parent)) table.set(parent, { type: 'directory' });
      p = parent;
    }
  };
  for (const e of entries) {
    const at = e.indexOf('@');
    if (at >= 0) add(e.slice(0, at), { type: 'symlink', linkTarget: e.slice(at + 1) });
    else if (e.endsWith('/')) add(e.slice(0, -1) || '/', { type: 'directory' });
    else add(e, { type: 'file' });
  }
  return {
    lstat: (path) => table.get(posix.normalize(path)) ?? null,
    readdir: (path) => {
      const entry = table.get(posix.normalize(path));
      if (entry?.type !== 'directory') return null;
      return [...(children.get(posix.normalize(path)) ?? [])];
    },
    kernelRelease,
  };
}

/** A bundle whose rootfs has the usual, empty directories. */
export function usualHost(extra: string[] = [], kernelRelease = '6.1.0'): HostView {
  return fakeHost([...USUAL_DIRS.map((d) => `${ROOTFS}/${d}/`), ...extra], kernelRelease);
}

export interface Checked {
  doc: SpecDocument;
  findings: Finding[];
  byCode(code: string): Finding[];
  one(code: string): Finding;
}

export function check(text: string, host: HostView = usualHost(), bundleDir = BUNDLE): Checked {
  const plan = planBundle({ text, bundleDir, host });
  const findings = plan.findings;
  const byCode = (code: string) => findings.filter((f) => f.code === code);
  return {
    doc: parseSpec(text),
    findings,
    byCode,
    one(code) {
      const found = byCode(code);
      if (found.length !== 1) {
        throw new Error(
          `expected one ${code}, got ${found.length}: ${JSON.stringify(findings.map((f) => f.code))}`,
        );
      }
      return found[0];
    },
  };
}

/** The text after applying a fix (the first, or the one whose title contains `title`). */
export function applyFix(checked: Checked, finding: Finding, title?: string): string {
  const fix: Fix | undefined = title
    ? finding.fixes?.find((f) => f.title.includes(title))
    : finding.fixes?.[0];
  if (!fix) throw new Error(`no fix${title ? ` "${title}"` : ''} on ${finding.code}`);
  return applyEdits(checked.doc.text, fix.edits, checked.doc);
}

function positionOf(text: string, offset: number): { line: number; character: number } {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

/** Position of the n-th (0-based) occurrence of `needle` in `text`, as LSP line/character. */
export function posOf(text: string, needle: string, nth = 0): { line: number; character: number } {
  return positionOf(text, offsetOf(text, needle, nth));
}

function offsetOf(text: string, needle: string, nth: number): number {
  let at = -1;
  for (let i = 0; i <= nth; i++) {
    at = text.indexOf(needle, at + 1);
    if (at < 0) throw new Error(`"${needle}" not found`);
  }
  return at;
}

/** The range of the n-th occurrence of `needle`. */
export function rangeOf(text: string, needle: string, nth = 0) {
  const at = offsetOf(text, needle, nth);
  return { start: positionOf(text, at), end: positionOf(text, at + needle.length) };
}
/**
 * The rule tests' spec: the base with a bare process and root, the system mounts but
 * /dev/mqueue, and a /tmp. `patch` reshapes it before it is written out.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reshape the spec freely
export function spec(patch: (s: any) => void = () => {}): string {
  const s = baseSpec({
    terminal: null,
    env: null,
    readonlyRoot: null,
    mounts: [
      ...runcMounts('/proc', '/dev', '/dev/pts', '/dev/shm', '/sys'),
      {
        destination: '/tmp',
        type: 'tmpfs',
        source: 'tmpfs',
        options: ['nosuid', 'nodev', 'mode=1777'],
      },
    ],
  });
  patch(s);
  return JSON.stringify(s, null, 2) + '\n';
}

/** The rule tests' spec with one more mount, after the base's. */
export function withMount(mount: Record<string, unknown>): string {
  return spec((s) => s.mounts.push(mount));
}

/** One id range for user-namespace mappings: container 0–65535 on host 100000–165535. */
export const ID_MAP = [{ containerID: 0, hostID: 100000, size: 65536 }];

/** The rule tests' spec in a new user namespace mapped by ID_MAP, then `patch`ed. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests reshape the spec freely
export function withUser(patch: (s: any) => void = () => {}): string {
  return spec((s) => {
    s.linux.namespaces.push({ type: 'user' });
    s.linux.uidMappings = ID_MAP;
    s.linux.gidMappings = ID_MAP;
    patch(s);
  });
}
