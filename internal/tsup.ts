import type { Options } from 'tsup';

/**
 * The build every published package shares: ESM + CJS with declarations and source maps (without
 * `sourcesContent`) for Node 20, and `@x/internal` inlined so that no published `dist` imports
 * this private package.
 * A package's `tsup.config.ts` passes only what differs (its entries, a bundled dependency).
 */
export function packageBuild(options: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'node20',
    splitting: false,
    ...options,
    // The maps keep stack traces pointing at the repository's `src/` lines; the sources
    // themselves are neither embedded nor published, which would more than double the installed
    // size (issue 17: @x/provider-ollama within 5 MB, measured by apps/bench `install-size`).
    esbuildOptions(esbuild, context) {
      esbuild.sourcesContent = false;
      options.esbuildOptions?.(esbuild, context);
    },
    noExternal: ['@x/internal', ...(options.noExternal ?? [])],
  };
}
