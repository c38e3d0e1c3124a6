import { displayUrl, fail } from '@x/internal';

export interface Target {
  origin: string;
  path: string;
}

const MAX_ENTRIES = 512;
const EXPECTED_URL = 'an absolute http: or https: URL';

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
