import { defineConfig } from 'tsup';

export default defineConfig({
  // The CLI is a second entry; esbuild keeps its `#!/usr/bin/env node` line. Only the library
  // entry gets declarations.
  entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
  format: ['esm', 'cjs'],
  dts: { entry: { index: 'src/index.ts' } },
  sourcemap: true,
  clean: true,
  target: 'node20',
  splitting: false,
});
