import { displayUrl, fail } from '@x/internal';

export interface Target {
  origin: string;
  path: string;
}

const MAX_ENTRIES = 512;
const EXPECTED_URL = 'an absolute http: or https: URL';
const AMBIGUOUS_USERINFO =
  'a URL without userinfo, or without an `@` after its host (the host cannot be told: percent-encode `@`, `/`, `?` and `#` in a password)';

/**
 * Refuses a URL with userinfo and an `@` past its host (`http://bob:p@ss/w0rd#Sec@h/v1`): a URL
 * parser ends the userinfo at the first `@` and reads `ss` as the host, where the user most often
 * wrote a password holding `@`, `/` or `#` unescaped; sent, the request would ask DNS for a piece
 * of the password and connect to it. Errors show such a URL up to its last `@` hidden, so the
 * message cannot name the host it would have used either. `request` sends no userinfo (undici
 * drops it), so the URL without it, or with its password percent-encoded, is what works.
 */
export function expectUnambiguousUserinfo(parsed: URL): void {
  if (parsed.username === '' && parsed.password === '') return;
  if (!`${parsed.pathname}${parsed.search}${parsed.hash}`.includes('@')) return;
  fail('url', AMBIGUOUS_USERINFO, displayUrl(parsed.href));
}

/**
 * Parses request URLs into undici's `{ origin, path }`, remembering recent ones: services call the
 * same few endpoints over and over, and WHATWG URL parsing is a visible share of a pooled
 * request's cost. URLs with credentials are never remembered.
 */
export function createTargetParser(): (url: string | URL) => Target {
  const cache = new Map<string, Target>();
  return (url) => {
    if (typeof url === 'string') {
      const hit = cache.get(url);
      if (hit !== undefined) return hit;
    } else if (!(url instanceof URL)) {
      fail('url', 'a URL string or a URL object', url);
    }
    let parsed: URL;
    try {
      parsed = typeof url === 'string' ? new URL(url) : url;
    } catch {
      // Node's own error would carry the whole input, password included, in its `input` field;
      // ours shows it without userinfo or query (a key may sit in either).
      return fail('url', EXPECTED_URL, displayUrl(url as string));
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      fail('url', EXPECTED_URL, displayUrl(parsed.href));
    }
    expectUnambiguousUserinfo(parsed);
    const target: Target = {
      origin: parsed.origin,
      path: parsed.search ? `${parsed.pathname}${parsed.search}` : parsed.pathname,
    };
    if (typeof url === 'string' && parsed.username === '' && parsed.password === '') {
      if (cache.size >= MAX_ENTRIES) cache.clear();
      cache.set(url, target);
    }
    return target;
  };
}
