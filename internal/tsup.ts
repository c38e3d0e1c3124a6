import type { Options } from 'tsup';

/**
 * The build every published package shares: ESM + CJS with declarations for Node 20, and
 * `@x/internal` inlined so that no published `dist` imports this private package.
 * A package's `tsup.config.ts` passes only what differs (its entries, a bundled dependency).
 */
export function packageBuild(options: Options = {}): Options {
  return {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    // No source maps: the sources are not published (embedding them would more than double the
    // installed size, issue 17), and a map without them sends a stack trace read with
    // --enable-source-maps to `src/` files a user does not have. The dist is unminified, so its
    // own lines are readable; `scripts/check-dist.mjs` fails on a stray map.
    sourcemap: false,
    clean: true,
    target: 'node20',
    // Shared chunks (ESM and CJS) for a package with two entries (`@x/rate-limit` and its
    // `/redis`): each entry carried its own copy of the code both use, ~110 KB installed for the
    // rate limiter (issue 17's install budget), and one copy means one class per error and option.
    splitting: true,
    ...options,
    noExternal: ['@x/internal', ...(options.noExternal ?? [])],
  };
}
