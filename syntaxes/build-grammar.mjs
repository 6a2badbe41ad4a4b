// Writes oci-spec.tmLanguage.json. The grammar is generated so that its keyword lists are
// readable here, one list per class, and regexes are built in one place. Run after editing:
//   node syntaxes/build-grammar.mjs
// The server's tests check that every option of the plan's table gets the class it has there.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const words = (list) => list.join('|');

const KEYS = [
  'ociVersion', 'process', 'root', 'hostname', 'domainname', 'mounts', 'hooks', 'annotations', 'linux',
  'terminal', 'consoleSize', 'height', 'width', 'user', 'uid', 'gid', 'umask', 'additionalGids', 'username',
  'args', 'commandLine', 'env', 'cwd', 'capabilities', 'bounding', 'effective', 'inheritable', 'permitted',
  'ambient', 'rlimits', 'type', 'soft', 'hard', 'noNewPrivileges', 'apparmorProfile', 'oomScoreAdj',
  'selinuxLabel', 'ioPriority', 'class', 'priority', 'scheduler', 'policy', 'nice', 'flags', 'execCPUAffinity',
  'path', 'readonly', 'destination', 'source', 'options', 'uidMappings', 'gidMappings', 'containerID', 'hostID',
  'size', 'namespaces', 'devices', 'major', 'minor', 'fileMode', 'cgroupsPath', 'resources', 'rootfsPropagation',
  'maskedPaths', 'readonlyPaths', 'mountLabel', 'seccomp', 'sysctl', 'intelRdt', 'personality', 'timeOffsets',
  'prestart', 'createRuntime', 'createContainer', 'startContainer', 'poststart', 'poststop', 'timeout',
  'memory', 'cpu', 'pids', 'blockIO', 'hugepageLimits', 'network', 'unified', 'rdma', 'limit', 'reservation',
  'swap', 'shares', 'quota', 'period', 'cpus', 'mems', 'allow', 'access', 'defaultAction', 'architectures',
  'syscalls', 'names', 'action', 'errnoRet', 'listenerPath', 'netDevices', 'name', 'domain', 'pagesize',
];
const MOUNT_TYPES = ['bind', 'none', 'tmpfs', 'proc', 'sysfs', 'devpts', 'mqueue', 'cgroup', 'cgroup2', 'overlay', 'devtmpfs', 'ramfs', 'securityfs', 'binfmt_misc', 'fuse', 'fusectl', 'debugfs', 'tracefs', 'configfs', 'hugetlbfs', 'pstore', 'bpf', 'nfs', 'ext4', 'xfs', 'btrfs'];
// Same classes as the plan's option table (helper/src/plan/flags.ts).
const FLAG_OPTIONS = ['async', 'atime', 'bind', 'dev', 'diratime', 'dirsync', 'exec', 'iversion', 'lazytime', 'loud', 'mand', 'noatime', 'nodev', 'nodiratime', 'noexec', 'noiversion', 'nolazytime', 'nomand', 'norelatime', 'nostrictatime', 'nosuid', 'nosymfollow', 'rbind', 'relatime', 'remount', 'ro', 'rw', 'silent', 'strictatime', 'suid', 'sync', 'symfollow'];
const PROPAGATION = ['private', 'rprivate', 'slave', 'rslave', 'shared', 'rshared', 'unbindable', 'runbindable'];
const RECURSIVE = ['rro', 'rrw', 'rnosuid', 'rsuid', 'rnodev', 'rdev', 'rnoexec', 'rexec', 'rnodiratime', 'rdiratime', 'rrelatime', 'rnorelatime', 'rnoatime', 'ratime', 'rstrictatime', 'rnostrictatime', 'rnosymfollow', 'rsymfollow'];
const SPECIAL = ['tmpcopyup', 'idmap', 'ridmap'];
const NAMESPACES = ['mount', 'pid', 'network', 'uts', 'ipc', 'user', 'cgroup', 'time'];

const str = (inner, name) => ({
  match: `(")(${inner})(")`,
  captures: {
    0: { name: 'string.quoted.double.json' },
    1: { name: 'punctuation.definition.string.begin.json' },
    2: { name },
    3: { name: 'punctuation.definition.string.end.json' },
  },
});
const keyCaptures = {
  1: { name: 'support.type.property-name.oci.json' },
  2: { name: 'punctuation.definition.string.begin.json' },
  3: { name: 'punctuation.definition.string.end.json' },
  4: { name: 'punctuation.separator.dictionary.key-value.json' },
};
const knownKey = (key) => `((")${key}("))\\s*(:)\\s*`;
/** `"key": [ ... ]` with its own rules for the array's items. */
const arrayProperty = (key, itemPatterns, name) => ({
  name,
  begin: `${knownKey(key)}(\\[)`,
  beginCaptures: { ...keyCaptures, 5: { name: 'punctuation.definition.array.begin.json' } },
  end: '\\]',
  endCaptures: { 0: { name: 'punctuation.definition.array.end.json' } },
  patterns: [...itemPatterns, { include: '#comments' }, { match: ',', name: 'punctuation.separator.array.json' }, { include: '#value' }],
});
const objectOf = (name, propertyPatterns) => ({
  name,
  begin: '\\{',
  beginCaptures: { 0: { name: 'punctuation.definition.dictionary.begin.json' } },
  end: '\\}',
  endCaptures: { 0: { name: 'punctuation.definition.dictionary.end.json' } },
  patterns: [...propertyPatterns, { include: '#object-body' }],
});
const stringProperty = (key, inner, name) => ({
  match: `${knownKey(key)}(")(${inner})(")`,
  captures: {
    ...keyCaptures,
    5: { name: 'string.quoted.double.json punctuation.definition.string.begin.json' },
    6: { name: `string.quoted.double.json ${name}` },
    7: { name: 'string.quoted.double.json punctuation.definition.string.end.json' },
  },
});

const grammar = {
  $schema: 'https://raw.githubusercontent.com/martinring/tmlanguage/master/tmlanguage.json',
  name: 'OCI runtime spec',
  scopeName: 'source.json.oci',
  fileTypes: ['oci.json'],
  patterns: [{ include: '#value' }],
  repository: {
    value: {
      patterns: [
        { include: '#comments' },
        { include: '#object' },
        { include: '#array' },
        { include: '#path' },
        { include: '#string' },
        { include: '#number' },
        { include: '#constant' },
      ],
    },
    comments: {
      patterns: [
        { name: 'comment.block.json', begin: '/\\*', end: '\\*/', captures: { 0: { name: 'punctuation.definition.comment.json' } } },
        { name: 'comment.line.double-slash.json', match: '(//).*$', captures: { 1: { name: 'punctuation.definition.comment.json' } } },
      ],
    },
    constant: { name: 'constant.language.json', match: '\\b(?:true|false|null)\\b' },
    number: { name: 'constant.numeric.json', match: '-?(?:0|[1-9]\\d*)(?:\\.\\d+)?(?:[eE][+-]?\\d+)?' },
    'string-body': {
      patterns: [
        { name: 'constant.character.escape.json', match: '\\\\(?:["\\\\/bfnrt]|u[0-9a-fA-F]{4})' },
        { name: 'invalid.illegal.unrecognized-string-escape.json', match: '\\\\.' },
      ],
    },
    string: {
      name: 'string.quoted.double.json',
      begin: '"',
      beginCaptures: { 0: { name: 'punctuation.definition.string.begin.json' } },
      end: '"',
      endCaptures: { 0: { name: 'punctuation.definition.string.end.json' } },
      patterns: [{ include: '#string-body' }],
    },
    path: {
      name: 'string.quoted.double.json',
      begin: '"(?=/)',
      beginCaptures: { 0: { name: 'punctuation.definition.string.begin.json' } },
      end: '"',
      endCaptures: { 0: { name: 'punctuation.definition.string.end.json' } },
      contentName: 'string.other.path.absolute.oci',
      patterns: [{ include: '#string-body' }],
    },
    array: {
      name: 'meta.structure.array.json',
      begin: '\\[',
      beginCaptures: { 0: { name: 'punctuation.definition.array.begin.json' } },
      end: '\\]',
      endCaptures: { 0: { name: 'punctuation.definition.array.end.json' } },
      patterns: [{ include: '#value' }, { match: ',', name: 'punctuation.separator.array.json' }],
    },
    object: objectOf('meta.structure.dictionary.json', [
      { include: '#mounts' },
      { include: '#namespaces' },
      stringProperty('rootfsPropagation', words(PROPAGATION), 'keyword.other.option.propagation.oci'),
    ]),
    'object-body': {
      patterns: [
        { include: '#comments' },
        { include: '#key' },
        { match: ':', name: 'punctuation.separator.dictionary.key-value.json' },
        { match: ',', name: 'punctuation.separator.dictionary.pair.json' },
        { include: '#value' },
      ],
    },
    key: {
      patterns: [
        {
          match: `((")(?:${words(KEYS)})("))(?=\\s*:)`,
          captures: { 1: { name: 'support.type.property-name.oci.json' }, 2: { name: 'punctuation.definition.string.begin.json' }, 3: { name: 'punctuation.definition.string.end.json' } },
        },
        {
          name: 'support.type.property-name.json',
          begin: '"(?=(?:[^"\\\\]|\\\\.)*"\\s*:)',
          beginCaptures: { 0: { name: 'punctuation.definition.string.begin.json' } },
          end: '"',
          endCaptures: { 0: { name: 'punctuation.definition.string.end.json' } },
          patterns: [{ include: '#string-body' }],
        },
      ],
    },
    mounts: arrayProperty('mounts', [{ include: '#mount' }], 'meta.mounts.oci'),
    mount: objectOf('meta.structure.dictionary.json meta.mount.oci', [
      stringProperty('type', words(MOUNT_TYPES), 'support.constant.mount-type.oci'),
      arrayProperty('options', [{ include: '#mount-option' }], 'meta.mount-options.oci'),
    ]),
    'mount-option': {
      patterns: [
        str(words(FLAG_OPTIONS), 'keyword.other.option.flag.oci'),
        str(words(PROPAGATION), 'keyword.other.option.propagation.oci'),
        str(words(RECURSIVE), 'keyword.other.option.recursive.oci'),
        str(words(SPECIAL), 'keyword.other.option.special.oci'),
        {
          match: '(")([^"=\\\\]+)(?:(=)((?:[^"\\\\]|\\\\.)*))?(")',
          captures: {
            0: { name: 'string.quoted.double.json' },
            1: { name: 'punctuation.definition.string.begin.json' },
            2: { name: 'variable.parameter.option.data.oci' },
            3: { name: 'keyword.operator.assignment.oci' },
            4: { name: 'constant.other.option-value.oci' },
            5: { name: 'punctuation.definition.string.end.json' },
          },
        },
      ],
    },
    namespaces: arrayProperty('namespaces', [{ include: '#namespace' }], 'meta.namespaces.oci'),
    namespace: objectOf('meta.structure.dictionary.json meta.namespace.oci', [
      stringProperty('type', words(NAMESPACES), 'support.constant.namespace.oci'),
    ]),
  },
};

const out = fileURLToPath(new URL('./oci-spec.tmLanguage.json', import.meta.url));
writeFileSync(out, JSON.stringify(grammar, null, 2) + '\n');
