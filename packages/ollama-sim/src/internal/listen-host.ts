import { isIP } from 'node:net';
import { displayUrl, fail, hideSecretShapes } from '@x/internal';

// A DNS name: dot-separated labels of letters, digits, `-` and `_` (`_` is seen in container names).
const HOST_NAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9_])?)*\.?$/;

/** A host as an error may show it: any userinfo, query or token-like part as `[redacted]`. */
export function shownHost(host: string): string {
  return hideSecretShapes(displayUrl(host));
}

/**
 * Checks the `host` option before it reaches `listen()`: a URL (`http://localhost:11434`) or a
 * `user:password@host` would otherwise fail in DNS, and the error would quote it, password and all.
 */
export function expectListenHost(host: unknown): string {
  if (typeof host !== 'string') fail('host', 'a string', host);
  if (isIP(host) === 0 && !HOST_NAME.test(host)) {
    const what = 'a host name or IP address, without scheme, userinfo, port or path';
    fail('host', what, shownHost(host), true);
  }
  return host;
}
