#!/usr/bin/env node
// Fails when a built package's dist imports @x/internal, the private helpers package that tsup must
// inline (see internal/tsup.ts): a published package must never depend on it at run time; when it
// holds a source map, whose sources are not published; or when the package.json `pnpm pack` writes
// into the tarball still names @x/internal (the workspace's .pnpmfile.cjs removes it); or when an
// entry point's .d.ts or .d.cts declares an export as a value (a class, function or constant) that
// the .js or .cjs it describes does not export (see declaredButMissing below); or when the oldest
// TypeScript the guide promises (5.2, the root's `typescript-oldest`) reports an error inside the
// declaration files with `skipLibCheck` off (see oldestTypeScriptErrors below); or when a library
// of a user's, compiled with `declaration: true` over a pnpm install of the package, cannot name a
// type the package hands out (TS2742: see check-dist-names.mjs); or when the CJS build's classes
// differ from the ESM build's (a name, a member: see check-dist-classes.mjs).
// Run from a package folder by its `check:package` script, after the build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import ts from 'typescript';
import { classMismatches } from './check-dist-classes.mjs';
import { declarationsProgram, unnameableTypeErrors } from './check-dist-names.mjs';

/** The oldest TypeScript the docs promise (getting-started: "TypeScript 5.2 or later"). */
const OLDEST_TYPESCRIPT = '5.2';

const dist = join(process.cwd(), 'dist');
const offenders = [];
const maps = [];
function walk(dir) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) walk(path);
    // A map would point stack traces at `src/` files the tarball does not hold (internal/tsup.ts).
    else if (entry.endsWith('.map')) maps.push(path);
    else if (/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(entry)) {
      const text = readFileSync(path, 'utf8');
      if (/(from\s*|require\(\s*|import\(\s*)["']@x\/internal/.test(text)) offenders.push(path);
    }
  }
}
try {
  walk(dist);
} catch (error) {
  console.error(`check-dist: cannot read ${dist} (${error.code ?? error.message}); build first`);
  process.exit(1);
}
if (offenders.length > 0) {
  console.error(
    `check-dist: these files import the private @x/internal instead of inlining it:\n  ${offenders
      .map((p) => relative(process.cwd(), p))
      .join('\n  ')}`,
  );
  process.exit(1);
}
if (maps.length > 0) {
  console.error(
    `check-dist: these source maps would be published without their sources:\n  ${maps
      .map((p) => relative(process.cwd(), p))
      .join('\n  ')}`,
  );
  process.exit(1);
}
// tsup's declaration bundler turns `export type { SomeClass }` into a plain `export { SomeClass }`
// of a `declare class`: tsc then accepts `e instanceof SomeClass`, and at run time ESM refuses the
// import ("does not provide an export named") while CJS hands back undefined. So every name that a
// built declaration file lets a user read as a value must be a key of the module it describes.
const mismatches = await declaredButMissing(JSON.parse(readFileSync('package.json', 'utf8')));
if (mismatches.length > 0) {
  console.error(
    `check-dist: these names are declared as run-time exports but the module does not export them:\n  ${mismatches.join('\n  ')}\n` +
      'TypeScript lets a user import them as values (`instanceof`, a call): export them from src/index.ts ' +
      'as values, or declare a type-only one as an interface or a type alias, not a class (tsup drops `export type`).',
  );
  process.exit(1);
}
const classDiffs = await classMismatches(JSON.parse(readFileSync('package.json', 'utf8')));
if (classDiffs.length > 0) {
  console.error(
    `check-dist: the CJS build's classes differ from the ESM build's (util.inspect, logs and constructor.name in CJS would show them):\n  ${classDiffs.join('\n  ')}\n` +
      'See internal/tsup.ts: the CJS chunks must keep the ESM syntax (no class-field transform).',
  );
  process.exit(1);
}
const oldErrors = oldestTypeScriptErrors(JSON.parse(readFileSync('package.json', 'utf8')));
if (oldErrors !== '') {
  console.error(
    `check-dist: TypeScript ${OLDEST_TYPESCRIPT} (the oldest the guide promises) reports errors in the declarations, which a user with skipLibCheck off sees:\n${oldErrors}`,
  );
  process.exit(1);
}
const unnamed = unnameableTypeErrors(JSON.parse(readFileSync('package.json', 'utf8')));
if (unnamed !== '') {
  console.error(
    `check-dist: a user's declarations cannot name these types the package hands out (export them from an entry point, \`export type\` for another package's):\n${unnamed}`,
  );
  process.exit(1);
}
// The manifest as published: pack into a temporary folder and read its package.json back.
const packed = mkdtempSync(join(tmpdir(), 'check-dist-'));
try {
  execFileSync('pnpm', ['pack', '--pack-destination', packed], { stdio: 'ignore' });
  const [tarball] = readdirSync(packed).filter((f) => f.endsWith('.tgz'));
  const manifest = JSON.parse(
    execFileSync('tar', ['-xzOf', join(packed, tarball), 'package/package.json'], {
      encoding: 'utf8',
    }),
  );
  const fields = ['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'];
  const naming = fields.filter((field) => manifest[field]?.['@x/internal'] !== undefined);
  if (naming.length > 0) {
    console.error(
      `check-dist: the packed package.json names the private @x/internal in ${naming.join(', ')}`,
    );
    process.exit(1);
  }
} finally {
  rmSync(packed, { recursive: true, force: true });
}
console.log(
  `check-dist: no import of @x/internal and no source map in dist; every export the declarations give as a value exists at run time; the CJS classes match the ESM ones; TypeScript ${OLDEST_TYPESCRIPT} reads the declarations without an error; a user's declarations name every type it hands out; the packed package.json does not name @x/internal`,
);

/**
 * The output of the oldest supported TypeScript (`typescript-oldest` in the root package.json, the
 * version docs/guide/getting-started.md names) over every declaration file the exports map points
 * at, strict and with `skipLibCheck` off, as a user's project reads them; '' when it reports none.
 * Newer compilers accept what older ones refuse (a class member keyed by a plain `symbol`, TS1166
 * before 5.8), so building with the pinned 5.9 alone does not show it.
 */
function oldestTypeScriptErrors(manifest) {
  const files = new Set();
  for (const target of Object.values(manifest.exports ?? {})) {
    if (typeof target !== 'object' || target === null) continue;
    for (const condition of ['import', 'require']) {
      if (typeof target[condition]?.types === 'string') files.add(target[condition].types);
    }
  }
  const tsc = createRequire(import.meta.url).resolve('typescript-oldest/bin/tsc');
  const args = ['--noEmit', '--strict', '--module', 'nodenext', '--moduleResolution', 'nodenext'];
  try {
    execFileSync(process.execPath, [tsc, ...args, '--types', 'node', ...files], {
      encoding: 'utf8',
      stdio: 'pipe',
    });
    return '';
  } catch (error) {
    return `${error.stdout ?? ''}${error.stderr ?? ''}`.trim() || String(error);
  }
}

/**
 * For each entry point of `manifest.exports` and each of its conditions (`import`, `require`), the
 * names its `types` file declares as values that its `default` file does not export, each as
 * `<types file>: <name> (<entry> <condition>)`. An entry with neither condition (`./package.json`)
 * is skipped; one whose conditions lack `types` or `default` is reported, since it cannot be read.
 */
async function declaredButMissing(manifest) {
  const found = [];
  const require = createRequire(join(process.cwd(), 'package.json'));
  for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
    if (typeof target !== 'object' || target === null) continue;
    for (const condition of ['import', 'require']) {
      const paths = target[condition];
      if (paths === undefined) continue;
      if (typeof paths?.types !== 'string' || typeof paths?.default !== 'string') {
        found.push(`exports["${entry}"].${condition}: no types and default files to compare`);
        continue;
      }
      const file = resolve(paths.default);
      const runtime =
        condition === 'import' ? await import(pathToFileURL(file).href) : require(file);
      for (const name of declaredValues(resolve(paths.types))) {
        if (!Object.hasOwn(runtime, name))
          found.push(
            `${paths.types}: ${name} (exports["${entry}"] ${condition}, ${paths.default})`,
          );
      }
    }
  }
  return found;
}

/**
 * The exported names of a declaration file that TypeScript lets a user read as a value: the
 * export's symbol, followed alias by alias (a re-export from a shared chunk or from another
 * package), ends at a value, and no link of the chain is `type`-only.
 */
function declaredValues(file) {
  const program = declarationsProgram([file]);
  const checker = program.getTypeChecker();
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(file));
  if (moduleSymbol === undefined) return [];
  const values = [];
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    let symbol = exported;
    let typeOnly = false;
    while (!typeOnly && symbol.flags & ts.SymbolFlags.Alias) {
      typeOnly = (symbol.declarations ?? []).some(ts.isTypeOnlyImportOrExportDeclaration);
      const next = checker.getImmediateAliasedSymbol(symbol);
      if (next === undefined || next === symbol) break;
      symbol = next;
    }
    if (typeOnly) continue;
    // An alias TypeScript cannot follow (a package it cannot resolve) is checked as a value: the
    // run time then says whether it exists.
    if (symbol.flags & ts.SymbolFlags.Value || (symbol.declarations ?? []).length === 0)
      values.push(exported.name);
  }
  return values;
}
