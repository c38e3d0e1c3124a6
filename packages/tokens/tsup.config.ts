import { defineConfig } from 'tsup';
import { packageBuild } from '../../internal/tsup';

export default defineConfig(
  packageBuild({
    // `import.meta.url` (the base for loading js-tiktoken's rank files) also works in the CJS build.
    shims: true,
    // The rank files stay in js-tiktoken: only the encoding in use is ever loaded.
    external: ['js-tiktoken'],
  }),
);
