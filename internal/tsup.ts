import type { Options } from 'tsup';

/**
 * The build every published package shares: ESM + CJS with declarations and source maps for
 * Node 20, and `@x/internal` inlined so that no published `dist` imports this private package.
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
    noExternal: ['@x/internal', ...(options.noExternal ?? [])],
  };
}
