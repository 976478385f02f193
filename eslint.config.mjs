// ESLint finds defects, Prettier owns style (`.prettierrc.json`): every rule here is one that catches
// a bug class this code base can have (a promise nobody awaits, a promise where a callback is expected,
// an unused value left behind by a refactor, a stale disable comment), none is about layout.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['dist/**', 'node_modules/**', 'out/**', 'release/**', 'test-output/**'],
  },
  {
    linterOptions: {
      // An `eslint-disable` comment that no longer suppresses anything is an error, so none goes stale.
      reportUnusedDisableDirectives: 'error',
    },
  },
  {
    files: ['**/*.ts', '**/*.mts'],
    extends: [tseslint.configs.recommended],
    languageOptions: {
      parserOptions: {
        // Each file is checked with the tsconfig.json nearest to it (root, renderer/, browser/).
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // A promise nobody awaits or catches loses its rejection (and the order of what follows it).
      '@typescript-eslint/no-floating-promises': 'error',
      // An async function where a void callback is expected: its rejection goes nowhere.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: true, attributes: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      // `any` is sometimes the honest type at a boundary (a fake, a test poking at the wire).
      '@typescript-eslint/no-explicit-any': 'off',
      // The public types mirror Chrome's own names (`chrome.sockets.tcp.CreateInfo`): type-only namespaces.
      '@typescript-eslint/no-namespace': 'off',
      'no-fallthrough': 'error',
      'no-self-compare': 'error',
      'no-unreachable': 'error',
      'no-constant-binary-expression': 'error',
      'no-unsafe-finally': 'error',
      'no-dupe-else-if': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The global declarations and their compile fixtures are checked by test/electron/types.test.ts with
    // their own compiler options (`wrong-usage.ts` must fail to compile); here they get the rules that need
    // no type information.
    files: ['types/**/*.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    // `/// <reference types=…>` is exactly how an app uses the global declarations.
    rules: { '@typescript-eslint/triple-slash-reference': 'off' },
  },
  {
    // Plain JavaScript (build scripts, the bin entry): no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        require: 'readonly',
        module: 'writable',
        __dirname: 'readonly',
        __filename: 'readonly',
        Buffer: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        URL: 'readonly',
        TextEncoder: 'readonly',
        TextDecoder: 'readonly',
        // Page-side code (functions a script evaluates inside Chromium).
        document: 'readonly',
        window: 'readonly',
        performance: 'readonly',
        requestAnimationFrame: 'readonly',
      },
    },
    rules: {
      'no-undef': 'error',
      'no-unused-vars': ['error', { argsIgnorePattern: '^_', caughtErrors: 'none' }],
      'no-unreachable': 'error',
      'no-fallthrough': 'error',
      'no-self-compare': 'error',
      'no-constant-binary-expression': 'error',
      eqeqeq: ['error', 'always', { null: 'ignore' }],
    },
  },
  {
    // The fixture Chrome Apps (test/fixtures/apps/): classic-sample page scripts whose top-level names are
    // globals the end-to-end tests read from the page, running where `chrome` is the app runtime's.
    files: ['test/fixtures/apps/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { chrome: 'readonly' } },
    rules: { 'no-unused-vars': ['error', { vars: 'local' }] },
  },
);
