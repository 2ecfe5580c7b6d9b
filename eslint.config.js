import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['dist/', 'renderer/dist/', 'release/', 'node_modules/', 'assets/'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
);
