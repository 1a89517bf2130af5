// ESLint (flat config) with typescript-eslint's type-aware rules: README "Development" says why.
import js from '@eslint/js';
import stylistic from '@stylistic/eslint-plugin';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores(['node_modules/', 'dist/', 'coverage/', 'test-artifacts/', 'data/', 'src/db/generated/', 'bench/corpus/', 'tests/fixtures/']),

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
