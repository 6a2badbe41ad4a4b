// The hooks under runc and under Bindery: every kind writes where it ran (its namespaces
// against the host's, its cwd, uid and environment) and the state it got on stdin into the
// bundle's `hooks/` folder (the container sees it at /hooks), and the order the kinds ran
// in. `collectHooks` turns that into probe lines, so the suite compares them like the rest.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { HOOK_KINDS as KINDS } from '@bindery/plan';
import type { FidelityCase, Spec } from './cases';

const NAMESPACES = ['mnt', 'pid', 'net', 'ipc', 'uts', 'cgroup'];
const OUT = 'hooks';

/** The host's namespace links, read by the test (which runs in the host's namespaces). */
function hostNamespaces(): Record<string, string> {
  return Object.fromEntries(NAMESPACES.map((ns) => [ns, fs.readlinkSync(`/proc/self/ns/${ns}`)]));
}

/** A hook writing its record to `dir` (a host path, or /hooks for startContainer). */
function recorder(kind: string, sh: string, dir: string, host: Record<string, string>): Spec {
  const where = NAMESPACES.map(
    (ns) =>
      `[ "$(readlink /proc/self/ns/${ns})" = "${host[ns]}" ] && w=host || w=container; printf 'hook ${kind} ns-${ns}\\t%s\\n' $w`,
  ).join('\n');
  const script = [
    `cat > ${dir}/${kind}.state`,
    '{',
    where,
    `printf 'hook ${kind} cwd\\t%s\\n' "$(pwd)"`,
    `printf 'hook ${kind} uid\\t%s\\n' "$(id -u):$(id -g)"`,
    `printf 'hook ${kind} argv\\t%s\\n' "$0 $*"`,
    `printf 'hook ${kind} env\\t%s\\n' "$(env | sort | tr '\\n' ' ')"`,
    `} > ${dir}/${kind}.where`,
    `printf '%s ' ${kind} >> ${dir}/order`,
  ].join('\n');
  return { path: sh, args: ['sh', '-c', script, kind, 'one', 'two'], env: ['HOOK_KIND=' + kind, 'PATH=/bin'], timeout: 10 };
}

/** Every hook kind once, recording; the process runs as a user other than root. */
export function withRecordingHooks(spec: Spec, bundleDir: string): void {
  const host = hostNamespaces();
  const hostDir = path.join(bundleDir, OUT);
  fs.mkdirSync(hostDir, { recursive: true, mode: 0o777 });
  fs.chmodSync(hostDir, 0o777);
  // startContainer appends as the process's user; root's hooks would make it 0644 first.
  fs.writeFileSync(path.join(hostDir, 'order'), '', { mode: 0o666 });
  fs.chmodSync(path.join(hostDir, 'order'), 0o666);
  const hostSh = path.join(bundleDir, 'rootfs', 'bin', 'sh');
  spec.hooks = Object.fromEntries(
    KINDS.map((k) => [
      k,
      [k === 'startContainer' ? recorder(k, '/bin/sh', `/${OUT}`, host) : recorder(k, hostSh, hostDir, host)],
    ]),
  );
  spec.annotations = { 'org.example.hooks': 'recorded', 'org.example.empty': '' };
  spec.mounts.push({ destination: `/${OUT}`, type: 'bind', source: OUT, options: ['rbind', 'rw'] });
  spec.process.user = { uid: 1000, gid: 1000 };
}

/** The records as probe lines (`hook KIND key<TAB>value`), numbers that differ per run replaced. */
export function collectHooks(bundleDir: string, id: string): string {
  const dir = path.join(bundleDir, OUT);
  const lines: string[] = [];
  const read = (f: string) => {
    try {
      return fs.readFileSync(path.join(dir, f), 'utf8');
    } catch {
      return undefined;
    }
  };
  lines.push(`hook order\t${(read('order') ?? '(none)').trim()}`);
  let hostPid: unknown;
  for (const kind of KINDS) {
    const where = read(`${kind}.where`);
    if (where === undefined) {
      lines.push(`hook ${kind} ran\tno`);
      continue;
    }
    lines.push(`hook ${kind} ran\tyes`, ...where.trim().split('\n'));
    const text = read(`${kind}.state`) ?? '';
    let state: Record<string, unknown>;
    try {
      state = JSON.parse(text) as Record<string, unknown>;
    } catch {
      lines.push(`hook ${kind} state\tnot JSON: ${text.slice(0, 200)}`);
      continue;
    }
    lines.push(`hook ${kind} state-keys\t${Object.keys(state).join(' ')}`);
    for (const [k, v] of Object.entries(state)) {
      let shown = JSON.stringify(v);
      if (k === 'id') shown = v === id ? '(the container id)' : shown;
      if (k === 'bundle') shown = v === bundleDir ? '(the bundle)' : shown;
      if (k === 'pid' && v !== 1) {
        // The init's host pid: the same for every hook run on the host.
        hostPid ??= v;
        shown = v === hostPid && typeof v === 'number' ? '(the init’s host pid)' : shown;
      }
      lines.push(`hook ${kind} state-${k}\t${shown}`);
    }
  }
  return lines.join('\n') + '\n';
}

export const HOOK_CASES: FidelityCase[] = [
  {
    name: 'hooks: every kind, where it runs and the state it gets',
    change: withRecordingHooks,
    collect: collectHooks,
    differences: ['network-files', 'tmpfs-mode-existing-dir', 'hook-state-version', 'poststart-after-start'],
  },
];

/** A hook of `kind` that fails: runc refuses to go on, and so must Bindery. */
function failing(kind: string, hook: Spec): (spec: Spec) => void {
  return (s) => (s.hooks = { [kind]: [hook] });
}

export const FAILING_HOOKS: { name: string; change: (spec: Spec) => void }[] = [
  { name: 'a prestart hook exits 1', change: failing('prestart', { path: '/bin/false', args: ['false'] }) },
  { name: 'a createRuntime hook exits 1', change: failing('createRuntime', { path: '/bin/false' }) },
  { name: 'a createContainer hook exits 1', change: failing('createContainer', { path: '/bin/false' }) },
  { name: 'a startContainer hook exits 1', change: failing('startContainer', { path: '/bin/false' }) },
  {
    name: 'a createRuntime hook runs past its timeout',
    change: failing('createRuntime', { path: '/bin/sleep', args: ['sleep', '30'], timeout: 1 }),
  },
  { name: 'a prestart hook that does not exist', change: failing('prestart', { path: '/nonexistent/hook' }) },
];
