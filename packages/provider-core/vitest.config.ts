import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // The README example imports the package by its name: test it against the sources.
    alias: { '@x/provider-core': fileURLToPath(new URL('./src/index.ts', import.meta.url)) },
  },
});
