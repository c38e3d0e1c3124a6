import { createRequire } from 'node:module';
import { defineConfig, type Plugin } from 'vitest/config';

// Vite 8 transforms TypeScript with Oxc, which lowers only legacy (experimentalDecorators)
// decorators. The tests of `@rateLimited` use standard (TC39) decorators, so this package's
// TypeScript is compiled with esbuild, the compiler tsup uses for the published build.
const requireFromTsup = createRequire(createRequire(import.meta.url).resolve('tsup'));
const esbuild = requireFromTsup('esbuild') as {
  transform(code: string, options: Record<string, unknown>): Promise<{ code: string; map: string }>;
};

const standardDecorators: Plugin = {
  name: 'rate-limit:standard-decorators',
  enforce: 'pre',
  async transform(code, id) {
    if (!id.endsWith('.ts') || id.includes('/node_modules/')) return null;
    const out = await esbuild.transform(code, {
      loader: 'ts',
      target: 'node20',
      format: 'esm',
      sourcemap: true,
      sourcefile: id,
    });
    return { code: out.code, map: out.map };
  },
};

export default defineConfig({
  plugins: [standardDecorators],
  test: {
    globalSetup: ['../../scripts/testing/redis-server.ts'],
    include: ['src/**/*.test.ts'],
    // the memory test measures bytes per idle key after a forced collection
    execArgv: ['--expose-gc'],
    testTimeout: 20_000,
    hookTimeout: 20_000,
  },
});
