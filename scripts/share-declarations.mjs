// Runs after tsup in every package's build (`tsup && node ../../scripts/share-declarations.mjs`).
//
// tsup writes each entry's declarations twice, `X.d.ts` for `import` and `X.d.cts` for
// `require`, identical but for the `.js`/`.cjs` in their relative specifiers: ~300 KB over the
// packages, and issue 17 budgets the install. Here each entry's `X.d.ts` becomes one line that
// re-exports `./X.cjs` (which TypeScript resolves to `X.d.cts`), and the shared `.d.ts` chunks
// nothing reads any more are removed. Both conditions then read one set of types, so a class
// imported one way and the other is one type. publint, attw (node16 from ESM and from CJS,
// bundler) and scripts/check-dist.mjs check the result in `check:package`.
//
// It refuses, and leaves the build as tsup wrote it, when a twin differs in more than its
// specifiers or when a declaration has a default export or a global augmentation, which
// `export *` would not carry.
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const dist = join(process.cwd(), 'dist');
const files = readdirSync(dist);
const esm = files.filter((file) => file.endsWith('.d.ts'));

/** The ESM twin's text as tsup writes it from the CJS one: relative `.cjs` specifiers as `.js`. */
const asEsm = (cts) =>
  cts.replace(/(from\s+|import\s*\(\s*)(['"])(\.\.?\/[^'"]*?)\.cjs\2/g, '$1$2$3.js$2');

/** What an entry's `X.d.ts` becomes. */
const shared = (file) => `export * from './${file.slice(0, -'.d.ts'.length)}.cjs';\n`;

const problems = [];
for (const file of esm) {
  // Already shared: the script ran twice over one build.
  if (readFileSync(join(dist, file), 'utf8') === shared(file)) continue;
  const twin = file.replace(/\.d\.ts$/, '.d.cts');
  if (!existsSync(join(dist, twin))) {
    problems.push(`${file} has no ${twin}`);
    continue;
  }
  const cts = readFileSync(join(dist, twin), 'utf8');
  if (readFileSync(join(dist, file), 'utf8') !== asEsm(cts))
    problems.push(`${file} differs from ${twin} in more than its specifiers`);
  if (/^\s*export\s+(default\b|=)|\bdeclare\s+(global|module)\b/m.test(cts))
    problems.push(`${twin} has a default export or an augmentation that \`export *\` would drop`);
}
if (problems.length > 0) {
  console.error(`share-declarations: left as built\n  ${problems.join('\n  ')}`);
  process.exit(1);
}

// An entry has its code beside it (`X.js`); a declaration chunk (`store-<hash>.d.ts`) has none.
const entries = esm.filter((file) => existsSync(join(dist, file.replace(/\.d\.ts$/, '.js'))));
for (const file of esm) {
  if (entries.includes(file)) {
    writeFileSync(join(dist, file), shared(file));
  } else {
    rmSync(join(dist, file));
  }
}
