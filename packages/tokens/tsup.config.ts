import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: false,
  // `import.meta.url` (the base for loading js-tiktoken's rank files) also works in the CJS build.
  shims: true,
  // The rank files stay in js-tiktoken: only the encoding in use is ever loaded.
  external: ['js-tiktoken'],
});
