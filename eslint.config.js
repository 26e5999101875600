// @ts-check
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

/** Forbid imports whose specifier reaches into one of `dirs` (relative or via WXT's `@@/` alias). */
function boundary(/** @type {string[]} */ dirs, /** @type {string} */ why) {
  return {
    'no-restricted-imports': [
      'error',
      {
        patterns: [
          { regex: `(^|\\.\\./|@@/)(${dirs.join('|')})(/|$)`, message: why },
        ],
      },
    ],
  };
}

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', '.output/', '.wxt/', 'test-artifacts/', 'bench/out/'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.js'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    rules: {
      '@typescript-eslint/consistent-type-assertions': ['error', { assertionStyle: 'never' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['extension/**'],
    languageOptions: { globals: { ...globals.browser } },
    rules: boundary(['host', 'cloud', 'platform'], 'The extension meets the host and cloud only in protocol/.'),
  },
  {
    files: ['host/**'],
    rules: boundary(['extension', 'cloud'], 'host/ meets the extension and cloud only in protocol/ or platform/.'),
  },
  {
    files: ['host/cli/**'],
    rules: boundary(['extension', 'cloud', 'service'], 'The CLI talks to the service only through host/client.'),
  },
  {
    files: ['cloud/**'],
    rules: boundary(['extension', 'host'], 'cloud/ meets the host and extension only in protocol/ or platform/.'),
  },
  {
    // The edge is a separate, stateless process: it shares nothing with the portal but protocol/.
    files: ['cloud/edge/**'],
    rules: boundary(['extension', 'host', 'portal'], 'cloud/edge meets the portal only in protocol/.'),
  },
  {
    // Logic both device sides run (the service, and the extension in browser-only mode): no Node, no browser APIs.
    files: ['core/**'],
    rules: boundary(['extension', 'host', 'cloud', 'platform'], 'core/ is shared by the service and the extension: it may use only protocol/.'),
  },
  {
    files: ['protocol/**'],
    rules: boundary(['extension', 'host', 'cloud', 'platform'], 'protocol/ depends on nothing but the schema library.'),
  },
  {
    // Tests may assert on anything, and cast fixtures they build themselves.
    files: ['test/**', 'bench/**', 'scripts/**'],
    rules: {
      '@typescript-eslint/consistent-type-assertions': 'off',
      // Asymmetric matchers (expect.any, expect.stringContaining) are typed `any` by design.
      '@typescript-eslint/no-unsafe-assignment': 'off',
    },
  },
);
