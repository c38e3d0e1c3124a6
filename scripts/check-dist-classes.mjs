// The CJS build of a package must hand out the same classes as its ESM build, down to their names:
// `util.inspect`, logs and anything reading `constructor.name` show the name, and a user switching
// from `import` to `require` must not see `_class3 {...}` where ESM says `OllamaProvider {...}`.
// tsup's CJS chunks go through sucrase (internal/tsup.ts), whose ES transforms once rewrote every
// class with fields into `(_class3 = class ..., _class3)`, named `_class3`, with `__init` methods
// on its prototype. So for each entry point of the exports map with both an `import` and a
// `require` condition, every exported class (a function with a prototype) is compared: its name,
// its prototype's and its own property names; and an error class, constructed with one string in
// each build, must give the same `name`, `String(err)`, first line of `stack` and of `inspect`.
// A class the package does not export still names the instances it hands out (`createBreaker()`
// returns a `CircuitBreaker`), so the names every class of the dist gets at run time are compared
// too, over all the `.js` files against all the `.cjs` ones.
import { readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { inspect } from 'node:util';
import ts from 'typescript';

/**
 * Where the CJS build of the package in the current folder differs from its ESM build, one line
 * each (`<entry> <export>: ...`); empty when both hand out the same classes.
 * @param manifest the package's package.json (a built package).
 */
export async function classMismatches(manifest) {
  const found = classNameDifferences();
  const require = createRequire(join(process.cwd(), 'package.json'));
  for (const [entry, target] of Object.entries(manifest.exports ?? {})) {
    const esmFile = target?.import?.default;
    const cjsFile = target?.require?.default;
    if (typeof esmFile !== 'string' || typeof cjsFile !== 'string') continue;
    const esm = await import(pathToFileURL(resolve(esmFile)).href);
    const cjs = require(resolve(cjsFile));
    for (const [name, value] of Object.entries(esm)) {
      if (typeof value !== 'function' || value.prototype === undefined) continue;
      const at = `exports["${entry}"] ${name}`;
      for (const difference of classDifferences(value, cjs[name]))
        found.push(`${at}: ${difference}`);
    }
  }
  return found;
}

/** How the CJS class `cjs` differs from the ESM class `esm` of the same export. */
function classDifferences(esm, cjs) {
  if (typeof cjs !== 'function') return [`CJS exports ${typeof cjs}, ESM a class`];
  const differences = [];
  const same = (what, a, b) => {
    if (a !== b) differences.push(`${what}: CJS ${JSON.stringify(b)}, ESM ${JSON.stringify(a)}`);
  };
  same('name', esm.name, cjs.name);
  same('prototype members', members(esm.prototype), members(cjs.prototype));
  same('static members', members(esm), members(cjs));
  if (esm.prototype instanceof Error) {
    const [a, b] = [built(esm), built(cjs)];
    // A constructor that refuses a lone string (it wants an options object) is left to its tests:
    // its name is already compared, which is what `inspect` and the stack header print.
    if (a instanceof Error && b instanceof Error) {
      same('new error .name', a.name, b.name);
      same('String(error)', String(a), String(b));
      same('stack, first line', a.stack?.split('\n')[0], b.stack?.split('\n')[0]);
      same('inspect, first line', inspect(a).split('\n')[0], inspect(b).split('\n')[0]);
    }
  }
  return differences;
}

function members(object) {
  return Object.getOwnPropertyNames(object).sort().join(',');
}

function built(ErrorClass) {
  try {
    return new ErrorClass('check-dist-classes');
  } catch {
    return undefined;
  }
}

/**
 * The class names only one build holds, as `dist: CJS names <name> n time(s), ESM m`: each class
 * of the dist's `.js` files and of its `.cjs` files is named as JavaScript names it at run time.
 */
function classNameDifferences() {
  const [esm, cjs] = [/\.js$/, /\.cjs$/].map((pattern) => classNames(pattern));
  const differences = [];
  for (const name of new Set([...esm.keys(), ...cjs.keys()])) {
    const [inEsm, inCjs] = [esm.get(name) ?? 0, cjs.get(name) ?? 0];
    if (inEsm !== inCjs)
      differences.push(`dist: CJS names ${inCjs} class(es) "${name}", ESM ${inEsm}`);
  }
  return differences;
}

/** How many classes of each run-time name the dist files matching `pattern` define. */
function classNames(pattern) {
  const counts = new Map();
  for (const file of readdirSync('dist', { recursive: true })) {
    if (!pattern.test(file)) continue;
    const text = readFileSync(join('dist', file), 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, ts.ScriptKind.JS);
    const visit = (node) => {
      if (ts.isClassDeclaration(node) || ts.isClassExpression(node)) {
        const name = runtimeName(node);
        counts.set(name, (counts.get(name) ?? 0) + 1);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
  }
  return counts;
}

/**
 * The `name` JavaScript gives a class: its own, or for an anonymous class expression the binding
 * it is assigned to (`var A = class {}` names it A; `(_class = class {})` names it _class).
 */
function runtimeName(node) {
  if (node.name !== undefined) return node.name.text;
  let child = node;
  let parent = node.parent;
  while (ts.isParenthesizedExpression(parent)) [child, parent] = [parent, parent.parent];
  if (ts.isVariableDeclaration(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  if (
    ts.isBinaryExpression(parent) &&
    parent.right === child &&
    parent.operatorToken.kind === ts.SyntaxKind.EqualsToken &&
    ts.isIdentifier(parent.left)
  )
    return parent.left.text;
  if (ts.isPropertyAssignment(parent) && ts.isIdentifier(parent.name)) return parent.name.text;
  return '(anonymous)';
}
