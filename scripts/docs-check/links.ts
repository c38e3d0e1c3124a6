/**
 * Checks the internal links of the guide and the READMEs: a relative link (or a link to this
 * repository on GitHub) must reach a file, and its `#anchor` a heading of that file, with the
 * anchors of the renderer that shows it (VitePress for docs/, GitHub elsewhere).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import {
  anchors,
  docsDir,
  githubSlug,
  type Link,
  links,
  markdownFiles,
  rel,
  root,
  vitepressSlug,
} from './markdown.ts';

const REPO = /^https:\/\/github\.com\/x-llm\/resilience\/(?:blob|tree)\/main\/([^#?]*)(#.*)?$/;
const inDocs = (file: string) => file.startsWith(docsDir + sep);

const anchorCache = new Map<string, Set<string>>();
function anchorsOf(file: string): Set<string> {
  let set = anchorCache.get(file);
  if (!set) {
    set = anchors(file, inDocs(file) ? vitepressSlug : githubSlug);
    anchorCache.set(file, set);
  }
  return set;
}

/** The file a path names, as GitHub (a folder shows its README) or VitePress (`x` is `x.md`) reads it. */
function resolveFile(path: string, vitepress: boolean): string | undefined {
  const candidates = vitepress
    ? [path, `${path}.md`, join(path, 'index.md')]
    : [path, join(path, 'README.md')];
  return (
    candidates.find((c) => existsSync(c) && statSync(c).isFile()) ??
    (existsSync(path) ? path : undefined)
  );
}

/**
 * The files a package's tarball holds (its `files`, its README, LICENSE and package.json), for a
 * package README's link: npm shows the README from the tarball, where a relative link to
 * anything else (`../provider-core/README.md`, `../../apps/bench`) leads nowhere.
 */
const publishedCache = new Map<string, string[]>();
function published(packageDir: string): string[] {
  let files = publishedCache.get(packageDir);
  if (!files) {
    const pkg = JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as {
      files?: string[];
    };
    files = [...(pkg.files ?? []), 'README.md', 'LICENSE', 'package.json'];
    publishedCache.set(packageDir, files);
  }
  return files;
}

/** For a link of a package README: the problem when its target is not in the package's tarball. */
function leavesPackage(link: Link, path: string): string | undefined {
  if (!/^packages[/\\][^/\\]+[/\\]README\.md$/.test(rel(link.file))) return undefined;
  const dir = dirname(link.file);
  const inside = relative(dir, path);
  const shipped =
    !inside.startsWith('..') &&
    published(dir).some((f) => inside === f || inside.startsWith(`${f}${sep}`));
  if (shipped) return undefined;
  const kind = existsSync(path) && statSync(path).isDirectory() ? 'tree' : 'blob';
  return `${rel(link.file)}:${link.line}: ${link.target} is not in the package's tarball (npm shows this README from it); link to https://github.com/x-llm/resilience/${kind}/main/${relative(root, path).split(sep).join('/')} instead`;
}

function check(link: Link): string | undefined {
  const where = `${rel(link.file)}:${link.line}`;
  let target = link.target;
  let base = dirname(link.file);
  let vitepress = inDocs(link.file);
  const repo = REPO.exec(target);
  if (repo) {
    target = `${decodeURIComponent(repo[1] ?? '')}${repo[2] ?? ''}`;
    base = root;
    vitepress = false;
  } else if (/^[a-z][a-z0-9+.-]*:/i.test(target) || target.startsWith('//')) {
    return undefined; // another site: not ours to check
  }
  const [pathPart = '', anchor] = target.split('#');
  let file = link.file;
  if (pathPart !== '') {
    const absolute = vitepress && pathPart.startsWith('/');
    const path = absolute ? join(docsDir, pathPart) : join(base, pathPart);
    const found = resolveFile(decodeURIComponent(path), vitepress);
    if (!found) return `${where}: ${link.target} does not exist (${relative(root, path)})`;
    if (!repo) {
      const outside = leavesPackage(link, decodeURIComponent(path));
      if (outside !== undefined) return outside;
    }
    file = found;
    if (!inDocs(file) && vitepress && !repo)
      return `${where}: ${link.target} leaves the guide; link to ${'https://github.com/x-llm/resilience/blob/main/'}${rel(file)} instead`;
  }
  if (anchor === undefined || anchor === '' || !file.endsWith('.md')) return undefined;
  if (!anchorsOf(file).has(decodeURIComponent(anchor)))
    return `${where}: ${link.target}: no heading with the anchor #${anchor} in ${rel(file)}`;
  return undefined;
}

/** Problems as `file:line: message`; `extra` adds generated pages to the files read. */
export function checkLinks(extra: readonly string[] = []): { problems: string[]; count: number } {
  const all = [...markdownFiles(), ...extra].flatMap((file) => links(file));
  return {
    problems: all.map(check).filter((p): p is string => p !== undefined),
    count: all.length,
  };
}
