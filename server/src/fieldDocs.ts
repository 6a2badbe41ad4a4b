// Field documentation and key completion, both read from the plan's schema
// (helper/plan/src/schema.ts): one description of the spec for the helper's structure checks,
// the CLI and the editor.
import { type FieldSchema, type JsonPath, schemaAt } from '@bindery/plan';

export interface FieldInfo {
  key: string;
  type: FieldSchema['type'];
  doc: string;
  enum?: readonly string[];
  required: boolean;
  example?: unknown;
}

/** The keys the spec knows for the object at `objectPath`. */
export function fieldsOf(objectPath: JsonPath): FieldInfo[] {
  const schema = schemaAt(objectPath);
  if (!schema?.properties) return [];
  return Object.entries(schema.properties).map(([key, f]) => ({
    key,
    type: f.type,
    doc: f.doc,
    enum: f.enum,
    required: schema.required?.includes(key) ?? false,
    example: f.example,
  }));
}

/** Markdown for the field at `path`, or undefined when the schema does not know it. */
export function fieldAt(path: JsonPath): string | undefined {
  const schema = schemaAt(path);
  if (!schema || path.length === 0) return undefined;
  const last = path[path.length - 1];
  const parent = schemaAt(path.slice(0, -1));
  const name = typeof last === 'number' ? `${String(path[path.length - 2] ?? '')}[${last}]` : last;
  const required =
    typeof last === 'string' && parent?.required?.includes(last) ? ' · required' : '';
  const values = schema.enum?.length
    ? `\n\nOne of: ${schema.enum.map((e) => `\`${e}\``).join(', ')}.`
    : '';
  return `**${name}** · ${schema.type}${required}\n\n${schema.doc}${values}`;
}

/** The allowed values of the value at `path` (a property or an array item), if fixed. */
export function enumAt(path: JsonPath): readonly string[] | undefined {
  return schemaAt(path)?.enum;
}
