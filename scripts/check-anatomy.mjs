#!/usr/bin/env node
// Fails when a published package under packages/* lacks the anatomy CONTRIBUTING.md describes:
// README.md, src/index.ts, tsup.config.ts, tsconfig.json, a test file, and a package.json with
// the exports shape (import/require conditions, types first), sideEffects: false, engines.node,
// files, publishConfig and the standard scripts. Run by the README's test command.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

const root = join(import.meta.dirname, '..');
const problems = [];
const fail = (pkg, message) => problems.push(`packages/${pkg}: ${message}`);

function hasTestFile(dir) {
  if (!existsSync(dir)) return false;
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (entry !== 'node_modules' && hasTestFile(path)) return true;
    } else if (/\.test\.ts$/.test(entry)) return true;
  }
  return false;
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
}

// The leaves and the simulator import no sibling; @x/provider-core composes the leaves; the
// providers and the router build on it.
const LEAVES = new Set(['pool', 'rate-limit', 'breaker', 'cache', 'tokens', 'ollama-sim']);

const packagesDir = join(root, 'packages');
const names = readdirSync(packagesDir).filter((n) => statSync(join(packagesDir, n)).isDirectory());
for (const name of names) {
  const dir = join(packagesDir, name);
  for (const file of [
    'README.md',
    'src/index.ts',
    'tsup.config.ts',
    'tsconfig.json',
    'package.json',
  ]) {
    if (!existsSync(join(dir, file))) fail(name, `missing ${file}`);
  }
  if (!hasTestFile(join(dir, 'src'))) fail(name, 'has no test file (src/**/*.test.ts)');
  if (!existsSync(join(dir, 'package.json'))) continue;
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  if (pkg.name !== `@x/${name}`) fail(name, `name should be @x/${name}, got ${pkg.name}`);
  if (pkg.private) fail(name, 'a package under packages/ is published and must not be private');
  if (pkg.type !== 'module') fail(name, 'type must be "module"');
  if (pkg.sideEffects !== false) fail(name, 'sideEffects must be false');
  if (!pkg.engines?.node) fail(name, 'engines.node is missing');
  if (pkg.main !== './dist/index.cjs') fail(name, 'main must be ./dist/index.cjs');
  if (pkg.module !== './dist/index.js') fail(name, 'module must be ./dist/index.js');
  if (pkg.types !== './dist/index.d.cts') fail(name, 'types must be ./dist/index.d.cts');
  if (pkg.publishConfig?.access !== 'public') fail(name, 'publishConfig.access must be public');
  if (!Array.isArray(pkg.files) || !pkg.files.includes('dist'))
    fail(name, 'files must include dist');
  for (const script of ['build', 'typecheck', 'test', 'check:package']) {
    if (!pkg.scripts?.[script]) fail(name, `scripts.${script} is missing`);
  }
  if (!pkg.exports || typeof pkg.exports !== 'object' || !pkg.exports['.']) {
    fail(name, 'exports["."] is missing');
  } else {
    if (pkg.exports['./package.json'] !== './package.json')
      fail(name, 'exports["./package.json"] is missing');
    for (const [key, entry] of Object.entries(pkg.exports)) {
      if (key !== './package.json') checkEntry(name, key, entry);
    }
  }
  for (const [dep, range] of Object.entries({ ...pkg.dependencies, ...pkg.peerDependencies })) {
    if (dep.startsWith('@x/') && LEAVES.has(name))
      fail(name, `depends on ${dep}: a leaf package imports no sibling (see ARCHITECTURE.md)`);
    if (dep === '@x/internal')
      fail(
        name,
        'depends on @x/internal at run time: list it in devDependencies (tsup inlines it)',
      );
    if (dep.startsWith('@x/') && range !== 'workspace:^') fail(name, `${dep} must use workspace:^`);
  }
}

if (problems.length > 0) {
  console.error(`Package anatomy check failed (${problems.length}):\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`Package anatomy: ${names.length} packages OK (${names.join(', ')})`);
