// A user's library compiled with `declaration: true` writes out the type of every export it lets
// TypeScript infer (`export const breaker = provider.breaker`). When that type is declared in a
// package the user did not install directly (under pnpm, `@x/breaker` sits in
// node_modules/.pnpm, reachable only from `@x/provider-core`), the compiler can name it only
// through a package the user did install that re-exports it; otherwise it fails with TS2742 ("The
// inferred type of 'breaker' cannot be named without a reference to '.pnpm/...'. This is likely
// not portable."). A type of the package's own that no entry point exports fails the same way
// (TS4023). So this check walks what the entry points hand out (return types, properties, promised
// and iterated values), writes a consumer that exports one inferred value of each named type
// found, and compiles it under `nodenext` and `bundler` resolution, from a pnpm layout copied out
// of the workspace (check-dist-layout.mjs).
//
// The compiler is the workspace's own, not the oldest the guide promises: TypeScript 5.2 and 5.3
// never name a type through a re-export when its declaration file declares it first and exports
// it in a list (`interface Breaker {...}` then `export { type Breaker }`, which is how every
// bundled .d.ts of ours is written); 5.4 added that search. The consumer reaches the packages
// through `import()` types, never a namespace import in scope, through which any compiler would
// name everything and the check would prove nothing.
import { mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { pnpmLayout } from './check-dist-layout.mjs';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Declarations under it are ours (as TypeScript writes paths); the lib, undici... are not checked. */
const PACKAGES = `${realpathSync(join(ROOT, 'packages')).replaceAll('\\', '/')}/`;

/**
 * Type-level steps of the consumer, each distributing over a union so that `provider.breaker`
 * (`Breaker | undefined`) leads on to `stats()`. `Item` is what a promise, an array, a map or an
 * (async) iterable or iterator holds: the type arguments of a type that is not ours.
 */
const HELPERS = `type Prop<T, K extends PropertyKey> = T extends unknown ? (K extends keyof T ? T[K] : never) : never;
type Ret<T> = T extends (...args: any) => infer R ? R : never;
type New<T> = T extends abstract new (...args: any) => infer R ? R : never;
type Item<T> = T extends PromiseLike<infer U> ? U
  : T extends ReadonlyMap<infer K, infer V> ? K | V
  : T extends ReadonlySet<infer U> ? U
  : T extends ReadonlyArray<infer U> ? U
  : T extends AsyncIterable<infer U> ? U
  : T extends Iterable<infer U> ? U
  : T extends AsyncIterator<infer U, infer R> ? U | R
  : T extends Iterator<infer U, infer R> ? U | R
  : never;
type Indexed<T> = T extends { readonly [key: string]: infer V } ? V : never;
declare function value<T>(): T;
`;

/**
 * The compiler's errors over a consumer exporting an inferred value of every named type the
 * package's entry points hand out, '' when it names them all under both resolutions.
 * @param manifest the package's package.json, read from the current folder (a built package).
 */
export function unnameableTypeErrors(manifest) {
  const entries = entryPoints(manifest);
  if (entries.length === 0) return '';
  const reached = reachedTypes(entries.map((e) => e.types));
  const dir = mkdtempSync(join(tmpdir(), 'check-dist-names-'));
  try {
    pnpmLayout(dir, process.cwd(), ROOT);
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n');
    const lines = entries.map(
      (e, i) => `type E${i} = typeof import('${manifest.name}${e.entry.slice(1)}');`,
    );
    lines.push(HELPERS);
    reached.forEach((r, i) => {
      lines.push(`// ${r.chain} -> ${r.name}`);
      lines.push(`export const t${i} = value<${r.path}>();`);
    });
    writeFileSync(join(dir, 'consumer.ts'), `${lines.join('\n')}\n`);
    const files = new Map();
    const failures = [];
    for (const resolution of ['NodeNext', 'Bundler']) {
      const output = declarationErrors(join(dir, 'consumer.ts'), resolution, files);
      if (output === '') continue;
      // `t12` back to the chain that reached it, so the report says which getter to look at.
      const named = output.replace(/'t(\d+)'/g, (m, i) => `${m} (${reached[i]?.chain})`);
      failures.push(`${resolution.toLowerCase()} resolution:\n${named}`);
    }
    return failures.join('\n');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * What `tsc --declaration --emitDeclarationOnly --strict --skipLibCheck` reports over `file`
 * (nothing is written), with `--module nodenext` or `esnext` for `bundler`. `files` keeps the
 * parsed files between the two runs: the lib and @types/node are most of the work.
 */
function declarationErrors(file, resolution, files) {
  const options = {
    declaration: true,
    emitDeclarationOnly: true,
    outDir: join(dirname(file), 'out'),
    strict: true,
    skipLibCheck: true,
    target: ts.ScriptTarget.ES2022,
    lib: ['lib.es2023.d.ts'],
    types: ['node'],
    module: resolution === 'Bundler' ? ts.ModuleKind.ESNext : ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind[resolution],
  };
  const host = ts.createCompilerHost(options);
  const read = host.getSourceFile;
  host.getSourceFile = (name, version, ...rest) => {
    const { languageVersion, impliedNodeFormat } = typeof version === 'object' ? version : {};
    const key = `${name} ${languageVersion ?? version} ${impliedNodeFormat}`;
    if (!files.has(key)) files.set(key, read.call(host, name, version, ...rest));
    return files.get(key);
  };
  const program = ts.createProgram([file], options, host);
  const emitted = program.emit(undefined, () => {}, undefined, true);
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...emitted.diagnostics];
  const where = { ...host, getCurrentDirectory: () => dirname(file) };
  return ts.formatDiagnostics(diagnostics, where).trim();
}

/** `{ entry, types }` for each entry point of the exports map with an `import` types file. */
function entryPoints(manifest) {
  const found = [];
  for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
    const types = target?.import?.types;
    if (typeof types === 'string') found.push({ entry, types: resolve(types) });
  }
  return found;
}

/**
 * A program that reads built declaration files as a user's NodeNext project does (no emit, no
 * check of their own dependencies' declarations, no ambient `@types`).
 */
export function declarationsProgram(files) {
  return ts.createProgram(files, {
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    target: ts.ScriptTarget.ES2022,
    noEmit: true,
    skipLibCheck: true,
    types: [],
  });
}

/**
 * The named types of ours (interfaces, classes, enums) reached from the value exports of the
 * entry points, breadth first, each once: `{ name, chain, path }`, `path` the consumer's type
 * expression for a value of it and `chain` the same for a reader (`OllamaProvider.breaker.stats()`).
 */
function reachedTypes(files) {
  const program = declarationsProgram(files);
  const checker = program.getTypeChecker();
  const seen = new Set();
  const named = new Map();
  const queue = [];
  const push = (type, path, chain) => {
    if (!seen.has(type)) {
      seen.add(type);
      queue.push({ type, path, chain });
    }
  };
  files.forEach((file, i) => {
    const module = checker.getSymbolAtLocation(program.getSourceFile(file));
    for (const exported of module === undefined ? [] : checker.getExportsOfModule(module)) {
      const symbol =
        exported.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exported) : exported;
      if (!(symbol.flags & ts.SymbolFlags.Value)) continue;
      push(
        checker.getTypeOfSymbol(symbol),
        `E${i}[${JSON.stringify(exported.name)}]`,
        exported.name,
      );
    }
  });
  while (queue.length > 0) {
    const { type, path, chain } = queue.shift();
    if (type.isUnion() || type.isIntersection()) {
      for (const member of type.types) push(member, path, chain);
      continue;
    }
    if (!(type.flags & ts.TypeFlags.Object)) continue;
    const symbol = type.getSymbol();
    const kind = ts.SymbolFlags.Interface | ts.SymbolFlags.Class | ts.SymbolFlags.Enum;
    const isNamed = symbol !== undefined && (symbol.flags & kind) !== 0;
    const declaration = symbol?.declarations?.[0];
    if (isNamed && !ours(declaration)) {
      // A promise, an array, an iterator, a type of undici: only what it holds is followed.
      if (type.objectFlags & ts.ObjectFlags.Reference) {
        for (const argument of checker.getTypeArguments(type)) {
          push(argument, `Item<${path}>`, `${chain}<>`);
        }
      }
      continue;
    }
    if (isNamed && !named.has(symbol)) named.set(symbol, { name: symbol.name, chain, path });
    if (type.objectFlags & ts.ObjectFlags.Reference) {
      for (const argument of checker.getTypeArguments(type)) push(argument, path, chain);
    }
    for (const property of checker.getPropertiesOfType(type)) {
      const key = propertyKey(property);
      if (key === undefined || !isPublic(property)) continue;
      push(checker.getTypeOfSymbol(property), `Prop<${path}, ${key}>`, `${chain}.${property.name}`);
    }
    for (const signature of type.getCallSignatures()) {
      push(signature.getReturnType(), `Ret<${path}>`, `${chain}()`);
    }
    for (const signature of type.getConstructSignatures()) {
      push(signature.getReturnType(), `New<${path}>`, `new ${chain}()`);
    }
    for (const info of checker.getIndexInfosOfType(type)) {
      push(info.type, `Indexed<${path}>`, `${chain}[]`);
    }
  }
  return [...named.values()];
}

/** Declared in one of our packages: TypeScript gives the files it resolved by their real path. */
function ours(declaration) {
  return declaration?.getSourceFile().fileName.startsWith(PACKAGES) === true;
}

/** The property as the consumer writes its key: a string literal, or `typeof Symbol.x`. */
function propertyKey(property) {
  // A class's `prototype` is its instance type, reached through the construct signature.
  if (property.name === 'prototype') return undefined;
  const wellKnown = /^__@(\w+)@\d+$/.exec(property.escapedName);
  if (wellKnown !== null) return `typeof Symbol.${wellKnown[1]}`;
  if (property.escapedName.startsWith('__@') || property.name.startsWith('#')) return undefined;
  return JSON.stringify(property.name);
}

function isPublic(property) {
  const declaration = property.valueDeclaration ?? property.declarations?.[0];
  if (declaration === undefined) return true;
  const hidden = ts.ModifierFlags.Private | ts.ModifierFlags.Protected;
  return (ts.getCombinedModifierFlags(declaration) & hidden) === 0;
}
