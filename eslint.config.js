import js from '@eslint/js';
import tseslint from 'typescript-eslint';

// Layering of the master (ARCHITECTURE.md, "Layers"); a file's rule lists every group that applies to it, since a
// later config object replaces an earlier one's options for the same rule.
const restrict = (...patterns) => ({ 'no-restricted-imports': ['error', { patterns }] });
const agentCode = { group: ['@scrapyard/agent', '**/agent/src/**'] };
const httpLayer = {
  regex: '(^|/)routes/',
  message: 'a feature module takes typed input from its route and never imports routes/ (only compose/ wires them)',
};
const scrapydDialect = {
  regex: '(^|/)(scrapyd/(form|py-float|py-json|time-format|html/|static/)|scrapyd-service|scrapyd-error)',
  message: "Scrapyd's wire format and texts stay in routes/scrapyd and the Scrapyd adapter (scrapyd-service)",
};
const master = (globs) => globs.map((g) => `packages/master/src/${g}`);
const FEATURES = master([
  '{jobs,schedules,deliveries,alerts,projects,db,events,gateway,registry,storage,metrics-export,auth,scrapyd,live}/**/*.ts',
]);
const SCRAPYD_SIDE = master(['routes/scrapyd/**', 'scrapyd/**', 'compose/**']);

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'test/fixtures/**', 'scrapyard-data/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts', '**/*.tsx'],
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
    // The web UI: DOM and JSX (its own tsconfig); what it takes from the protocol package is types and the zod-free
    // role table, so zod never lands in the browser's bundle.
    files: ['packages/ui/**/*.ts', 'packages/ui/**/*.tsx'],
    languageOptions: {
      parserOptions: { project: ['./packages/ui/tsconfig.check.json'], tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          paths: [
            {
              name: '@scrapyard/protocol',
              message: 'the UI imports only types from it (import type), or its zod-free role-actions and live-types',
              allowTypeImports: true,
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/agent/src/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: ['@scrapyard/master', '**/master/src/**'] }] },
  },
  {
    files: ['packages/master/src/**/*.ts'],
    ignores: ['packages/master/src/standalone.ts', ...SCRAPYD_SIDE],
    rules: restrict(agentCode, scrapydDialect),
  },
  { files: SCRAPYD_SIDE, rules: restrict(agentCode) },
  { files: FEATURES, ignores: SCRAPYD_SIDE, rules: restrict(agentCode, scrapydDialect, httpLayer) },
  { files: master(['scrapyd/**']), rules: restrict(agentCode, httpLayer) },
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
