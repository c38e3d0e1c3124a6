/**
 * What the documentation checks read in Markdown: the files they cover, fenced code blocks with
 * their markers, headings with the anchors GitHub and VitePress give them, and links.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';

export const root = join(import.meta.dirname, '..', '..');
export const docsDir = join(root, 'docs');

/** Folders of docs/ that hold no page of ours: dependencies, the build, and generated pages. */
const SKIPPED = new Set(['node_modules', '.vitepress', '.blocks', 'api', 'reference']);

function walkMarkdown(dir: string, out: string[]): string[] {
  for (const entry of readdirSync(dir)) {
    const path = join(dir, entry);
    if (statSync(path).isDirectory()) {
      if (!SKIPPED.has(entry)) walkMarkdown(path, out);
    } else if (entry.endsWith('.md')) out.push(path);
  }
  return out;
}

/** The Markdown a reader meets: the guide's pages and every README of the repository. */
export function markdownFiles(): string[] {
  const readmes = ['packages', 'apps'].flatMap((group) =>
    readdirSync(join(root, group))
      .map((name) => join(root, group, name, 'README.md'))
      .filter((path) => statSafe(path)),
  );
  const top = ['README.md', 'ARCHITECTURE.md', 'CONTRIBUTING.md', 'internal/README.md'].map((p) =>
    join(root, p),
  );
  return [...top.filter(statSafe), ...readmes, ...walkMarkdown(docsDir, [])];
}

function statSafe(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

export const rel = (path: string): string => relative(root, path);

export interface CodeBlock {
  readonly file: string;
  /** 1-based line of the opening fence. */
  readonly line: number;
  readonly lang: string;
  /** The words after the language: `ts fragment`, `ts runnable`. */
  readonly meta: readonly string[];
  readonly code: string;
  /** `<!-- no-check: why -->` on the line before the fence. */
  readonly exempt: boolean;
}

const FENCE = /^(\s*)(`{3,}|~{3,})\s*([\w-]*)(.*)$/;

/** Fenced blocks in order; indented fences (inside list items) are read too. */
export function codeBlocks(file: string, text = readFileSync(file, 'utf8')): CodeBlock[] {
  const lines = text.split('\n');
  const blocks: CodeBlock[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = FENCE.exec(lines[i]!);
    if (!open) continue;
    const [, indent = '', fence = '', lang = '', rest = ''] = open;
    const body: string[] = [];
    let j = i + 1;
    for (; j < lines.length; j++) {
      const line = lines[j]!;
      if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '') break;
      body.push(line.startsWith(indent) ? line.slice(indent.length) : line.trimStart());
    }
    let k = i - 1;
    while (k >= 0 && lines[k]!.trim() === '') k--;
    blocks.push({
      file,
      line: i + 1,
      lang: lang.toLowerCase(),
      meta: rest
        .replace(/\{[^}]*\}/g, ' ')
        .split(/\s+/)
        .filter(Boolean),
      code: body.join('\n'),
      exempt: k >= 0 && /<!--\s*no-check\b[^>]*-->/.test(lines[k]!),
    });
    i = j;
  }
  return blocks;
}

/** The text of a file with its fenced blocks blanked (line numbers kept). */
export function proseOnly(text: string): string {
  const lines = text.split('\n');
  let fence: string | undefined;
  return lines
    .map((line) => {
      const m = FENCE.exec(line);
      if (fence === undefined && m) {
        fence = m[2];
        return '';
      }
      if (fence !== undefined) {
        if (line.trim().startsWith(fence) && line.trim().replace(/[`~]/g, '') === '')
          fence = undefined;
        return '';
      }
      return line;
    })
    .join('\n');
}

/** A heading's text as a reader sees it: no emphasis, code ticks, links or HTML. */
function plainHeading(raw: string): string {
  return raw
    .replace(/\s*\{#[^}]+\}\s*$/, '')
    .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/<[^>]+>/g, '')
    .replace(/[`*]/g, '')
    .trim();
}

/** GitHub's anchor of a heading (github-slugger without the duplicate suffix). */
export function githubSlug(raw: string): string {
  return plainHeading(raw)
    .toLowerCase()
    .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
    .replace(/ /g, '-');
}

/** VitePress's anchor of a heading (@mdit-vue's slugify), or its `{#id}`. */
export function vitepressSlug(raw: string): string {
  const custom = /\{#([^}]+)\}\s*$/.exec(raw);
  if (custom) return custom[1]!;
  return plainHeading(raw)
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/\p{Cc}/gu, '') // control characters
    .replace(/[\s~`!@#$%^&*()\-_+=[\]{}|\\;:"'“”‘’<>,.?/]+/g, '-')
    .replace(/-{2,}/g, '-')
    .replace(/^-+|-+$/g, '')
    .replace(/^(\d)/, '_$1')
    .toLowerCase();
}

/** Every anchor of a file, with the duplicate suffixes (`-1`, `-2`) both renderers add. */
export function anchors(file: string, slug: (raw: string) => string): Set<string> {
  const text = proseOnly(readFileSync(file, 'utf8'));
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const line of text.split('\n')) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(line);
    const ids = [...line.matchAll(/<a\s+(?:name|id)="([^"]+)"/g)].map((m) => m[1]!);
    for (const id of ids) out.add(id);
    if (!heading) continue;
    const base = slug(heading[1]!);
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

export interface Link {
  readonly file: string;
  readonly line: number;
  readonly target: string;
}

/** Inline links and images, and reference definitions, outside code. */
export function links(file: string): Link[] {
  const text = proseOnly(readFileSync(file, 'utf8'));
  const out: Link[] = [];
  text.split('\n').forEach((line, i) => {
    const bare = line.replace(/`[^`]*`/g, '');
    for (const m of bare.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g))
      out.push({ file, line: i + 1, target: m[1]! });
    const def = /^\s*\[[^\]]+\]:\s*<?(\S+?)>?(\s|$)/.exec(bare);
    if (def) out.push({ file, line: i + 1, target: def[1]! });
    for (const m of bare.matchAll(/\b(?:href|src)="([^"]+)"/g))
      out.push({ file, line: i + 1, target: m[1]! });
  });
  return out;
}
