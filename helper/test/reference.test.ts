// Side by side with runtime-tools' validator (`oci-runtime-tool validate`, built by
// test/reference/build.sh from ../shared/conformance): on every spec of the corpus, each MUST
// violation the reference reports is an error of `bindery validate` on the same entry, and
// every error Bindery reports beyond the reference's is listed below with the reason.
// The corpus: the real-world specs and schema fixtures of ../shared/reference, and broken
// variants of runc's default spec, one per rule of the spec Bindery checks.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { after, describe, it } from 'node:test';
import { validateCommand } from '../src/cli/validate';
import { type JsonPath, parseSpec, type Range, S_IFMT, type SpecDocument } from '@bindery/plan';
import { requireSharedReference, sharedReference } from './sharedReference';

const REPO = path.resolve(__dirname, '..', '..');
const TOOL =
  process.env.BINDERY_REFERENCE_VALIDATOR ?? path.join(REPO, '.reference', 'oci-runtime-tool');

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- variants reshape specs freely
type Spec = any;

/** A broken variant: what it breaks, and how. */
interface Variant {
  name: string;
  change(s: Spec): void;
  /** Replaces the JSON text after `change` (broken JSON). */
  text?(json: string): string;
}

const VARIANTS: Variant[] = [
  { name: 'base (runc spec, 1.1.0, no terminal)', change: () => {} },
  { name: 'ociVersion 1.0 (not SemVer)', change: (s) => (s.ociVersion = '1.0') },
  { name: 'ociVersion v1.1.0 (not SemVer)', change: (s) => (s.ociVersion = 'v1.1.0') },
  { name: 'no ociVersion', change: (s) => delete s.ociVersion },
  { name: 'no root.path', change: (s) => delete s.root.path },
  {
    name: 'rlimit type twice',
    change: (s) => s.process.rlimits.push({ type: 'RLIMIT_NOFILE', hard: 10, soft: 10 }),
  },
  {
    name: 'rlimit soft above hard',
    change: (s) => (s.process.rlimits = [{ type: 'RLIMIT_CORE', hard: 1, soft: 2 }]),
  },
  {
    name: 'c device without major',
    change: (s) => (s.linux.devices = [{ path: '/dev/fuse', type: 'c', minor: 229 }]),
  },
  {
    name: 'b device without numbers',
    change: (s) => (s.linux.devices = [{ path: '/dev/loop0', type: 'b' }]),
  },
  {
    name: 'u device without minor',
    change: (s) => (s.linux.devices = [{ path: '/dev/x', type: 'u', major: 1 }]),
  },
  {
    name: 'p device without numbers (valid)',
    change: (s) => (s.linux.devices = [{ path: '/dev/fifo', type: 'p' }]),
  },
  {
    name: 'device fileMode with type bits (runc accepts)',
    change: (s) =>
      (s.linux.devices = [
        { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 8630 },
        { path: '/dev/null2', type: 'c', major: 1, minor: 3, fileMode: 8630 },
      ]),
  },
  {
    name: 'device fileMode with setuid bits',
    change: (s) =>
      (s.linux.devices = [{ path: '/dev/x', type: 'c', major: 1, minor: 3, fileMode: 2486 }]),
  },
  {
    name: 'device type x',
    change: (s) => (s.linux.devices = [{ path: '/dev/x', type: 'x', major: 1, minor: 3 }]),
  },
  {
    name: 'personality domain LINUX64',
    change: (s) => (s.linux.personality = { domain: 'LINUX64' }),
  },
  {
    name: 'seccomp architecture AMD64',
    change: (s) =>
      (s.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_AMD64'] }),
  },
  {
    name: 'seccomp defaultAction DENY',
    change: (s) => (s.linux.seccomp = { defaultAction: 'SCMP_ACT_DENY' }),
  },
  {
    name: 'seccomp flag unknown',
    change: (s) =>
      (s.linux.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_ALL'] }),
  },
  {
    name: 'seccomp syscall action and op unknown',
    change: (s) =>
      (s.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [
          {
            names: ['mount'],
            action: 'SCMP_ACT_BLOCK',
            args: [{ index: 0, value: 1, op: 'SCMP_CMP_EQUAL' }],
          },
        ],
      }),
  },
  {
    name: 'seccomp syscall without names',
    change: (s) =>
      (s.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: [], action: 'SCMP_ACT_ERRNO' }],
      }),
  },
  {
    name: 'seccomp syscall name that does not exist',
    change: (s) =>
      (s.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['mkdri'], action: 'SCMP_ACT_ERRNO' }],
      }),
  },
  {
    name: 'memoryPolicy mode unknown',
    change: (s) => (s.linux.memoryPolicy = { mode: 'MPOL_ANYWHERE' }),
  },
  {
    name: 'memoryPolicy flag unknown',
    change: (s) =>
      (s.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_NONE'] }),
  },
  {
    name: 'scheduler policy unknown',
    change: (s) => (s.process.scheduler = { policy: 'SCHED_FAST' }),
  },
  {
    name: 'ioPriority class unknown',
    change: (s) => (s.process.ioPriority = { class: 'IOPRIO_CLASS_FAST', priority: 1 }),
  },
  { name: 'rootfsPropagation unknown', change: (s) => (s.linux.rootfsPropagation = 'everywhere') },
  { name: 'namespace type unknown', change: (s) => s.linux.namespaces.push({ type: 'netns' }) },
  { name: 'namespace twice', change: (s) => s.linux.namespaces.push({ type: 'pid' }) },
  {
    name: 'namespace path relative',
    change: (s) =>
      (s.linux.namespaces.find((n: { type: string }) => n.type === 'network').path = 'run/netns/x'),
  },
  {
    name: 'hugepage size malformed',
    change: (s) => (s.linux.resources.hugepageLimits = [{ pageSize: '2M', limit: 1 }]),
  },
  {
    name: 'device cgroup access malformed',
    change: (s) => (s.linux.resources.devices[0].access = 'rwx'),
  },
  {
    name: 'net sysctl without network namespace',
    change: (s) => {
      s.linux.namespaces = s.linux.namespaces.filter((n: { type: string }) => n.type !== 'network');
      s.linux.sysctl = { 'net.ipv4.ip_forward': '1' };
    },
  },
  {
    name: 'net sysctl with network namespace (valid)',
    change: (s) => (s.linux.sysctl = { 'net.ipv4.ip_forward': '1' }),
  },
  {
    name: 'sysctl outside any namespace',
    change: (s) => (s.linux.sysctl = { 'vm.swappiness': '10' }),
  },
  {
    name: 'hostname without UTS namespace',
    change: (s) =>
      (s.linux.namespaces = s.linux.namespaces.filter((n: { type: string }) => n.type !== 'uts')),
  },
  {
    name: 'uid mappings without user namespace',
    change: (s) => {
      s.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      s.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
    },
  },
  {
    name: 'proc mounted as tmpfs',
    change: (s) => Object.assign(s.mounts[0], { type: 'tmpfs', source: 'tmpfs' }),
  },
  {
    name: 'proc mounted as sysfs',
    change: (s) => Object.assign(s.mounts[0], { type: 'sysfs', source: 'sysfs' }),
  },
  { name: 'tmpfs mode=789', change: (s) => (s.mounts[1].options = ['nosuid', 'mode=789']) },
  { name: 'tmpfs size garbage', change: (s) => (s.mounts[1].options = ['nosuid', 'size=lots']) },
  {
    name: 'tmpfs uid not a number',
    change: (s) => (s.mounts[1].options = ['nosuid', 'uid=nobody']),
  },
  {
    name: 'devpts gid not a number',
    change: (s) => (s.mounts[2].options = ['nosuid', 'newinstance', 'gid=tty']),
  },
  {
    name: 'crun-only idmap= on a bind',
    change: (s) =>
      s.mounts.push({
        destination: '/data',
        type: 'bind',
        source: '/tmp',
        options: ['rbind', 'idmap=uids=0-1000-1;gids=0-1000-1'],
      }),
  },
  { name: 'mount destination relative', change: (s) => (s.mounts[1].destination = 'dev') },
  { name: 'masked path relative', change: (s) => s.linux.maskedPaths.push('proc/kcore') },
  { name: 'readonly path relative', change: (s) => s.linux.readonlyPaths.push('proc/sys') },
  { name: 'cwd relative', change: (s) => (s.process.cwd = 'home') },
  { name: 'args empty', change: (s) => (s.process.args = []) },
  { name: 'env entry without =', change: (s) => s.process.env.push('NOVALUE') },
  { name: 'capability unknown', change: (s) => s.process.capabilities.bounding.push('CAP_FLY') },
  { name: 'oomScoreAdj out of range', change: (s) => (s.process.oomScoreAdj = 5000) },
  { name: 'root.readonly as a string', change: (s) => (s.root.readonly = 'true') },
  { name: 'uid negative', change: (s) => (s.process.user.uid = -1) },
  {
    name: 'hook path relative',
    change: (s) => (s.hooks = { poststop: [{ path: 'bin/cleanup' }] }),
  },
  { name: 'JSON missing a closing brace', change: () => {}, text: (j) => j.trimEnd().slice(0, -1) },
  {
    name: 'JSON trailing comma',
    change: () => {},
    text: (j) => j.replace('"rootfs"', '"rootfs",'),
  },
];

/** What a reference error means: a MUST on a spec entry, or why it is not one for Bindery. */
type Verdict = { path: JsonPath; alsoAt?: JsonPath[] } | { notMust: string };

interface Case {
  name: string;
  text: string;
}

const VERSION_LIMIT =
  "the reference's own limit (it only knows runtime-spec 1.1.0 and skips the schema before 1.0.2), not a rule of the spec";

/** Each reference message the corpus produces, read as runtime-tools writes it. */
function classify(message: string, doc: SpecDocument, spec: Spec): Verdict | undefined {
  let m: RegExpExecArray | null;
  const indexWhere = (list: unknown[] | undefined, test: (x: Spec) => boolean) =>
    (list ?? []).findIndex(test);
  if (/^validate currently only handles version|^unsupported configuration version/.test(message))
    return { notMust: VERSION_LIMIT };
  // blang/semver's words, through CheckSemVer and the schema address it builds from the version.
  if (
    /is not valid SemVer|^No Major\.Minor\.Patch|^Invalid character\(s\) found|^Version string empty|^(Major|Minor|Patch) number must|^Invalid (Pre|Build)/.test(
      message,
    )
  )
    return { path: ['ociVersion'] };
  if (/^root\.path is ".*", but it MUST be a child of/.test(message))
    return {
      notMust:
        'bundle layout for distributing bundles: runc and crun run a root.path outside the bundle, and podman writes one',
    };
  if (/^cannot find the root path|^root\.path .* is not a directory/.test(message))
    return { path: ['root', 'path'] };
  if (/^key "org\.opencontainers.*" is reserved/.test(message))
    return {
      notMust:
        'the reservation binds later specifications; the image spec defines org.opencontainers.image.* annotations and podman writes them',
    };
  if (/^stat .*\/etc\/apparmor\.d\//.test(message))
    return {
      notMust:
        'AppArmor profiles are loaded on the host; the reference looks for the profile inside the rootfs',
    };
  if ((m = /^ambient capability "(.*)" is not allowed/.exec(message)))
    return {
      notMust:
        "runc raises what ambient capabilities it can and only warns (crun's own default spec has this)",
    };
  if ((m = /^device \{(\S+) (\S+) (-?\d+) (-?\d+) /.exec(message))) {
    const [, devPath, type, major, minor] = m;
    const i = indexWhere(spec.linux?.devices, (d) => d.path === devPath);
    const entry = spec.linux?.devices?.[i];
    if (entry && ['c', 'b', 'u'].includes(type) && 'major' in entry && 'minor' in entry)
      return {
        notMust: `the reference refuses major or minor 0 (${major}:${minor}); the spec only requires the numbers, and 8:0 is /dev/sda`,
      };
    if (entry && !['c', 'b', 'u', 'p'].includes(type))
      return { path: ['linux', 'devices', i, 'type'] };
    return { path: ['linux', 'devices', i] };
  }
  if ((m = /^rlimit can not contain the same type "(.*)"/.exec(message))) {
    const indices = (spec.process.rlimits as { type: string }[])
      .map((r, i) => (r.type === m![1] ? i : -1))
      .filter((i) => i >= 0);
    return { path: ['process', 'rlimits', indices[1], 'type'] };
  }
  if ((m = /^hard limit of rlimit (\S+) should not be less than soft limit/.exec(message)))
    return {
      path: ['process', 'rlimits', indexWhere(spec.process.rlimits, (r) => r.type === m![1])],
    };
  if ((m = /^mounts\[(\d+)\]\.destination ".*" is not absolute/.exec(message)))
    return {
      notMust:
        'runtime-spec 1.1 turned this MUST into a SHOULD: runc and crun read a relative destination from "/"; Bindery warns (destination-not-absolute)',
    };
  if ((m = /^sysctl (\S+) requires a new Network namespace/.exec(message)))
    return { path: ['linux', 'sysctl', m[1]] };
  if (/^on Linux, hostname requires a new UTS namespace/.test(message))
    return { path: ['hostname'] };
  if (/^the UID\/GID mappings requires a new User namespace/.test(message))
    return { path: ['linux', 'uidMappings'], alsoAt: [['linux', 'gidMappings']] };
  if ((m = /^duplicated namespace "(.*)"/.exec(message))) return { path: ['linux', 'namespaces'] };
  if ((m = /^namespace\.path "(.*)" is not an absolute path/.exec(message)))
    return {
      path: [
        'linux',
        'namespaces',
        indexWhere(spec.linux.namespaces, (n) => n.path === m![1]),
        'path',
      ],
    };
  if ((m = /^(masked|readonly)Path (\S+) is not an absolute path/.exec(message))) {
    const key = m[1] === 'masked' ? 'maskedPaths' : 'readonlyPaths';
    return { path: ['linux', key, (spec.linux[key] as string[]).indexOf(m[2])] };
  }
  if (/^cwd ".*" is not an absolute path/.test(message)) return { path: ['process', 'cwd'] };
  if (/^args must not be empty/.test(message)) return { path: ['process', 'args'] };
  if ((m = /^env "(.*)" should be in the form of 'key=value'/.exec(message))) {
    if (m[1].includes('='))
      return { notMust: 'runc and crun take any name before "="; the POSIX name rule is a SHOULD' };
    return { path: ['process', 'env', (spec.process.env as string[]).indexOf(m[1])] };
  }
  if (/^capability ".*" is not valid/.test(message))
    return {
      notMust:
        'runc 1.1 skips a capability it does not know and only warns (conformance: process_capabilities_fail); Bindery does the same, with the warning unknown-capability',
    };
  if (/^access \S* is invalid|^type of devices \S* is invalid/.test(message))
    return { path: ['linux', 'resources', 'devices'] };
  if ((m = /^hooks\.(\w+)\[(\d+)\]\.path .*: is not absolute path/.exec(message)))
    return { path: ['hooks', m[1], Number(m[2]), 'path'] };
  if ((m = /^'(\w+)\.(\w+)' should not be empty/.exec(message)))
    return { path: mandatoryPath(m[1], m[2]) };
  if ((m = /^json: cannot unmarshal .* into Go struct field \w+\.(\S+) of type/.exec(message)))
    return { path: deepestExisting(doc, m[1].split('.')) };
  if (/^invalid character|^unexpected end of JSON input/.test(message)) return { path: [] };
  // The JSON schema, as gojsonschema words it: "field: description".
  if ((m = /^(\(root\)|[\w.-]+): (.*)$/s.exec(message))) {
    const field = m[1] === '(root)' ? [] : schemaPath(doc, m[1]);
    if (/Must be less than or equal to 511/.test(m[2]) && field.at(-1) === 'fileMode') {
      const mode = doc.nodeAt(field)?.value as number;
      if ((mode & ~S_IFMT) <= 0o777)
        return {
          notMust:
            'a fileMode with the file-type bits (Docker wrote S_IFCHR|0600): runc and crun strip them; Bindery says so once, as information',
        };
    }
    return { path: field };
  }
  return undefined;
}

/** Where checkMandatory's Go struct names sit in the spec. */
function mandatoryPath(struct: string, field: string): JsonPath {
  const at: Record<string, JsonPath> = {
    Spec: [],
    Root: ['root'],
    Process: ['process'],
    Mount: ['mounts'],
    POSIXRlimit: ['process', 'rlimits'],
    LinuxDevice: ['linux', 'devices'],
    LinuxNamespace: ['linux', 'namespaces'],
    Hook: ['hooks'],
    LinuxSeccomp: ['linux', 'seccomp'],
    LinuxSyscall: ['linux', 'seccomp', 'syscalls'],
  };
  if (!(struct in at)) throw new Error(`unknown struct ${struct}.${field}`);
  return at[struct];
}

/** A dotted schema field ("linux.sysctl.net.ipv4.ip_forward") as a path of the document. */
function schemaPath(doc: SpecDocument, field: string): JsonPath {
  const parts = field.split('.');
  const out: JsonPath = [];
  let node = doc.tree;
  while (parts.length && node) {
    if (node.type === 'array') {
      const i = Number(parts.shift());
      out.push(i);
      node = node.children?.[i];
      continue;
    }
    // The longest run of parts that is a key (keys may hold dots).
    let found = false;
    for (let n = parts.length; n > 0; n--) {
      const key = parts.slice(0, n).join('.');
      const prop = node.children?.find((p) => p.children?.[0]?.value === key);
      if (prop) {
        out.push(key);
        parts.splice(0, n);
        node = prop.children?.[1];
        found = true;
        break;
      }
    }
    if (!found) break;
  }
  return out;
}

function deepestExisting(doc: SpecDocument, parts: string[]): JsonPath {
  let best: JsonPath = [];
  for (let n = 1; n <= parts.length; n++)
    if (doc.nodeAt(parts.slice(0, n))) best = parts.slice(0, n);
  return best;
}

/**
 * Errors Bindery reports that the reference does not, by spec and code, with the reason. Every
 * entry must still happen: a stale one fails the test.
 */
// Depends on the host (its files), so it may or may not happen.
const RUNTIME_REFUSES_BIND_SOURCE =
  'the bind source does not exist on this host: runc fails at run time ("no such file or directory"); the reference does not look at the host';
// Depends on the host (its cgroup controllers and security modules), so it may or may not happen.
const HOST_LACKS_IT =
  'this host lacks the cgroup controller or security module the field needs: runc refuses the spec here too; the reference does not look at the host';
const HOST_DEPENDENT = new Set([RUNTIME_REFUSES_BIND_SOURCE, HOST_LACKS_IT]);
const GO_TYPES_DROP =
  "the reference decodes the spec into runtime-spec 1.1.0's Go types, which drop this field before its schema check; the schema refuses the value";
const OTHER_PLATFORM =
  'a FreeBSD or z/OS spec without a linux section: run on Linux, runc refuses a hostname without a UTS namespace; the reference checks namespaces only when linux is present';
const SCHEMA_SKIPPED =
  'the schema refuses it; the reference skips the schema for specs older than 1.0.2';
const BINDERY_ONLY: Record<string, Record<string, string>> = {
  'engine-specs/containerd/config.json': { 'bind-source-not-found': RUNTIME_REFUSES_BIND_SOURCE },
  'engine-specs/containerd/config-tty.json': {
    'bind-source-not-found': RUNTIME_REFUSES_BIND_SOURCE,
  },
  'engine-specs/podman/config.json': { 'bind-source-not-found': RUNTIME_REFUSES_BIND_SOURCE },
  'engine-specs/podman/config-tty.json': { 'bind-source-not-found': RUNTIME_REFUSES_BIND_SOURCE },
  'oci-examples/containerd-cri-reconstructed.json': {
    'bind-source-not-found': RUNTIME_REFUSES_BIND_SOURCE,
  },
  'oci-examples/podman-reconstructed.json': {
    'bind-source-not-found': RUNTIME_REFUSES_BIND_SOURCE,
  },
  'oci-examples/runtime-spec-config-md-example.json': {
    'lsm-not-available': HOST_LACKS_IT,
    'resource-not-available': HOST_LACKS_IT,
  },
  'oci-schema/test/config/good/linux-rdma.json': { 'resource-not-available': HOST_LACKS_IT },
  'oci-schema/test/config/good/spec-example.json': {
    'lsm-not-available': HOST_LACKS_IT,
    'resource-not-available': HOST_LACKS_IT,
  },
  'oci-schema/test/config/bad/linux-hugepage.json': {
    'invalid-format': SCHEMA_SKIPPED,
    'resource-not-available': HOST_LACKS_IT,
  },
  'variant: hugepage size malformed': { 'resource-not-available': HOST_LACKS_IT },
  'oci-schema/test/config/bad/linux-netdevice.json': { 'wrong-type': SCHEMA_SKIPPED },
  'oci-schema/test/config/good/freebsd-example.json': {
    'hostname-without-uts-namespace': OTHER_PLATFORM,
  },
  'oci-schema/test/config/good/zos-example.json': {
    'hostname-without-uts-namespace': OTHER_PLATFORM,
  },
  'variant: memoryPolicy mode unknown': { 'invalid-enum-value': GO_TYPES_DROP },
  'variant: memoryPolicy flag unknown': { 'invalid-enum-value': GO_TYPES_DROP },
  'variant: sysctl outside any namespace': {
    'sysctl-not-namespaced':
      'runc refuses it ("not in a separate kernel namespace"): it would change the host',
  },
  'variant: proc mounted as tmpfs': {
    'proc-not-procfs': 'runc refuses anything but procfs on /proc (CVE-2019-16884)',
  },
  'variant: proc mounted as sysfs': {
    'proc-not-procfs': 'runc refuses anything but procfs on /proc (CVE-2019-16884)',
  },
  'variant: tmpfs mode=789': {
    'invalid-data-option-value': 'the kernel refuses the mount (EINVAL): runc fails at run time',
  },
  'variant: tmpfs size garbage': {
    'invalid-data-option-value': 'the kernel refuses the mount (EINVAL): runc fails at run time',
  },
  'variant: tmpfs uid not a number': {
    'invalid-data-option-value': 'the kernel refuses the mount (EINVAL): runc fails at run time',
  },
  'variant: devpts gid not a number': {
    'invalid-data-option-value': 'the kernel refuses the mount (EINVAL): runc fails at run time',
  },
  'variant: oomScoreAdj out of range': {
    'value-out-of-range':
      'the kernel refuses an oom_score_adj outside -1000…1000: runc fails at run time',
  },
};

function corpus(shared: string): Case[] {
  const cases: Case[] = [];
  const add = (dir: string) => {
    for (const f of readdirSync(path.join(shared, dir))
      .filter((n) => n.endsWith('.json'))
      .sort())
      cases.push({ name: `${dir}/${f}`, text: readFileSync(path.join(shared, dir, f), 'utf8') });
  };
  add('oci-examples');
  for (const engine of readdirSync(path.join(shared, 'engine-specs')).sort())
    add(`engine-specs/${engine}`);
  add('oci-schema/test/config/good');
  add('oci-schema/test/config/bad');
  const base = JSON.parse(
    readFileSync(path.join(shared, 'oci-examples', 'runc-spec-default.json'), 'utf8'),
  );
  base.ociVersion = '1.1.0'; // the version the reference knows, so it runs every check
  base.process.terminal = false;
  for (const v of VARIANTS) {
    const s = structuredClone(base);
    v.change(s);
    const json = JSON.stringify(s, null, 2) + '\n';
    cases.push({ name: `variant: ${v.name}`, text: v.text ? v.text(json) : json });
  }
  return cases;
}

/** The reference's errors: the items of its "N errors occurred" list, or its one error. */
function referenceErrors(bundle: string): string[] {
  const r = spawnSync(TOOL, ['validate', '--path', bundle], { encoding: 'utf8' });
  if (r.error) throw r.error;
  if (r.status === 0) return [];
  const out = r.stderr.trim();
  if (!/^\d+ errors? occurred:/m.test(out)) return [out.replace(/^.*level=fatal msg=/, '')];
  const list = out.slice(out.search(/^\d+ errors? occurred:/m));
  return list
    .split(/\n\t\* /)
    .slice(1)
    .map((item) => item.replace(/\nRefer to: .*/g, '').trim());
}

interface BinderyFinding {
  code: string;
  severity: string;
  message: string;
  range: Range;
}

function binderyFindings(bundle: string): BinderyFinding[] {
  const lines: string[] = [];
  validateCommand.run(['--json', bundle], { out: (l) => lines.push(l), err: () => {} });
  return JSON.parse(lines.join('\n'));
}

function within(inner: Range, outer: Range): boolean {
  const le = (a: Range['start'], b: Range['start']) =>
    a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

/**
 * The place of `p`: its property (key and value) when it has a key; for a missing field, its
 * nearest ancestor (where a missing field is reported); the whole text for [].
 */
function placeOf(doc: SpecDocument, p: JsonPath): Range {
  for (let n = p.length; n > 0; n--) {
    const node = doc.nodeAt(p.slice(0, n));
    if (node) return doc.rangeOfNode(node.parent?.type === 'property' ? node.parent : node);
  }
  return { start: { line: 0, character: 0 }, end: doc.positionAt(doc.text.length) };
}

const dir = sharedReference();
const tmp = mkdtempSync(path.join(os.tmpdir(), 'bindery-reference-'));
after(() => rmSync(tmp, { recursive: true, force: true }));

describe('bindery validate beside runtime-tools’ validator', () => {
  it('reports every MUST violation the reference finds, on the same entry; extra errors are listed', (t) => {
    if (!requireSharedReference(t) || !dir) return;
    if (!existsSync(TOOL)) {
      if (process.env.CI) throw new Error(`${TOOL} is missing: run test/reference/build.sh`);
      return t.skip(`${TOOL} is missing: run test/reference/build.sh`);
    }
    const cases = corpus(dir);
    const problems: string[] = [];
    const unlisted: string[] = [];
    const setAside = new Map<string, string[]>();
    const binderyOnly = new Map<string, string[]>();
    let mustErrors = 0;
    let matched = 0;
    let sameVerdict = 0;
    cases.forEach((c, i) => {
      const bundle = path.join(tmp, String(i));
      mkdirSync(path.join(bundle, 'rootfs'), { recursive: true });
      writeFileSync(path.join(bundle, 'config.json'), c.text);
      const doc = parseSpec(c.text);
      let spec: Spec;
      try {
        spec = JSON.parse(c.text);
      } catch {
        spec = {};
      }
      const ref = referenceErrors(bundle);
      const errors = binderyFindings(bundle).filter((f) => f.severity === 'error');
      const explained = new Set<BinderyFinding>();
      let refMust = 0;
      for (const message of ref) {
        const verdict = classify(message, doc, spec);
        if (!verdict) {
          problems.push(`${c.name}: reference error not understood by this test: ${message}`);
          continue;
        }
        if ('notMust' in verdict) {
          setAside.set(verdict.notMust, [...(setAside.get(verdict.notMust) ?? []), c.name]);
          continue;
        }
        refMust++;
        mustErrors++;
        const places = [verdict.path, ...(verdict.alsoAt ?? [])].map((p) => placeOf(doc, p));
        const hits = errors.filter((f) => places.some((place) => within(f.range, place)));
        if (hits.length === 0) {
          problems.push(
            `${c.name}: no Bindery error on ${verdict.path.join('.') || 'the document'} for "${message}"`,
          );
          continue;
        }
        matched++;
        for (const h of hits) explained.add(h);
      }
      const listed = BINDERY_ONLY[c.name] ?? {};
      const extraCodes = new Set(errors.filter((f) => !explained.has(f)).map((f) => f.code));
      for (const code of extraCodes) {
        if (listed[code]) binderyOnly.set(`${c.name}: ${code}`, [listed[code]]);
        else unlisted.push(`${c.name}: ${code} (${errors.find((f) => f.code === code)!.message})`);
      }
      for (const [code, why] of Object.entries(listed))
        if (!extraCodes.has(code) && !HOST_DEPENDENT.has(why))
          problems.push(`${c.name}: listed ${code} no longer happens`);
      if (refMust > 0 === errors.length > 0) sameVerdict++;
    });
    const summary = [
      `corpus: ${cases.length} specs (${cases.filter((c) => !c.name.startsWith('variant')).length} from ../shared/reference, ${VARIANTS.length} variants)`,
      `verdicts agree (both valid, or both invalid): ${sameVerdict} of ${cases.length}`,
      `reference MUST violations: ${mustErrors}, found by Bindery on the same entry: ${matched}`,
      `Bindery-only errors (listed): ${binderyOnly.size}`,
      `reference errors set aside (not a MUST for runtimes): ${[...setAside.values()].reduce((n, l) => n + l.length, 0)}`,
    ];
    for (const line of summary) t.diagnostic(line);
    console.log(`side by side with oci-runtime-tool: ${summary.join('; ')}`);
    for (const [why, names] of setAside) t.diagnostic(`set aside (${names.length}): ${why}`);
    assert.deepEqual(problems, []);
    assert.deepEqual(unlisted, []);
    assert.ok(cases.length >= 60, `only ${cases.length} specs`);
  });
});
