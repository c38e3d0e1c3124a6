import { defineConfig } from 'tsup';
import { packageBuild } from '../../internal/tsup';

const entry = ['src/index.ts', 'src/redis.ts'];

export default defineConfig([
  // ESM resolves quick-lru (ESM-only) from node_modules like any dependency.
  packageBuild({ entry, format: ['esm'], clean: ['*.js', '*.js.map', '*.d.ts'] }),
  // CJS bundles it: esbuild's CommonJS interop would hand `require('quick-lru')`'s namespace
  // object to `new`, and bundling also spares CJS users require(esm).
  packageBuild({
    entry,
    format: ['cjs'],
    noExternal: ['quick-lru'],
    clean: ['*.cjs', '*.cjs.map', '*.d.cts'],
  }),
]);
