// Placeholder until the rules land: every rule module is listed here.
import type { Rule } from '../rule';

export const allRules: Rule[] = [];
