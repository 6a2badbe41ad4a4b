// Field documentation and key completion come from the plan's schema (helper/src/plan/schema.ts).
import type { JsonPath } from '../../helper/src/plan/types';

export interface FieldInfo {
  key: string;
  type?: string;
  doc?: string;
  enum?: string[];
  required?: boolean;
}

export function fieldsOf(_objectPath: JsonPath): FieldInfo[] {
  return [];
}

export function fieldAt(_path: JsonPath): string | undefined {
  return undefined;
}
