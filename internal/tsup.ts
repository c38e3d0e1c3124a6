import { createRequire } from 'node:module';
import type { Options } from 'tsup';

type Plugin = NonNullable<Options['plugins']>[number];
/** The part of sucrase's `transform` used here (sucrase is tsup's dependency, not ours). */
type SucraseTransform = (
  code: string,
  options: {
    filePath: string;
    transforms: string[];
    disableESTransforms: boolean;
    sourceMapOptions: { compiledFilename: string } | undefined;
  },
) => { code: string; sourceMap?: object };

/**
 * With `splitting`, tsup builds the CJS format as ESM and turns each chunk into CommonJS with
 * sucrase, whose default ES transforms also downlevel what Node 20 runs natively: class fields
 * become `__init` methods called from the constructor (Set, not define, semantics), with the class
 * wrapped as `(_class3 = class ..., _class3)`, which names it `_class3`, so `util.inspect`, logs and
 * `constructor.name` in CJS said `_class3 {...}` where ESM said `OllamaProvider {...}`; `?.` and
 * `??` became helper calls. This plugin runs the same sucrase (tsup's own copy) with only the
 * module transform, so a CJS chunk keeps the ESM build's syntax and class names, and turns off
 * tsup's pass for the format (`splitting` in the context is read by that pass alone).
 * `scripts/check-dist-classes.mjs` fails a package whose CJS and ESM classes differ.
 */
const cjsModulesOnly: Plugin = {
  name: 'cjs-modules-only',
  buildStart() {
    if (this.format === 'cjs') this.splitting = false;
  },
  async renderChunk(code, info) {
    const chunk = info.type === 'chunk' && /\.c?js$/.test(info.path);
    if (this.format !== 'cjs' || !this.options.splitting || this.options.treeshake || !chunk)
      return;
    const fromTsup = createRequire(createRequire(import.meta.url).resolve('tsup'));
    const { transform } = fromTsup('sucrase') as { transform: SucraseTransform };
    const result = transform(code, {
      filePath: info.path,
      transforms: ['imports'],
      disableESTransforms: true,
      sourceMapOptions: this.options.sourcemap ? { compiledFilename: info.path } : undefined,
    });
    return { code: result.code, map: result.sourceMap };
  },
};

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
    plugins: [cjsModulesOnly, ...(options.plugins ?? [])],
    noExternal: ['@x/internal', ...(options.noExternal ?? [])],
  };
}
