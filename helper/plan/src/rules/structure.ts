// Structure: JSON types, allowed values and required fields, checked against Bindery's schema.
// The runtime spec tells runtimes to ignore unknown properties, so an unknown key is only a
// hint, unless it is one typo away from a known key (then the setting is silently lost).
import type * as jsonc from 'jsonc-parser';
import type { Rule, RuleContext } from '../rule';
import { SPEC_SCHEMA, type FieldSchema, type JsonType } from '../schema';
import type { Fix, JsonPath, Range } from '../types';
import { changeTo, replaceNode, replaceWithJson } from './edits';
import { nearest } from './nearest';

/** `process.user.uid`, `mounts[2].options[0]`: how messages name a place. */
export function describePath(path: JsonPath): string {
  let out = '';
  for (const seg of path) out += typeof seg === 'number' ? `[${seg}]` : out ? `.${seg}` : seg;
  return out || 'the document';
}

function actualType(node: jsonc.Node): string {
  if (node.type === 'number') return Number.isInteger(node.value) ? 'an integer' : 'a number';
  if (node.type === 'null') return 'null';
  const names: Record<string, string> = {
    object: 'an object',
    array: 'an array',
    string: 'a string',
    boolean: 'a boolean',
  };
  return names[node.type] ?? node.type;
}

const EXPECTED: Record<JsonType, string> = {
  string: 'a string',
  boolean: 'true or false',
  integer: 'an integer',
  number: 'a number',
  object: 'an object',
  array: 'an array',
};

function matchesType(node: jsonc.Node, type: JsonType): boolean {
  switch (type) {
    case 'integer':
      return node.type === 'number' && Number.isInteger(node.value);
    default:
      return node.type === type;
  }
}

/** A one-token repair for common type slips ("true" for true, "5" for 5, "x" for ["x"]). */
function typeFix(
  ctx: RuleContext,
  node: jsonc.Node,
  type: JsonType,
  schema: FieldSchema,
): Fix | undefined {
  if (node.type === 'string') {
    const v = node.value as string;
    if (type === 'boolean' && (v === 'true' || v === 'false')) {
      return {
        title: `Use ${v} (a boolean, without quotes)`,
        edits: [replaceNode(ctx.doc, node, v)],
        preferred: true,
      };
    }
    if ((type === 'integer' || type === 'number') && /^-?\d+$/.test(v.trim())) {
      return {
        title: `Use ${v.trim()} (a number, without quotes)`,
        edits: [replaceNode(ctx.doc, node, v.trim())],
        preferred: true,
      };
    }
    if (type === 'array' && schema.items?.type === 'string') {
      return {
        title: `Wrap in an array: [${JSON.stringify(v)}]`,
        edits: [replaceWithJson(ctx.doc, node, [v])],
        preferred: true,
      };
    }
  }
  if ((node.type === 'boolean' || node.type === 'number') && type === 'string') {
    return {
      title: `Quote it: "${String(node.value)}"`,
      edits: [replaceWithJson(ctx.doc, node, String(node.value))],
      preferred: true,
    };
  }
  return undefined;
}

function keyRange(ctx: RuleContext, node: jsonc.Node): Range {
  // For a value node inside a property: its key; otherwise the opening bracket or brace.
  const key = node.parent?.type === 'property' ? node.parent.children?.[0] : undefined;
  if (key) return ctx.doc.rangeOfNode(key);
  return { start: ctx.doc.positionAt(node.offset), end: ctx.doc.positionAt(node.offset + 1) };
}

function check(ctx: RuleContext, node: jsonc.Node, schema: FieldSchema, path: JsonPath): void {
  if (node.type === 'null') return; // Go's decoder reads null as "not set"
  if (!matchesType(node, schema.type)) {
    const fix = typeFix(ctx, node, schema.type, schema);
    ctx.report({
      code: 'wrong-type',
      severity: 'error',
      message: `${describePath(path)}: expected ${EXPECTED[schema.type]}, found ${actualType(node)}; runtimes refuse a config.json whose types do not match the spec.`,
      range: ctx.doc.rangeOfNode(node),
      path,
      fixes: fix ? [fix] : undefined,
    });
    return;
  }
  switch (node.type) {
    case 'string':
      checkString(ctx, node, schema, path);
      break;
    case 'number':
      if (
        ((schema.minimum !== undefined && node.value < schema.minimum) ||
          (schema.maximum !== undefined && node.value > schema.maximum)) &&
        !schema.tolerated?.(node.value)
      ) {
        const bounds =
          schema.maximum !== undefined
            ? `between ${schema.minimum} and ${schema.maximum}`
            : `at least ${schema.minimum}`;
        ctx.report({
          code: 'value-out-of-range',
          severity: 'error',
          message: `${describePath(path)}: ${node.value} is out of range; it must be ${bounds}.`,
          range: ctx.doc.rangeOfNode(node),
          path,
        });
      }
      break;
    case 'array':
      checkArray(ctx, node, schema, path);
      break;
    case 'object':
      checkObject(ctx, node, schema, path);
      break;
  }
}

function checkString(
  ctx: RuleContext,
  node: jsonc.Node,
  schema: FieldSchema,
  path: JsonPath,
) {
  const value = node.value as string;
  if (schema.enum && !schema.enum.includes(value)) {
    const meant = nearest(value, schema.enum);
    ctx.report({
      code: 'invalid-enum-value',
      severity: 'error',
      message: `${describePath(path)}: "${value}" is not one of ${schema.enum.map((e) => `"${e}"`).join(', ')}${meant ? `; did you mean "${meant}"?` : '.'}`,
      range: ctx.doc.rangeOfNode(node),
      path,
      fixes: meant ? [changeTo(ctx.doc, node, meant)] : undefined,
    });
  }
  if (schema.absolutePath && !value.startsWith('/')) {
    ctx.report({
      code: 'path-not-absolute',
      severity: 'error',
      message: `${describePath(path)}: "${value}" must be an absolute path.`,
      range: ctx.doc.rangeOfNode(node),
      path,
      fixes: value
        ? [
            {
              title: `Make it absolute: "/${value}"`,
              edits: [replaceWithJson(ctx.doc, node, '/' + value)],
              preferred: true,
            },
          ]
        : undefined,
    });
  }
  if (schema.pattern && !schema.pattern.test(value)) {
    const meant = schema.patternFix?.(value);
    ctx.report({
      code: 'invalid-format',
      severity: 'error',
      message: `${describePath(path)}: "${value}" is not valid here; expected ${schema.patternHint ?? `a value matching ${schema.pattern}`}.`,
      range: ctx.doc.rangeOfNode(node),
      path,
      fixes: meant ? [changeTo(ctx.doc, node, meant)] : undefined,
    });
  }
}

function checkArray(
  ctx: RuleContext,
  node: jsonc.Node,
  schema: FieldSchema,
  path: JsonPath,
) {
  const items = node.children ?? [];
  if (schema.minItems !== undefined && items.length < schema.minItems) {
    ctx.report({
      code: 'array-too-short',
      severity: 'error',
      message: `${describePath(path)} is empty; it needs at least ${schema.minItems} element${schema.minItems > 1 ? 's' : ''}${path.join('.') === 'process.args' ? ' (the program to run); runc refuses an empty args' : ''}.`,
      range: ctx.doc.rangeOfNode(node),
      path,
    });
  }
  // concat, not spread, for the paths made for every node: spread arrays carry spare capacity
  // (about three times the memory), and the garbage collector copies them.
  if (schema.items) items.forEach((item, i) => check(ctx, item, schema.items!, path.concat(i)));
}

function checkObject(
  ctx: RuleContext,
  node: jsonc.Node,
  schema: FieldSchema,
  path: JsonPath,
  members = true,
) {
  if (schema.open) return;
  const props = node.children ?? [];
  // A scan, not a Set: objects of the spec have a handful of keys, and this runs for each one.
  const isPresent = (key: string) => props.some((p) => p.children?.[0]?.value === key);
  for (const prop of props) {
    const keyNode = prop.children?.[0];
    const valueNode = prop.children?.[1];
    if (!keyNode) continue;
    const key = keyNode.value as string;
    const childPath = path.concat(key);
    const childSchema = schema.properties?.[key] ?? schema.values;
    if (childSchema) {
      if (valueNode && members) check(ctx, valueNode, childSchema, childPath);
      continue;
    }
    const known = schema.properties ? Object.keys(schema.properties) : [];
    const meant = nearest(
      key,
      known.filter((k) => !isPresent(k)),
    );
    if (meant) {
      ctx.report({
        code: 'misspelled-property',
        severity: 'warning',
        message: `${describePath(childPath)}: unknown property "${key}"; did you mean "${meant}"? Runtimes ignore unknown properties, so this setting would have no effect.`,
        range: ctx.doc.rangeOfNode(keyNode),
        path: childPath,
        fixes: [
          {
            title: `Rename to "${meant}"`,
            edits: [replaceWithJson(ctx.doc, keyNode, meant)],
            preferred: true,
          },
        ],
      });
    } else {
      ctx.report({
        code: 'unknown-property',
        severity: 'hint',
        message: `${describePath(childPath)}: "${key}" is not a property of the runtime spec; runtimes ignore it.`,
        range: ctx.doc.rangeOfNode(keyNode),
        path: childPath,
      });
    }
  }
  for (const key of schema.required ?? []) {
    if (isPresent(key)) continue;
    ctx.report({
      code: 'missing-required-field',
      severity: 'error',
      message: `${path.length === 0 ? 'The spec' : describePath(path)} is missing the required "${key}"${REQUIRED_WHY[[...path, key].filter((p) => typeof p === 'string').join('.')] ?? '.'}`,
      range: keyRange(ctx, node),
      path,
    });
  }
}

/** Why a field is needed, when the bare "required" would leave the user guessing. */
const REQUIRED_WHY: Record<string, string> = {
  ociVersion: ' (the runtime spec version this file follows, e.g. "1.2.0").',
  'root.path': ': the directory that becomes "/", usually "rootfs".',
  'process.cwd': ': the absolute working directory of the process, e.g. "/".',
  'process.args':
    ': the program to run and its arguments, e.g. ["sh"]; runc refuses a process without args.',
  'mounts.destination': ': where the mount appears in the container.',
  'linux.namespaces.type': ': one of mount, pid, network, uts, ipc, user, cgroup, time.',
};

export const structureRule: Rule = (ctx) => checkRoot(ctx, true);

/**
 * The same check in parts that each read one top-level member, so that a plan memo re-runs
 * only the parts an edit touched: the root's own keys (unknown, missing), then each member.
 */
export function structureParts(keys: readonly string[]): { key: string; rule: Rule }[] {
  const parts: { key: string; rule: Rule }[] = [{ key: 'structure', rule: (ctx) => checkRoot(ctx, false) }];
  for (const key of keys) {
    const schema = SPEC_SCHEMA.properties?.[key] ?? SPEC_SCHEMA.values;
    if (!schema) continue;
    parts.push({
      key: `structure:${key}`,
      rule: (ctx) => {
        const node = ctx.doc.nodeAt([key]);
        if (node) check(ctx, node, schema, [key]);
      },
    });
  }
  return parts;
}

function checkRoot(ctx: RuleContext, members: boolean): void {
  const tree = ctx.doc.tree;
  if (!tree) return;
  if (tree.type !== 'object') {
    ctx.report({
      code: 'wrong-type',
      severity: 'error',
      message: `${ctx.doc.fileName}: a runtime spec is a JSON object ({ "ociVersion": …, "root": …, … }), found ${actualType(tree)}.`,
      range: ctx.doc.rangeOfNode(tree),
      path: [],
    });
    return;
  }
  checkObject(ctx, tree, SPEC_SCHEMA, [], members);
}
