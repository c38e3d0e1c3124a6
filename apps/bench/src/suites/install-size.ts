import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Suite } from '../context';
import { findRepoRoot } from '../env';
import type { Check } from '../results';
import { asPrinted } from '../terminal/table';

const run = promisify(execFile);

/** The budget of issue 17 for a user who never counts OpenAI tokens exactly. */
const BUDGET_BYTES = 5_000_000;

interface Installed {
  bytes: number;
  packages: number;
}

/** Apparent size of every file under `dir` (what the bytes are, not the file system's blocks). */
function sizeOf(dir: string): number {
  let total = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) total += sizeOf(path);
    else if (entry.isFile()) total += readFileSync(path).byteLength;
  }
  return total;
}

/** Installed packages: folders of node_modules (and of its scopes) holding a package.json. */
function countPackages(modules: string): number {
  let n = 0;
  for (const entry of readdirSync(modules, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const path = join(modules, entry.name);
    if (entry.name.startsWith('@')) n += countPackages(path);
    else {
      n++;
      const nested = join(path, 'node_modules');
      try {
        n += countPackages(nested);
      } catch {}
    }
  }
  return n;
}

/** The @x packages `name` needs at run time, itself included (read from the workspace). */
function closure(root: string, name: string, seen = new Set<string>()): Set<string> {
  if (seen.has(name)) return seen;
  seen.add(name);
  const dir = join(root, 'packages', name.slice('@x/'.length), 'package.json');
  const pkg = JSON.parse(readFileSync(dir, 'utf8')) as { dependencies?: Record<string, string> };
  for (const dep of Object.keys(pkg.dependencies ?? {})) {
    if (dep.startsWith('@x/')) closure(root, dep, seen);
  }
  return seen;
}

/**
 * One `pnpm pack` over `roots` and everything they depend on (pnpm rewrites workspace: ranges);
 * the tarball of each @x package by name.
 */
async function packAll(root: string, roots: string[], into: string): Promise<Map<string, string>> {
  const filters = roots.flatMap((r) => ['--filter', `${r}...`]);
  await run('pnpm', [...filters, 'pack', '--pack-destination', into], {
    cwd: root,
    maxBuffer: 16 * 1024 * 1024,
  });
  const files = readdirSync(into);
  const packed = new Map<string, string>();
  for (const name of roots.flatMap((r) => [...closure(root, r)])) {
    const short = name.slice('@x/'.length);
    const file = files.find((f) => new RegExp(`^x-${short}-\\d.*\\.tgz$`).test(f));
    if (!file) throw new Error(`pnpm pack wrote no tarball for ${name} in ${into}`);
    packed.set(name, join(into, file));
  }
  return packed;
}

/** A real `npm install` of `specs` into an empty project; the size of its node_modules. */
async function install(base: string, label: string, specs: string[]): Promise<Installed> {
  const dir = join(base, label);
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    JSON.stringify({ name: `size-${label}`, version: '1.0.0', private: true }),
  );
  await run(
    'npm',
    [
      'install',
      '--no-audit',
      '--no-fund',
      '--ignore-scripts',
      '--prefer-offline',
      '--no-package-lock',
      '--loglevel=error',
      ...specs,
    ],
    { cwd: dir, maxBuffer: 16 * 1024 * 1024 },
  );
  const modules = join(dir, 'node_modules');
  return { bytes: sizeOf(modules), packages: countPackages(modules) };
}

const mb = (bytes: number) => `${(bytes / 1e6).toFixed(2)} MB`;
const describeInstall = (i: Installed) =>
  `${mb(i.bytes)} over ${i.packages} package${i.packages === 1 ? '' : 's'}`;

export const installSizeSuite: Suite = {
  name: 'install-size',
  title: 'Install size: npm pack, then npm install into an empty project',
  packages: ['@x/provider-ollama', '@x/tokens'],
  async prepare(ctx) {
    const root = findRepoRoot();
    const base = mkdtempSync(join(tmpdir(), 'x-install-size-'));
    try {
      const tarballs = join(base, 'tarballs');
      mkdirSync(tarballs);
      // Every profile installs the same five projects (--quick too: it differs in samples only)
      const roots = ['@x/provider-ollama', '@x/provider-openai'];
      ctx.progress.start('install-size', 1 + 5);
      const packed = await packAll(root, roots, tarballs);
      ctx.progress.tick('packed');
      const of = (pkg: string) => [...closure(root, pkg)].map((n) => packed.get(n)!);
      const measure = async (label: string, specs: string[]) => {
        const installed = await install(base, label, specs);
        ctx.progress.tick(label);
        return installed;
      };
      // side by side: npm's cache (cacache) is safe for concurrent installs
      const [ollama, ollamaJs, openai, tokens, tokensExact] = await Promise.all([
        measure('provider-ollama', of('@x/provider-ollama')),
        measure('ollama-js', ['ollama']),
        measure('provider-openai', of('@x/provider-openai')),
        measure('tokens', of('@x/tokens')),
        measure('tokens-exact', [...of('@x/tokens'), 'js-tiktoken@^1.0.21']),
      ]);
      ctx.progress.done();
      const checks: Check[] = [
        {
          what: '@x/provider-ollama install size',
          value: describeInstall(ollama!),
          target: `≤ ${mb(BUDGET_BYTES)}`,
          // read as printed (MB, two decimals), as the report shows it
          met: asPrinted(ollama!.bytes / 1e6, 2) <= BUDGET_BYTES / 1e6,
        },
      ];
      return {
        groups: [
          {
            name: 'install size, npm install of the packed tarballs',
            description:
              'every @x package it needs packed with `pnpm pack`, installed with `npm install` into an empty project (its other dependencies from the registry); bytes of every file in node_modules',
            cases: [],
            checks: () => checks,
            facts: () => ({
              '@x/provider-ollama': describeInstall(ollama!),
              '@x/provider-openai': describeInstall(openai!),
              '@x/tokens (estimates, no exact OpenAI counts)': describeInstall(tokens!),
              '@x/tokens + js-tiktoken (exact OpenAI counts)': describeInstall(tokensExact!),
              'ollama-js (`ollama`, for comparison)': describeInstall(ollamaJs!),
            }),
          },
        ],
      };
    } finally {
      rmSync(base, { recursive: true, force: true });
    }
  },
};
