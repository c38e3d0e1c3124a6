import { defineConfig, type Options } from 'tsup';

const common: Options = {
  entry: ['src/index.ts', 'src/redis.ts'],
  dts: true,
  sourcemap: true,
  target: 'node20',
  splitting: false,
};

export default defineConfig([
  // ESM resolves quick-lru (ESM-only) from node_modules like any dependency.
  { ...common, format: ['esm'], clean: ['*.js', '*.js.map', '*.d.ts'] },
  // CJS bundles it: esbuild's CommonJS interop would hand `require('quick-lru')`'s namespace
  // object to `new`, and bundling also spares CJS users require(esm).
  {
    ...common,
    format: ['cjs'],
    noExternal: ['quick-lru'],
    clean: ['*.cjs', '*.cjs.map', '*.d.cts'],
  },
]);
