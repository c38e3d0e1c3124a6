/**
 * Typechecks every ```ts block of the guide and the READMEs against the built packages, as a user
 * would compile it: an ESM project with `module: nodenext` and strict options. Each block is one
 * module in docs/.blocks (inside docs/, so `@x/*` resolve to the workspace packages' dist).
 *
 * A block is exempt when its fence says `ts fragment` or the line before it is
 * `<!-- no-check: why -->`: keep those few, for code that cannot stand alone (a type's shape, a line
 * of an options object). A block whose fence says `ts runnable` is also run (run-blocks.ts).
 *
 * Also typechecks every entry point of every package under `moduleResolution: node10`
 * (TypeScript's default with `module: commonjs`), which the ESM check cannot see.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { type CodeBlock, codeBlocks, docsDir, markdownFiles, rel, root } from './markdown.ts';

export const blocksDir = join(docsDir, '.blocks');
const TS = new Set(['ts', 'typescript', 'mts']);

export interface ExtractedBlock extends CodeBlock {
  readonly path: string;
  readonly runnable: boolean;
}

const BASE_OPTIONS = {
  target: 'ES2022',
  lib: ['ES2023', 'ESNext.Disposable'],
  types: ['node'],
  strict: true,
  // On in `tsc --init` since TypeScript 5.9: a user passes `process.env.API_KEY` (string |
  // undefined) to an optional option. Every optional field is typed `?: T | undefined`
  // (scripts/check-optional-types.mjs), and the examples compile as such a user compiles them.
  exactOptionalPropertyTypes: true,
  noEmit: true,
  skipLibCheck: true,
  allowImportingTsExtensions: true,
};

/** Writes docs/.blocks afresh: one module per checked block, and the two tsconfigs. */
export function extractBlocks(): ExtractedBlock[] {
  rmSync(blocksDir, { recursive: true, force: true });
  mkdirSync(blocksDir, { recursive: true });
  writeFileSync(join(blocksDir, 'package.json'), '{ "type": "module", "private": true }\n');
  const out: ExtractedBlock[] = [];
  for (const file of markdownFiles()) {
    // internal/ documents test tooling for the repository's own vitest suites, not a user's code.
    if (rel(file).startsWith('internal/')) continue;
    for (const block of codeBlocks(file)) {
      if (!TS.has(block.lang) || block.exempt || block.meta.includes('fragment')) continue;
      const name = `${rel(file).replace(/[/\\.]/g, '_')}_L${block.line}.ts`;
      const path = join(blocksDir, name);
      // The fence line is line 0 of the module, so tsc's line N is the Markdown's line + N.
      writeFileSync(path, `export {};\n${block.code}\n`);
      out.push({ ...block, path, runnable: block.meta.includes('runnable') });
    }
  }
  writeFileSync(
    join(blocksDir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: { ...BASE_OPTIONS, module: 'NodeNext', moduleResolution: 'NodeNext' },
      include: ['*.ts'],
      exclude: ['node10/**'],
    }),
  );
  writeNode10Project();
  return out;
}

/** One CommonJS file that imports every public entry point, compiled with node10 resolution. */
function writeNode10Project(): void {
  const dir = join(blocksDir, 'node10');
  mkdirSync(dir, { recursive: true });
  const lines: string[] = [];
  for (const name of readdirSync(join(root, 'packages'))) {
    let manifest: { name: string; exports?: Record<string, unknown> };
    try {
      manifest = JSON.parse(readFileSync(join(root, 'packages', name, 'package.json'), 'utf8'));
    } catch {
      continue;
    }
    for (const key of Object.keys(manifest.exports ?? { '.': null })) {
      if (key.endsWith('.json')) continue;
      const specifier = key === '.' ? manifest.name : `${manifest.name}/${key.slice(2)}`;
      lines.push(`import * as m${lines.length} from '${specifier}';`);
      lines.push(`void m${lines.length - 1};`);
    }
  }
  writeFileSync(join(dir, 'entry-points.ts'), `${lines.join('\n')}\n`);
  writeFileSync(
    join(dir, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        ...BASE_OPTIONS,
        module: 'CommonJS',
        moduleResolution: 'Node10',
        ignoreDeprecations: '5.0',
      },
      include: ['*.ts'],
    }),
  );
}

const run = promisify(execFile);
const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');

async function compile(project: string): Promise<string> {
  try {
    await run(process.execPath, [tsc, '-p', project, '--pretty', 'false'], {
      cwd: root,
      maxBuffer: 64 * 1024 * 1024,
    });
    return '';
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string; message: string };
    return `${e.stdout ?? ''}${e.stderr ?? ''}` || e.message;
  }
}

/** Problems as `file.md:line: message`, or none. */
export async function typecheckBlocks(blocks: readonly ExtractedBlock[]): Promise<string[]> {
  const [esm, node10] = await Promise.all([
    compile(join(blocksDir, 'tsconfig.json')),
    compile(join(blocksDir, 'node10', 'tsconfig.json')),
  ]);
  const byName = new Map(blocks.map((b) => [b.path.slice(blocksDir.length + 1), b]));
  const problems: string[] = [];
  for (const line of esm.split('\n').filter(Boolean)) {
    const m = /^(?:.*[/\\])?([^/\\(]+\.ts)\((\d+),(\d+)\): (.*)$/.exec(line);
    const block = m && byName.get(m[1]!);
    if (block && m) problems.push(`${rel(block.file)}:${block.line + Number(m[2]) - 1}: ${m[4]}`);
    else if (!/^\s/.test(line)) problems.push(line);
    else problems[problems.length - 1] += `\n${line}`;
  }
  for (const line of node10.split('\n').filter(Boolean))
    problems.push(`entry point types under moduleResolution node10: ${line}`);
  return problems;
}
