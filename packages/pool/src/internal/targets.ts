import { errors as undiciErrors } from 'undici';

export interface Target {
  origin: string;
  path: string;
}

const MAX_ENTRIES = 512;

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
      throw new undiciErrors.InvalidArgumentError('invalid url');
    }
    const parsed = typeof url === 'string' ? new URL(url) : url;
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new undiciErrors.InvalidArgumentError(
        'Invalid URL protocol: the URL must start with `http:` or `https:`.',
      );
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
