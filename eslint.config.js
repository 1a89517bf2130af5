// ESLint (flat config) with typescript-eslint's type-aware rules: README "Development" says why.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['node_modules/', 'dist/', 'coverage/', 'test-artifacts/', 'data/', 'src/db/generated/', 'bench/corpus/', 'tests/fixtures/']),

  // ---- NOT LINTED YET (issue 22 left open for it): these folders were rewritten on parallel
  // branches while the linter came in; about 150 findings wait there (98 of them lines over 160
  // columns; `npx eslint` with this block removed lists them). Shrink this list, never grow it. ----
  globalIgnores(
    [
      'src/app/**',
      'src/web/**',
      'src/db/deliveries.ts',
      'src/db/subscription-mail.ts',
      'src/digest/build-digest.ts',
      'src/db/digests.ts',
      'prisma/**',
    ],
    'not linted yet: rewritten on parallel branches while the linter came in (issue 22)',
  ),
  // ---- end of the temporary block ----

  {
    files: ['src/**/*.{ts,mjs,js}', 'tests/**/*.{ts,mjs}', 'bench/**/*.ts', 'scripts/**/*.{ts,mjs}'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    plugins: { '@stylistic': stylistic },
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
      globals: globals.node,
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      // Prettier formats at 160 columns but cannot break a long string, comment or template literal.
      '@stylistic/max-len': ['error', { code: 160, ignoreUrls: true, ignoreRegExpLiterals: true }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_' }],
    },
  },
  {
    // ---- TEMPORARY for tests/ (the lint branch's report counts them): tests read untyped JSON
    // (supertest's response.body, JSON.parse, YAML) and assert its shape, and stub async interfaces
    // with async functions that need no await. Typing those bodies is follow-up work; src/, bench/
    // and scripts/ keep every rule.
    files: ['tests/**/*.{ts,mjs}'],
    rules: {
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    // Plain JavaScript is outside tsconfig.json: no type information for these.
    files: ['**/*.{mjs,js}'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  {
    // Served to the browser, not run by Node.
    files: ['src/web/public/**/*.js', 'src/web/dashboard/public/**/*.js'],
    languageOptions: { globals: globals.browser },
  },
);
