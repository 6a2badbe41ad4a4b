// No false negatives on the runtime-spec schema: every type, enum, range, pattern, required
// field and minimum length the official JSON schema (../shared/reference/oci-schema) states for
// a Linux spec is broken once, in an otherwise valid spec, and Bindery must report an error
// on that very node. Ajv (draft-04) checks each generated case first, so a case the schema
// does not refuse is a bug of the generator, not a pass.
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import * as path from 'node:path';
import { describe, it } from 'node:test';
import Ajv from 'ajv-draft-04';
import type { Finding, JsonPath, Range } from '../../src/types';
import { requireSharedReference, sharedReference } from '../../../test/sharedReference';
import { check, fakeHost, ROOTFS } from './harness';

type Schema = Record<string, unknown>;
type Json = unknown;

/** The platforms Bindery reads as opaque objects (runtimes on Linux ignore them). */
const OTHER_PLATFORMS = ['solaris', 'windows', 'vm', 'zos', 'freebsd'];

/** Example values for the schema's patterns (a generated valid instance must match them). */
const PATTERN_SAMPLES: Record<string, string> = {
  '^RLIMIT_[A-Z]+$': 'RLIMIT_NOFILE',
  '^[0-9, -]*$': '0-1',
  '^[1-9][0-9]*[KMG]B$': '2MB',
  '^MB:[^\\n]*$': 'MB:0=20',
  '^[cbup]$': 'p',
};

/**
 * Valid values where Bindery asks more than the schema (what runc refuses): by path, with
 * `*` for an array index.
 */
const STRICTER_SAMPLES: Record<string, Json> = {
  ociVersion: '1.2.0',
  'mounts.*': { destination: '/x', type: 'tmpfs', source: 'tmpfs' },
  'mounts.*.options.*': 'nosuid',
  'process.env.*': 'A=1',
  'linux.resources.devices.*.type': 'a',
  'linux.resources.devices.*.access': 'rwm',
  ...Object.fromEntries(
    ['bounding', 'permitted', 'effective', 'inheritable', 'ambient'].map((set) => [
      `process.capabilities.${set}.*`,
      'CAP_CHOWN',
    ]),
  ),
};

function sampleKey(at: JsonPath): string {
  return at.map((seg) => (typeof seg === 'number' ? '*' : seg)).join('.');
}

interface Constraint {
  path: JsonPath;
  keyword: 'type' | 'enum' | 'minimum' | 'maximum' | 'pattern' | 'required' | 'minItems';
  detail: string;
  /** The spec with the constraint broken, and the same spec before it was broken. */
  broken: Json;
  valid: Json;
}

class SchemaSet {
  private readonly files = new Map<string, Schema>();
  constructor(dir: string) {
    for (const f of readdirSync(dir).filter((n) => n.endsWith('.json')))
      this.files.set(f, JSON.parse(readFileSync(path.join(dir, f), 'utf8')));
    // Local references name their file, so a schema means the same wherever it is merged.
    const qualify = (node: unknown, file: string) => {
      if (!node || typeof node !== 'object') return;
      const o = node as Schema;
      if (typeof o.$ref === 'string' && o.$ref.startsWith('#')) o.$ref = file + o.$ref;
      for (const v of Object.values(o)) qualify(v, file);
    };
    for (const [f, s] of this.files) qualify(s, f);
  }
  all(): [string, Schema][] {
    return [...this.files];
  }
  /** Follows `$ref` (file#/pointer) and merges `allOf` and single-branch `anyOf`. */
  resolve(schema: Schema, file: string): { schema: Schema; file: string } {
    let cur = schema;
    let curFile = file;
    while (typeof cur.$ref === 'string') {
      const [f, pointer] = (cur.$ref as string).split('#');
      const target: string = f || curFile;
      let node: unknown = this.files.get(target);
      for (const seg of (pointer ?? '').split('/').filter(Boolean)) node = (node as Schema)[seg];
      const rest = { ...cur };
      delete rest.$ref;
      delete rest.description;
      cur = { ...(node as Schema), ...rest };
      curFile = target;
    }
    const parts = (cur.allOf as Schema[] | undefined) ?? [];
    const branches = (cur.anyOf as Schema[] | undefined) ?? [];
    if (branches.length === 1) parts.push(branches[0]);
    if (parts.length === 0) return { schema: cur, file: curFile };
    let merged: Schema = { ...cur };
    delete merged.allOf;
    delete merged.anyOf;
    for (const p of parts) {
      const r = this.resolve(p, curFile).schema;
      merged = {
        ...merged,
        ...r,
        properties: { ...(merged.properties as Schema), ...(r.properties as Schema) },
        required: [...((merged.required as string[]) ?? []), ...((r.required as string[]) ?? [])],
      };
    }
    return { schema: merged, file: curFile };
  }
}

const SAFE = (n: unknown): n is number => typeof n === 'number' && Number.isSafeInteger(n);

/** A small valid instance of `schema` (required fields only). */
function minimal(set: SchemaSet, s: Schema, file: string, at: JsonPath): Json {
  const sample = STRICTER_SAMPLES[sampleKey(at)];
  if (sample !== undefined) return structuredClone(sample);
  const { schema, file: f } = set.resolve(s, file);
  if (Array.isArray(schema.enum)) return schema.enum[0];
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  switch (type) {
    case 'string':
      if (typeof schema.pattern === 'string') {
        const sample = PATTERN_SAMPLES[schema.pattern];
        if (sample === undefined) throw new Error(`no sample for pattern ${schema.pattern}`);
        return sample;
      }
      return '/x';
    case 'integer':
    case 'number':
      return SAFE(schema.minimum) && schema.minimum > 0 ? schema.minimum : 0;
    case 'boolean':
      return false;
    case 'array': {
      const min = typeof schema.minItems === 'number' ? schema.minItems : 0;
      return Array.from({ length: min }, (_, i) =>
        minimal(set, schema.items as Schema, f, [...at, i]),
      );
    }
    default: {
      const out: Record<string, Json> = {};
      for (const key of (schema.required as string[]) ?? [])
        out[key] = minimal(set, (schema.properties as Record<string, Schema>)[key], f, [
          ...at,
          key,
        ]);
      return out;
    }
  }
}

/** The schema of each child of `schema`: properties, free keys and items. */
function children(schema: Schema): [string | number, Schema][] {
  const out: [string | number, Schema][] = [];
  for (const [k, v] of Object.entries((schema.properties as Record<string, Schema>) ?? {}))
    out.push([k, v]);
  for (const v of Object.values((schema.patternProperties as Record<string, Schema>) ?? {}))
    // A key that suits both maps of the spec: annotations, and sysctls (the base spec has a
    // network namespace).
    out.push(['net.core.somaxconn', v]);
  if (schema.additionalProperties && typeof schema.additionalProperties === 'object')
    out.push(['example-name', schema.additionalProperties as Schema]);
  if (schema.items && !Array.isArray(schema.items)) out.push([0, schema.items as Schema]);
  return out;
}

/** Sets `value` at `path` inside `root`, creating each step as the schema's minimal instance. */
function placeAlong(
  set: SchemaSet,
  root: Json,
  rootSchema: Schema,
  file: string,
  path: JsonPath,
  value: Json | typeof DELETE,
): Json {
  const copy = structuredClone(root) as Record<string | number, Json>;
  let cur = copy;
  let schema = rootSchema;
  let curFile = file;
  path.forEach((seg, i) => {
    const r = set.resolve(schema, curFile);
    const child = children(r.schema).find(([k]) => k === seg)![1];
    if (i === path.length - 1) {
      if (value === DELETE) delete cur[seg];
      else cur[seg] = value;
      return;
    }
    if (cur[seg] === undefined) cur[seg] = minimal(set, child, r.file, path.slice(0, i + 1));
    const next = cur[seg] as Record<string | number, Json>;
    if (typeof seg === 'string' && Array.isArray(next) && next.length === 0) {
      const rc = set.resolve(child, r.file);
      next.push(minimal(set, rc.schema.items as Schema, rc.file, [...path.slice(0, i + 1), 0]));
    }
    cur = next;
    schema = child;
    curFile = r.file;
  });
  return copy;
}

const DELETE = Symbol('delete');

function otherType(type: string): Json {
  return type === 'string' ? 12345 : 'not-a-' + type;
}

function constraints(set: SchemaSet, base: Json): Constraint[] {
  const root = set.all().find(([f]) => f === 'config-schema.json')![1];
  const out: Constraint[] = [];
  const visit = (s: Schema, file: string, at: JsonPath, depth: number) => {
    if (depth > 12) return;
    const { schema, file: f } = set.resolve(s, file);
    // What the base spec already has stays; anything deeper is added as its minimal instance.
    const existing = at.reduce<Json>(
      (v, seg) => (v as Record<string | number, Json> | undefined)?.[seg],
      base,
    );
    const validHere =
      existing !== undefined
        ? base
        : placeAlong(set, base, root, 'config-schema.json', at, minimal(set, s, file, at));
    const add = (
      keyword: Constraint['keyword'],
      detail: string,
      value: Json | typeof DELETE,
      p = at,
    ) =>
      out.push({
        path: p,
        keyword,
        detail,
        valid: validHere,
        broken: placeAlong(set, validHere, root, 'config-schema.json', p, value),
      });
    if (at.length > 0) {
      const type = Array.isArray(schema.type) ? undefined : (schema.type as string | undefined);
      if (type) add('type', type, otherType(type));
      if (type === 'integer') add('type', 'integer, not a fraction', 1.5);
      if (Array.isArray(schema.enum)) add('enum', schema.enum.join('|'), 'NOT_ONE_OF_THEM');
      if (SAFE(schema.minimum)) add('minimum', String(schema.minimum), schema.minimum - 1);
      if (SAFE(schema.maximum)) add('maximum', String(schema.maximum), schema.maximum + 1);
      if (typeof schema.pattern === 'string') add('pattern', schema.pattern, '!');
      if (typeof schema.minItems === 'number' && schema.minItems > 0)
        add('minItems', String(schema.minItems), []);
    }
    for (const req of (schema.required as string[]) ?? [])
      add('required', req, DELETE, [...at, req]);
    for (const [key, child] of children(schema)) {
      if (at.length === 0 && OTHER_PLATFORMS.includes(key as string)) continue;
      visit(child, f, [...at, key], depth + 1);
    }
  };
  visit(root, 'config-schema.json', [], 0);
  return out;
}

function within(inner: Range, outer: Range): boolean {
  const le = (a: Range['start'], b: Range['start']) =>
    a.line < b.line || (a.line === b.line && a.character <= b.character);
  return le(outer.start, inner.start) && le(inner.end, outer.end);
}

/** Errors on the node at `p`: inside its value, or on its key (where a missing field is said). */
function errorsAt(text: string, findings: Finding[], p: JsonPath, required: boolean): Finding[] {
  const doc = check(text).doc;
  const where = required ? p.slice(0, -1) : p;
  const node = doc.nodeAt(where);
  if (!node) return [];
  const around = node.parent?.type === 'property' ? node.parent : node;
  const range = doc.rangeOfNode(around);
  return findings.filter((f) => f.severity === 'error' && within(f.range, range));
}

const BASE = {
  ociVersion: '1.2.0',
  root: { path: 'rootfs' },
  process: { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 } },
  hostname: 'box',
  linux: { namespaces: ['mount', 'pid', 'network', 'ipc', 'uts'].map((type) => ({ type })) },
};

const host = () =>
  fakeHost([`${ROOTFS}/proc/`, `${ROOTFS}/sys/`, `${ROOTFS}/dev/`, `${ROOTFS}/tmp/`, '/x/']);

describe('every constraint of the runtime-spec schema', () => {
  const dir = sharedReference();
  const schemaDir = dir && path.join(dir, 'oci-schema');

  it('is reported as an error on the node that breaks it', (t) => {
    if (!requireSharedReference(t) || !schemaDir) return;
    const set = new SchemaSet(schemaDir);
    const ajv = new Ajv({ allErrors: true, strict: false });
    for (const f of readdirSync(schemaDir).filter((n) => n.endsWith('.json')))
      ajv.addSchema(JSON.parse(readFileSync(path.join(schemaDir, f), 'utf8')), f);
    const validate = ajv.getSchema('config-schema.json')!;
    const cases = constraints(set, BASE);
    const missed: string[] = [];
    const generatorBugs: string[] = [];
    for (const c of cases) {
      const where = '/' + c.path.join('/');
      const brokenText = JSON.stringify(c.broken, null, 2);
      const validText = JSON.stringify(c.valid, null, 2);
      const label = `${c.path.join('.')} ${c.keyword} ${c.detail}`;
      const ajvErrors = validate(c.broken) ? [] : (validate.errors ?? []);
      const expectedAt = c.keyword === 'required' ? where.slice(0, where.lastIndexOf('/')) : where;
      if (!ajvErrors.some((e) => e.instancePath === expectedAt)) generatorBugs.push(label);
      if (!validate(c.valid)) generatorBugs.push(`${label} (valid case refused)`);
      const required = c.keyword === 'required';
      const broken = check(brokenText, host()).findings;
      const before = check(validText, host()).findings;
      if (errorsAt(validText, before, c.path, required).length > 0) {
        missed.push(`${label}: an error already before breaking it`);
        continue;
      }
      if (errorsAt(brokenText, broken, c.path, required).length === 0) missed.push(label);
    }
    t.diagnostic(`${cases.length} constraints checked`);
    assert.deepEqual(generatorBugs, []);
    assert.deepEqual(missed, []);
    assert.ok(cases.length > 200, `only ${cases.length} constraints found`);
  });
});
