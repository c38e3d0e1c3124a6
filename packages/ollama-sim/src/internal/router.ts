import type { ServerResponse } from 'node:http';
import type { Exchange, SimContext } from './context';

/** One endpoint: its methods, how its body is read, and its handler. */
export interface Route {
  /** The path, or the pattern for a path with a parameter (`/api/blobs/:digest`). */
  readonly path: string;
  readonly methods: readonly string[];
  /** `json`: decoded as `api.<struct>` (Go's decoder errors); `upload`: hashed, not kept; `none`: not read. */
  readonly body: 'none' | 'json' | 'upload';
  /** The Go request type named in decoder errors (`api.` implied unless qualified). */
  readonly struct?: string | undefined;
  /** `openai`: Ollama's OpenAI-compatible layer (its error shape, the quota). @default native */
  readonly dialect?: 'openai' | undefined;
  readonly handle: (ctx: SimContext, ex: Exchange) => Promise<void>;
}

export interface RouteTable {
  readonly exact: ReadonlyMap<string, Route>;
  /** Routes with one trailing parameter, by prefix (`/api/blobs/`). */
  readonly prefixed: ReadonlyMap<string, Route>;
}

/** The route of a path and its parameter, if any. */
export function findRoute(
  table: RouteTable,
  path: string,
): { route: Route; param: string | undefined } | undefined {
  const route = table.exact.get(path);
  if (route !== undefined) return { route, param: undefined };
  const slash = path.lastIndexOf('/');
  const prefixed = table.prefixed.get(path.slice(0, slash + 1));
  const param = path.slice(slash + 1);
  return prefixed !== undefined && param !== '' ? { route: prefixed, param } : undefined;
}

export function plain(res: ServerResponse, status: number, text: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/plain');
  res.setHeader('Content-Length', Buffer.byteLength(text));
  res.end(text);
}

/**
 * Answers a path no route serves as gin does: a known path with or without a trailing slash is
 * redirected (RedirectTrailingSlash: 301 for GET, 307 otherwise), anything else is a text 404.
 */
export function answerUnrouted(
  table: RouteTable,
  res: ServerResponse,
  method: string,
  path: string,
  query: string,
): void {
  const other = path.endsWith('/') ? path.slice(0, -1) : `${path}/`;
  if (path === '/' || findRoute(table, other) === undefined) {
    plain(res, 404, '404 page not found');
    return;
  }
  const location = other + query;
  res.statusCode = method === 'GET' ? 301 : 307;
  res.setHeader('Location', location);
  if (method === 'GET' || method === 'HEAD') {
    // Go's http.Redirect writes a small HTML body for GET and HEAD.
    const href = location.replace(/&/g, '&amp;').replace(/"/g, '&#34;').replace(/</g, '&lt;');
    const html = `<a href="${href}">${method === 'GET' ? 'Moved Permanently' : 'Temporary Redirect'}</a>.\n\n`;
    res.setHeader('Content-Type', 'text/html; charset=utf-8');
    res.setHeader('Content-Length', Buffer.byteLength(html));
    res.end(html);
    return;
  }
  res.setHeader('Content-Length', 0);
  res.end();
}
