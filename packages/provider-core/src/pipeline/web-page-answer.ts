import { brand, hasBrand, mark } from '@x/internal';

/** Marks the error of a web page answered where the API should be (shared by duplicate installs). */
const WEB_PAGE = brand('provider-core', 'webPageAnswer');

/**
 * True for the error of a web page (`text/html`) answered where the API was asked, whatever its
 * status: a 200 page (a web UI, a proxy's login page) or an error status with a page (a plain web
 * server's `404 Not Found`, a proxy's `401`), not a redirect. An API answers in its own format,
 * errors included, so a page says the address is not the API's, not that the API is in trouble:
 * health checks report it as such, whatever the provider's error class.
 */
export function isWebPageAnswer(error: unknown): boolean {
  return hasBrand(error, WEB_PAGE);
}

/** Marks `error` as the error of a web page answer (see {@link isWebPageAnswer}); returns it. */
export function markWebPageAnswer<T>(error: T): T {
  if (typeof error === 'object' && error !== null && !hasBrand(error, WEB_PAGE)) {
    mark(error, WEB_PAGE);
  }
  return error;
}
