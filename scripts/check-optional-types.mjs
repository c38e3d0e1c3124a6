#!/usr/bin/env node
// Fails when an optional property of a package's types is declared `name?: T` instead of
// `name?: T | undefined`. Under `exactOptionalPropertyTypes` (on in `tsc --init` since TypeScript
// 5.9), `name?: T` refuses an explicit `undefined`, so `{ apiKey: process.env.API_KEY }` would not
// compile although every factory treats an option set to `undefined` as left out.
// `--fix` writes the missing `| undefined`. A file that describes another library's objects, which
// our code calls (OpenTelemetry's tracer), keeps that library's declarations: it says so with
// `check-optional-types: exact` and a reason. A property of an object our code writes and hands to
// the user's code (the options a custom transport is called with), which leaves the key out
// rather than set it to `undefined`, says so with a `// check-optional-types: output` line just
// before it: typed `name?: T`, it can be passed on to a library whose own field refuses
// `undefined` (undici's `body`). Run by the README's test command.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const ts = createRequire(join(root, 'package.json'))('typescript');
const fix = process.argv.includes('--fix');

/** The source files whose types reach users: packages' and @x/internal's, tests left out. */
function sources(dir, out = []) {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (!['node_modules', 'dist', '__fixtures__', 'testing'].includes(entry)) sources(path, out);
    } else if (entry.endsWith('.ts') && !entry.endsWith('.test.ts') && !entry.endsWith('.d.ts')) {
      out.push(path);
    }
  }
  return out;
}

function admitsUndefined(type) {
  switch (type.kind) {
    case ts.SyntaxKind.UndefinedKeyword:
    case ts.SyntaxKind.AnyKeyword:
    case ts.SyntaxKind.UnknownKeyword:
      return true;
    default:
      if (ts.isUnionTypeNode(type)) return type.types.some(admitsUndefined);
      if (ts.isParenthesizedTypeNode(type)) return admitsUndefined(type.type);
      return false;
  }
}

/** True for a property marked as one our code writes and leaves out when it has no value. */
function isOutput(node, text) {
  const comments = ts.getLeadingCommentRanges(text, node.pos) ?? [];
  return comments.some(
    (c) =>
      c.kind === ts.SyntaxKind.SingleLineCommentTrivia &&
      text.slice(c.pos, c.end).trim() === '// check-optional-types: output',
  );
}

/** Where `| undefined` is missing: the type's span, and whether it needs parentheses first. */
function missing(file, text) {
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const found = [];
  const visit = (node) => {
    const optional =
      (ts.isPropertySignature(node) || ts.isMappedTypeNode(node)) &&
      node.questionToken !== undefined &&
      node.questionToken.kind === ts.SyntaxKind.QuestionToken;
    if (
      optional &&
      node.type !== undefined &&
      !admitsUndefined(node.type) &&
      !(ts.isPropertySignature(node) && isOutput(node, text))
    ) {
      const type = node.type;
      const { line } = sf.getLineAndCharacterOfPosition(type.getStart(sf));
      found.push({
        start: type.getStart(sf),
        end: type.getEnd(),
        line: line + 1,
        // `() => T | undefined` would make the return type optional, not the property
        wrap:
          ts.isFunctionTypeNode(type) ||
          ts.isConstructorTypeNode(type) ||
          ts.isConditionalTypeNode(type),
      });
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
  return found;
}

const problems = [];
for (const dir of [join(root, 'packages'), join(root, 'internal', 'src')]) {
  for (const file of sources(dir)) {
    const text = readFileSync(file, 'utf8');
    if (text.includes('check-optional-types: exact')) continue;
    const spans = missing(file, text);
    if (spans.length === 0) continue;
    if (!fix) {
      for (const s of spans) problems.push(`${relative(root, file)}:${s.line}`);
      continue;
    }
    // Point insertions, applied from the end: an optional property nested in another's type
    // (`a?: { b?: T }`) gets its own, and no insertion moves one still to be made.
    const inserts = spans.flatMap((s) => [
      ...(s.wrap ? [{ at: s.start, text: '(' }] : []),
      { at: s.end, text: `${s.wrap ? ')' : ''} | undefined` },
    ]);
    let out = text;
    for (const { at, text: piece } of inserts.sort((a, b) => b.at - a.at)) {
      out = `${out.slice(0, at)}${piece}${out.slice(at)}`;
    }
    writeFileSync(file, out);
    console.log(
      `${relative(root, file)}: ${spans.length} optional properties given \`| undefined\``,
    );
  }
}

if (problems.length > 0) {
  console.error(
    `${problems.length} optional properties lack \`| undefined\` (run \`node scripts/check-optional-types.mjs --fix\`):\n  ${problems.join('\n  ')}`,
  );
  process.exit(1);
}
