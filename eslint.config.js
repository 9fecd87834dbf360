import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'test/fixtures/**', 'scrapyard-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { project: ['./tsconfig.check.json'], tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false } }],
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'always', { null: 'ignore' }],
      curly: ['error', 'multi-line'],
    },
  },
  {
    files: ['packages/agent/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@scrapyard/master', '**/master/src/**'] }] },
  },
  {
    files: ['packages/master/src/**/*.ts'],
    ignores: ['packages/master/src/standalone.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@scrapyard/agent', '**/agent/src/**'] }] },
  },
  {
    files: ['packages/protocol/src/**/*.ts'],
    ignores: ['packages/protocol/src/**/*.test.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', '@scrapyard/*'] }] },
  },
  {
    // The node handshake proof is computed by both daemons and must exist once: it may use node:crypto (only).
    files: ['packages/protocol/src/handshake.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['node:*', '!node:crypto', '@scrapyard/*'] }] },
  },
  {
    // Every error class carries a catalogue code (protocol errors.ts): extend CatalogueError or errorWithCode(…).
    files: ['packages/*/src/**/*.ts'],
    ignores: ['packages/*/src/**/*.test.ts', 'packages/*/src/**/*.test-support.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: ':matches(ClassDeclaration, ClassExpression)[superClass.name=/^(Error|TypeError|RangeError)$/]',
          message: 'An error class carries a catalogue code: extend CatalogueError or errorWithCode(code).',
        },
      ],
    },
  },
  {
    files: ['**/*.mjs', '**/*.js'],
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        URL: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
  },
);
