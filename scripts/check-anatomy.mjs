#!/usr/bin/env node
// Fails when a published package under packages/* lacks the anatomy CONTRIBUTING.md describes
// ("One package's anatomy", "Who may depend on whom"): its files (README.md, tsconfig.json
// extending the base, tsup.config.ts through packageBuild(), src/index.ts, src/index.test.ts
// pinning the exports, src/options.ts, src/errors.ts), kebab-case names and source files of at
// most 400 lines, an entry point of named exports only, and a package.json of the shape described
// (exports, files, engines, publishConfig, repository/homepage/bugs, scripts, an optional Redis
// entry); then the package graph, from package.json and from the imports in src/. Run by
// `pnpm check:anatomy` (part of `pnpm check`). `--root <dir>` checks another copy of the
// repository (how its own failures are tried: on a broken copy under /tmp, never on this one).
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const rootFlag = process.argv.indexOf('--root');
const root = rootFlag === -1 ? join(import.meta.dirname, '..') : process.argv[rootFlag + 1];
const problems = [];
const fail = (pkg, message) => problems.push(`packages/${pkg}: ${message}`);

/** The leaves and the simulator: useful alone, they depend on no sibling (ARCHITECTURE.md). */
const LEAVES = new Set(['pool', 'rate-limit', 'breaker', 'cache', 'tokens', 'ollama-sim']);
/** What `@x/provider-core` composes: the leaves but the simulator. */
const COMPOSED = new Set(['pool', 'rate-limit', 'breaker', 'cache', 'tokens']);
const CORE = 'provider-core';
/** The longest source file (tests excepted: they list cases). */
const MAX_LINES = 400;
const KEBAB = /^[a-z0-9]+(?:-[a-z0-9]+)*$/;
/** Written by `changeset version` at the first release: listed in `files` before it exists. */
const CHANGELOG = 'CHANGELOG.md';

const rootPackage = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const read = (path) => (existsSync(path) ? readFileSync(path, 'utf8') : '');

/** Every file under `dir`, relative to it (`node_modules` left out). */
function walk(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  const out = [];
  for (const entry of readdirSync(dir)) {
    if (entry === 'node_modules') continue;
    const rel = prefix === '' ? entry : `${prefix}/${entry}`;
    if (statSync(join(dir, entry)).isDirectory())
      out.push(`${rel}/`, ...walk(join(dir, entry), rel));
    else out.push(rel);
  }
  return out;
}

/** Test code: a `*.test.ts` file or anything under `__fixtures__/`. Never in a dist. */
const isTestCode = (rel) => rel.endsWith('.test.ts') || rel.split('/').includes('__fixtures__');

function checkSources(name, src) {
  const files = walk(src);
  if (!files.some((f) => f.endsWith('.test.ts'))) fail(name, 'has no test file (src/**/*.test.ts)');
  for (const rel of files) {
    const parts = rel.replace(/\/$/, '').split('/');
    const base = parts.at(-1);
    // A folder's name, or a file's name up to its extensions (`redis-store.hostile.test.ts`).
    const words = rel.endsWith('/') ? [base] : base.split('.').slice(0, -1);
    if (base !== '__fixtures__' && !words.every((w) => KEBAB.test(w)))
      fail(name, `src/${rel}: names are kebab-case (lower-case words joined by "-")`);
    if (!rel.endsWith('.ts') || rel.endsWith('.test.ts')) continue;
    const lines = readFileSync(join(src, rel), 'utf8').split('\n').length - 1;
    if (lines > MAX_LINES) fail(name, `src/${rel} has ${lines} lines: at most ${MAX_LINES}`);
  }
  return files.filter((f) => f.endsWith('.ts'));
}

/** An entry point is the public API written out: named exports only, nothing from src/internal. */
function checkEntrySource(name, file) {
  const text = read(join(root, 'packages', name, 'src', file));
  if (/^\s*export\s+\*/m.test(text))
    fail(name, `src/${file}: \`export *\`: list the exports by name`);
  if (/^\s*export\s+default\b/m.test(text)) fail(name, `src/${file}: no default export`);
  if (/from\s+['"]\.\/internal\//.test(text))
    fail(name, `src/${file} exports from src/internal/, whose helpers are never exported`);
}

function checkEntry(pkg, key, entry) {
  const base = key === '.' ? 'index' : key.slice(2);
  const expected = {
    import: { types: `./dist/${base}.d.ts`, default: `./dist/${base}.js` },
    require: { types: `./dist/${base}.d.cts`, default: `./dist/${base}.cjs` },
  };
  for (const condition of ['import', 'require']) {
    const got = entry?.[condition];
    if (!got || typeof got !== 'object') {
      fail(pkg, `exports["${key}"].${condition} must be an object with types and default`);
      continue;
    }
    if (Object.keys(got)[0] !== 'types')
      fail(pkg, `exports["${key}"].${condition}.types must come first`);
    for (const field of ['types', 'default']) {
      if (got[field] !== expected[condition][field])
        fail(
          pkg,
          `exports["${key}"].${condition}.${field} should be ${expected[condition][field]}, got ${got[field]}`,
        );
    }
  }
  const src = join(root, 'packages', pkg, 'src', `${base}.ts`);
  if (!existsSync(src)) fail(pkg, `exports["${key}"] has no source file src/${base}.ts`);
  else checkEntrySource(pkg, `${base}.ts`);
}

function checkManifest(name, dir, pkg) {
  if (pkg.name !== `@x/${name}`) fail(name, `name should be @x/${name}, got ${pkg.name}`);
  if (pkg.private) fail(name, 'a package under packages/ is published and must not be private');
  if (pkg.type !== 'module') fail(name, 'type must be "module"');
  if (pkg.sideEffects !== false) fail(name, 'sideEffects must be false');
  if (pkg.engines?.node !== rootPackage.engines.node)
    fail(name, `engines.node must be "${rootPackage.engines.node}" (the root's)`);
  if (pkg.main !== './dist/index.cjs') fail(name, 'main must be ./dist/index.cjs');
  if (pkg.module !== './dist/index.js') fail(name, 'module must be ./dist/index.js');
  if (pkg.types !== './dist/index.d.cts') fail(name, 'types must be ./dist/index.d.cts');
  if (pkg.publishConfig?.access !== 'public') fail(name, 'publishConfig.access must be public');
  if (pkg.repository?.type !== 'git' || typeof pkg.repository?.url !== 'string')
    fail(name, 'repository must be { type: "git", url, directory }');
  if (pkg.repository?.directory !== `packages/${name}`)
    fail(name, `repository.directory must be packages/${name}`);
  if (typeof pkg.homepage !== 'string') fail(name, 'homepage is missing');
  if (typeof pkg.bugs?.url !== 'string') fail(name, 'bugs.url is missing');
  // How people find a package in the registry's search.
  if (!Array.isArray(pkg.keywords) || pkg.keywords.length === 0)
    fail(name, 'keywords are missing (the registry search reads them)');

  // The tarball: the build and the changelog, plus folders shipped as they are (the simulator's
  // bin and fixtures). Never the sources: they would double the installed size for nothing, as
  // the dist has no source maps pointing at them.
  const files = Array.isArray(pkg.files) ? pkg.files : [];
  if (files[0] !== 'dist' || files.at(-1) !== CHANGELOG)
    fail(
      name,
      `files must start with "dist" and end with "${CHANGELOG}", got ${JSON.stringify(pkg.files)}`,
    );
  for (const entry of files.slice(1, -1)) {
    if (/^!?src\b/.test(entry)) fail(name, `files must not ship the sources ("${entry}")`);
    else if (!existsSync(join(dir, entry)))
      fail(name, `files lists "${entry}", which does not exist`);
  }

  for (const script of ['build', 'typecheck', 'test', 'check:package']) {
    if (!pkg.scripts?.[script]) fail(name, `scripts.${script} is missing`);
  }
  // tsup writes every declaration twice (.d.ts, .d.cts); the second step keeps one (issue 17).
  const BUILD = 'tsup && node ../../scripts/share-declarations.mjs';
  if (pkg.scripts?.build !== undefined && pkg.scripts.build !== BUILD)
    fail(name, `scripts.build must be \`${BUILD}\`, got \`${pkg.scripts.build}\``);
  const checkPackage = pkg.scripts?.['check:package'] ?? '';
  for (const step of ['publint --strict', 'attw --pack .', 'node ../../scripts/check-dist.mjs']) {
    if (!checkPackage.includes(step)) fail(name, `scripts.check:package must run \`${step}\``);
  }

  if (!pkg.exports || typeof pkg.exports !== 'object' || !pkg.exports['.']) {
    fail(name, 'exports["."] is missing');
    return;
  }
  if (pkg.exports['./package.json'] !== './package.json')
    fail(name, 'exports["./package.json"] is missing');
  for (const [key, entry] of Object.entries(pkg.exports)) {
    if (key === './package.json') continue;
    checkEntry(name, key, entry);
    if (key === '.') continue;
    // A second entry resolves under moduleResolution node10 too (docs-check compiles with it).
    const sub = key.slice(2);
    const mapped = pkg.typesVersions?.['*']?.[sub];
    if (!Array.isArray(mapped) || mapped[0] !== `./dist/${sub}.d.cts`)
      fail(
        name,
        `typesVersions["*"]["${sub}"] must be ["./dist/${sub}.d.cts"] for exports["${key}"]`,
      );
  }
  if (pkg.exports['./redis'] !== undefined) {
    if (pkg.peerDependencies?.ioredis === undefined || !pkg.peerDependenciesMeta?.ioredis?.optional)
      fail(name, 'a "./redis" entry lists ioredis as an optional peer dependency');
  }
}

/** The sibling packages a package.json field names (`@x/internal` left out). */
const siblings = (deps) =>
  Object.keys(deps ?? {})
    .filter((d) => d.startsWith('@x/') && d !== '@x/internal')
    .map((d) => d.slice(3));

function checkGraph(name, pkg, sources) {
  const runtime = [...siblings(pkg.dependencies), ...siblings(pkg.peerDependencies)];
  const dev = siblings(pkg.devDependencies);
  for (const [dep, range] of Object.entries({
    ...pkg.dependencies,
    ...pkg.peerDependencies,
    ...pkg.devDependencies,
  })) {
    if (!dep.startsWith('@x/')) continue;
    const want = dep === '@x/internal' ? 'workspace:*' : 'workspace:^';
    if (range !== want) fail(name, `${dep} must use ${want}`);
  }
  if (pkg.devDependencies?.['@x/internal'] === undefined)
    fail(name, '@x/internal must be a dev dependency (tsup inlines it)');
  for (const field of ['dependencies', 'peerDependencies']) {
    if (pkg[field]?.['@x/internal'] !== undefined)
      fail(name, `depends on @x/internal at run time (${field}): list it in devDependencies`);
  }

  const why = 'see "Who may depend on whom" in CONTRIBUTING.md';
  if (LEAVES.has(name)) {
    for (const dep of [...runtime, ...dev])
      fail(name, `depends on @x/${dep}: a leaf package imports no sibling (${why})`);
  } else if (name === CORE) {
    for (const dep of [...runtime, ...dev]) {
      if (!COMPOSED.has(dep))
        fail(name, `depends on @x/${dep}: @x/provider-core composes only the leaves (${why})`);
    }
  } else {
    if (!runtime.includes(CORE))
      fail(
        name,
        `does not depend on @x/provider-core: providers and the router build on it (${why})`,
      );
    for (const dep of runtime) {
      if (dep !== CORE && !COMPOSED.has(dep))
        fail(
          name,
          `depends on @x/${dep} at run time: only @x/provider-core and the leaves (${why})`,
        );
    }
  }

  // What src/ imports: a published file only what package.json installs with the package (and
  // @x/internal, inlined); test code also dev dependencies, and @x/internal/testing.
  const src = join(root, 'packages', name, 'src');
  const declared = new Set([name, ...runtime]);
  const declaredForTests = new Set([...declared, ...dev]);
  const importPattern =
    /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)['"]@x\/([a-z0-9-]+)(\/[a-z-]+)?['"]/g;
  for (const rel of sources) {
    const test = isTestCode(rel);
    for (const [, dep, subpath] of readFileSync(join(src, rel), 'utf8').matchAll(importPattern)) {
      if (dep === 'internal') {
        if (subpath === '/testing' && !test)
          fail(name, `src/${rel} imports @x/internal/testing, which only tests may use`);
        continue;
      }
      if (!(test ? declaredForTests : declared).has(dep))
        fail(
          name,
          `src/${rel} imports @x/${dep}, which package.json does not list${test ? '' : ' as a dependency'} (${why})`,
        );
    }
  }
}

const packagesDir = join(root, 'packages');
const names = readdirSync(packagesDir).filter((n) => statSync(join(packagesDir, n)).isDirectory());
for (const name of names) {
  const dir = join(packagesDir, name);
  if (!KEBAB.test(name)) fail(name, 'a package folder name is kebab-case');
  for (const file of [
    'README.md',
    'package.json',
    'tsconfig.json',
    'tsup.config.ts',
    'src/index.ts',
    'src/index.test.ts',
    'src/options.ts',
    'src/errors.ts',
  ]) {
    if (!existsSync(join(dir, file))) fail(name, `missing ${file}`);
  }
  if (!/"extends"\s*:\s*"\.\.\/\.\.\/tsconfig\.base\.json"/.test(read(join(dir, 'tsconfig.json'))))
    fail(name, 'tsconfig.json must extend ../../tsconfig.base.json');
  const tsup = read(join(dir, 'tsup.config.ts'));
  if (!tsup.includes("from '../../internal/tsup'") || !tsup.includes('packageBuild('))
    fail(name, "tsup.config.ts must build with packageBuild() from '../../internal/tsup'");
  const indexTest = read(join(dir, 'src/index.test.ts'));
  if (!indexTest.includes('Object.keys') || !indexTest.includes('toMatchInlineSnapshot'))
    fail(name, 'src/index.test.ts must pin the export list (Object.keys in an inline snapshot)');
  const sources = checkSources(name, join(dir, 'src'));
  if (!existsSync(join(dir, 'package.json'))) continue;
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  checkManifest(name, dir, pkg);
  checkGraph(name, pkg, sources);
}

if (problems.length > 0) {
  const listed = [...new Set(problems)];
  console.error(`Package anatomy check failed (${listed.length}):\n  ${listed.join('\n  ')}`);
  process.exit(1);
}
console.log(`Package anatomy: ${names.length} packages OK (${names.join(', ')})`);
