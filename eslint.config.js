import js from '@eslint/js';
import { defineConfig, globalIgnores } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  globalIgnores([
    '**/*.tmp.*',
    // the GPU machine's kit (bench/src/gpu/device.sh)
    '.device-kit/',
    '**/dist/',
    '**/coverage/',
    '**/.turbo/',
    'bench/results/',
    '**/*.generated.ts',
    // the docs site's build outputs (docs/.gitignore)
    'docs/api/',
    'docs/generated/',
    'docs/public/results/',
    'docs/.vitepress/dist/',
    'docs/.vitepress/cache/',
  ]),
  js.configs.recommended,
  tseslint.configs.recommended,
  {
    // The libraries run in Node and in browsers.
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
    rules: {
      // Tensor methods are declared by an interface and installed from the op tables (one line per
      // op), which is class/interface declaration merging by design.
      '@typescript-eslint/no-unsafe-declaration-merging': 'off',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' },
      ],
    },
  },
  {
    // CommonJS files (the packed-package checks' fixtures) load modules with require().
    files: ['**/*.cjs'],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
