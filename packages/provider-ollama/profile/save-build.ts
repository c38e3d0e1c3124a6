/**
 * Saves the current build of this provider and the workspace packages it loads (each one's
 * package.json and dist/) into a folder, as `<folder>/node_modules/@x/*`, with links to their
 * other dependencies (undici). `profile/overhead.ts` and `profile/pipeline.ts` take the folder as
 * `--baseline=<folder>` and time that build beside the current one in one process: the only way
 * to see a change of a few hundred nanoseconds on a shared machine, where two runs of the same
 * code differ by more. Run from packages/provider-ollama, built:
 *
 *   node --import tsx profile/save-build.ts /tmp/base     # before the change
 *   (change, then build again)
 *   node --import tsx profile/pipeline.ts --whole --baseline=/tmp/base --only=default
 */
import {
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  symlinkSync,
} from 'node:fs';
import { join, resolve } from 'node:path';

const folder = process.argv[2];
if (folder === undefined) {
  console.error('usage: node --import tsx profile/save-build.ts <folder>');
  process.exit(2);
}
const target = join(resolve(folder), 'node_modules');
const packages = resolve(import.meta.dirname, '../..');

/** Copies `@x/<name>` and, through its dependencies, every workspace package it loads. */
function save(name: string): void {
  const into = join(target, '@x', name);
  if (existsSync(into)) return;
  const from = join(packages, name);
  if (!existsSync(join(from, 'dist'))) throw new Error(`${from} is not built`);
  mkdirSync(into, { recursive: true });
  cpSync(join(from, 'package.json'), join(into, 'package.json'));
  cpSync(join(from, 'dist'), join(into, 'dist'), { recursive: true });
  const manifest = JSON.parse(readFileSync(join(from, 'package.json'), 'utf8')) as {
    dependencies?: Record<string, string> | undefined;
  };
  for (const dependency of Object.keys(manifest.dependencies ?? {})) {
    if (dependency.startsWith('@x/')) save(dependency.slice(3));
    else if (!existsSync(join(target, dependency))) {
      symlinkSync(realpathSync(join(from, 'node_modules', dependency)), join(target, dependency));
    }
  }
}

rmSync(target, { recursive: true, force: true });
save('provider-ollama');
console.log(`saved the current build to ${target}`);
