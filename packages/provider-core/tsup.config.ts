import { defineConfig } from 'tsup';
import { packageBuild } from '../../internal/tsup';

export default defineConfig(
  packageBuild({
    // `import.meta.url` (the base for loading the optional `@opentelemetry/api`) also works in
    // the CJS build.
    shims: true,
  }),
);
