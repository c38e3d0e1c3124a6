/**
 * The documentation check of `pnpm check` (after the packages are built):
 * 1. generates the guide's reference pages, failing when an error code lacks its README row or its
 *    remedy (docs/scripts/generate.ts);
 * 2. typechecks every ```ts block of docs/ and the READMEs against the built packages, and every
 *    entry point under node10 resolution (blocks.ts);
 * 3. checks relative links and anchors (links.ts), the generated API reference's included;
 * 4. runs the `ts runnable` blocks against the simulator and Redis (run-blocks.ts).
 * `vitepress build` runs as the docs package's build, in turbo.
 */
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { generate } from '../../docs/scripts/generate.ts';
import { extractBlocks, typecheckBlocks } from './blocks.ts';
import { checkLinks } from './links.ts';
import { docsDir } from './markdown.ts';
import { runBlocks } from './run-blocks.ts';

const problems: string[] = [];
async function step(name: string, run: () => Promise<string> | string): Promise<void> {
  const start = performance.now();
  const summary = await run();
  console.log(
    `docs-check: ${name}: ${summary} (${((performance.now() - start) / 1000).toFixed(1)} s)`,
  );
}

await step('error codes', () => {
  const found = generate();
  problems.push(...found);
  return found.length === 0
    ? 'every code has its README row and remedy'
    : `${found.length} problems`;
});
const blocks = extractBlocks();
await step('typecheck', async () => {
  const found = await typecheckBlocks(blocks);
  problems.push(...found);
  return `${blocks.length} blocks, ${found.length} problems`;
});
/**
 * The API reference TypeDoc writes in the docs build: its cross-links name anchors it computes
 * itself, which VitePress's heading ids did not always match (`#breakerstats-1`), so they are
 * checked here against the pages as written.
 */
function apiPages(): string[] {
  const dir = join(docsDir, 'api');
  if (!existsSync(dir)) {
    problems.push('docs/api is missing: the docs build (typedoc) writes it; run `pnpm docs:build`');
    return [];
  }
  return (readdirSync(dir, { recursive: true }) as string[])
    .filter((file) => file.endsWith('.md'))
    .map((file) => join(dir, file));
}

await step('links', () => {
  const generated = [join(docsDir, 'reference', 'errors.md'), ...apiPages()];
  const { problems: found, count } = checkLinks(generated);
  problems.push(...found);
  return `${count} links, ${found.length} problems`;
});
await step('runnable blocks', async () => {
  const found = await runBlocks(blocks);
  problems.push(...found);
  return `${blocks.filter((b) => b.runnable).length} run, ${found.length} failed`;
});

if (problems.length > 0) {
  console.error(`\n${problems.join('\n')}\n\ndocs-check: ${problems.length} problems`);
  process.exit(1);
}
