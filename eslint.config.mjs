// Flat config: typescript-eslint's recommended rules over every workspace's sources.
import tseslint from 'typescript-eslint';

// A package is used through its public entry: the plan only as '@bindery/plan'.
const PLAN_INTERNALS = {
  group: ['@bindery/plan/*', '**/plan/src', '**/plan/src/**', '**/helper/plan/**'],
  message: "Import the plan only through its public entry, '@bindery/plan'.",
};
// The editor's processes reach the helper only through its protocol and its one client
// (and the plan package).
const HELPER_INTERNALS = {
  group: ['**/helper/src/*', '!**/helper/src/protocol', '!**/helper/src/client'],
  message: "The server and the client may import only '@bindery/plan', the helper's protocol (helper/src/protocol) and its client (helper/src/client).",
};

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', '.vscode-test/**', 'examples/**', '**/*.mjs'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': ['error', { patterns: [PLAN_INTERNALS] }],
    },
  },
  {
    files: ['helper/plan/**'],
    rules: { 'no-restricted-imports': 'off' },
  },
  {
    files: ['server/**', 'client/**'],
    rules: { 'no-restricted-imports': ['error', { patterns: [PLAN_INTERNALS, HELPER_INTERNALS] }] },
  },
);
