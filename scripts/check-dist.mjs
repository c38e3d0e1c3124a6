#!/usr/bin/env node
// Fails when a built package's dist imports @x/internal, the private helpers package that tsup must
// inline (see internal/tsup.ts): a published package must never depend on it at run time; when it
// holds a source map, whose sources are not published; or when the package.json `pnpm pack` writes
// into the tarball still names @x/internal (the workspace's .pnpmfile.cjs removes it).
// Run from a package folder by its `check:package` script, after the build.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';

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
  'check-dist: no import of @x/internal and no source map in dist; the packed package.json does not name @x/internal',
);
