import { defineConfig } from 'tsup';
import { packageBuild } from '../../internal/tsup';

export default defineConfig(
  packageBuild({
    // The CLI is a second entry; esbuild keeps its `#!/usr/bin/env node` line. Only the library
    // entry gets declarations.
    entry: { index: 'src/index.ts', cli: 'src/cli.ts' },
    dts: { entry: { index: 'src/index.ts' } },
    // `recordedFixturesDir` is found from import.meta.url, which the CommonJS build needs shimmed.
    shims: true,
  }),
);
